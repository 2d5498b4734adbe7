import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';

const TERMINAL = `('dispatched','failed','cancelled','expired')`;

/** Batched retention writes; each batch skips rows another worker holds. */
@Injectable()
export class RetentionRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Deletes up to `limit` terminal intents last changed before `cutoff` (attempts go with them). */
  deleteBatch(cutoff: Date, limit: number): Promise<number> {
    return this.prisma.$executeRawUnsafe(
      `DELETE FROM callback_intent WHERE id IN (
         SELECT id FROM callback_intent WHERE status IN ${TERMINAL} AND updated_at < $1
         ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      cutoff,
      limit,
    );
  }

  /**
   * Anonymises up to `limit` terminal intents last changed before `cutoff`:
   * the phone number keeps its first digit and last two digits, notes,
   * routing and metadata go, and the attempts lose their vendor messages.
   */
  anonymizeBatch(cutoff: Date, limit: number, now: Date): Promise<number> {
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRawUnsafe<{ id: string }[]>(
        `UPDATE callback_intent SET
           phone_number = left(phone_number, 2) || '•••' || right(phone_number, 2),
           notes = NULL, routing = '{}', metadata = '{}', last_error = NULL, anonymized_at = $3
         WHERE id IN (
           SELECT id FROM callback_intent WHERE status IN ${TERMINAL} AND updated_at < $1 AND anonymized_at IS NULL
           ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING id`,
        cutoff,
        limit,
        now,
      );
      if (rows.length) {
        await tx.$executeRawUnsafe(`UPDATE dispatch_attempt SET error_message = NULL WHERE intent_id = ANY($1::uuid[])`, rows.map((r) => r.id));
      }
      return rows.length;
    });
  }
}
