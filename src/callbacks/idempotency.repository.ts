import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../database/prisma.service';
import type { Tx } from './callbacks.repository';

export interface StoredResponse {
  requestHash: string;
  status: number;
  body: unknown;
}

/** Idempotency-Key records, per client. Used inside the create transaction. */
@Injectable()
export class IdempotencyRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Reserves (client, key) for this request. A concurrent holder of the same
   * key makes this wait until it commits. Returns false when the key is taken
   * by a live record; an expired record is taken over. createdAt and expiresAt
   * come from the same clock, so the stored lifetime is exactly the TTL (the
   * database's now() is the transaction start, which the app clock can trail).
   */
  async reserve(tx: Tx, client: string, key: string, requestHash: string, createdAt: Date, expiresAt: Date): Promise<boolean> {
    const rows = await tx.$queryRaw<{ key: string }[]>(Prisma.sql`
      INSERT INTO idempotency_record (client, key, request_hash, response_status, response_body, created_at, expires_at)
      VALUES (${client}, ${key}, ${requestHash}, 0, '{}'::jsonb, ${createdAt}, ${expiresAt})
      ON CONFLICT (client, key) DO UPDATE
        SET request_hash = EXCLUDED.request_hash, response_status = 0, response_body = '{}'::jsonb,
            created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
        WHERE idempotency_record.expires_at < EXCLUDED.created_at
      RETURNING key`);
    return rows.length === 1;
  }

  async find(tx: Tx, client: string, key: string): Promise<StoredResponse | null> {
    const r = await tx.idempotencyRecord.findUnique({ where: { client_key: { client, key } } });
    return r ? { requestHash: r.requestHash.trim(), status: r.responseStatus, body: r.responseBody } : null;
  }

  async complete(tx: Tx, client: string, key: string, status: number, body: unknown): Promise<void> {
    await tx.idempotencyRecord.update({
      where: { client_key: { client, key } },
      data: { responseStatus: status, responseBody: body as Prisma.InputJsonValue },
    });
  }

  /** Deletes records past their expiry (the reconciler calls this); returns how many. */
  async purgeExpired(now: Date): Promise<number> {
    const { count } = await this.prisma.idempotencyRecord.deleteMany({ where: { expiresAt: { lt: now } } });
    return count;
  }
}
