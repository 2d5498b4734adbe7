/**
 * Every read and write of callback intents and their attempts. Status changes
 * are single guarded updates (`WHERE id = … AND status = …`): when a worker, a
 * retry and a cancel race, exactly one wins and the others see null.
 */
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PrismaService } from '../database/prisma.service';
import { AttemptOutcome, CallbackIntent, DispatchAttempt, IntentStatus, Prisma } from '../generated/prisma/client';

export type Tx = Prisma.TransactionClient;
export type Intent = CallbackIntent;
export type Attempt = DispatchAttempt;

export interface NewIntent {
  id: string;
  client: string;
  account: string;
  phoneNumber: string;
  dueAt: Date;
  asap: boolean;
  timezone: string | null;
  notes: string | null;
  routing: Record<string, unknown>;
  metadata: Record<string, unknown>;
  /** The time the client asked for (dueAt is the effective time). */
  requestedAt?: Date;
  schedule?: object;
}

export interface IntentListFilter {
  client: string;
  status?: IntentStatus[];
  account?: string;
  phoneNumber?: string;
  dueFrom?: Date;
  dueTo?: Date;
  /** Keyset cursor: rows strictly after (createdAt, id) in descending order. */
  after?: { createdAt: Date; id: string };
  limit: number;
}

export interface ScheduleChange {
  dueAt: Date;
  asap: boolean;
  timezone?: string | null;
  notes?: string | null;
  routing?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  requestedAt?: Date;
  schedule?: object;
}

const LIVE: IntentStatus[] = ['scheduled', 'dispatching'];

/**
 * The intent's columns under the model's field names, for the hot paths written
 * in SQL (create, and the worker's read, claim and success): a raw statement
 * skips Prisma's query compiler, which was about half of the API's CPU per
 * create and most of the worker's per dispatch (docs/BENCHMARKS.md).
 * test/integration/raw-intent.spec.ts checks these rows equal Prisma's.
 */
const INTENT_COLUMNS = `id, client, account, phone_number AS "phoneNumber", status::text AS status, due_at AS "dueAt",
  requested_at AS "requestedAt", schedule, asap, timezone, notes, routing, metadata, vendor_ref AS "vendorRef",
  attempt_count AS "attemptCount", last_error AS "lastError", claimed_at AS "claimedAt", created_at AS "createdAt",
  updated_at AS "updatedAt", version, anonymized_at AS "anonymizedAt"`;
const COLS = Prisma.raw(INTENT_COLUMNS);
const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

/** The claim and the attempt it opened, from one statement. */
export interface Claim {
  intent: Intent;
  attempt: { id: string; number: number; startedAt: Date };
}

/** How an attempt ended, whatever its outcome. */
export interface AttemptEnd {
  endedAt: Date;
  httpStatus?: number | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  durationMs: number;
}

@Injectable()
export class CallbacksRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Inserts the intent unless a live one exists for (account, phone number).
   * ON CONFLICT DO NOTHING against the partial unique index: concurrent
   * inserts wait for each other, and exactly one row wins.
   */
  async insertUnlessLive(row: NewIntent, tx: Tx = this.prisma): Promise<Intent | null> {
    const created = await tx.$queryRaw<Intent[]>(Prisma.sql`
      INSERT INTO callback_intent (id, client, account, phone_number, due_at, asap, requested_at, schedule, timezone, notes, routing, metadata)
      VALUES (${row.id}::uuid, ${row.client}, ${row.account}, ${row.phoneNumber}, ${row.dueAt}::timestamptz, ${row.asap},
              ${row.requestedAt ?? null}::timestamptz, ${json(row.schedule)}::jsonb, ${row.timezone}, ${row.notes},
              ${json(row.routing)}::jsonb, ${json(row.metadata)}::jsonb)
      ON CONFLICT DO NOTHING
      RETURNING ${COLS}`);
    return created[0] ?? null;
  }

  findLiveByPhone(account: string, phoneNumber: string, tx: Tx = this.prisma): Promise<Intent | null> {
    return tx.callbackIntent.findFirst({ where: { account, phoneNumber, status: { in: LIVE } } });
  }

  async findById(id: string): Promise<Intent | null> {
    const rows = await this.prisma.$queryRaw<Intent[]>(Prisma.sql`SELECT ${COLS} FROM callback_intent WHERE id = ${id}::uuid`);
    return rows[0] ?? null;
  }

  findByIdForClient(id: string, client: string): Promise<Intent | null> {
    return this.prisma.callbackIntent.findFirst({ where: { id, client } });
  }

  list(f: IntentListFilter): Promise<Intent[]> {
    const where: Prisma.CallbackIntentWhereInput = { client: f.client };
    if (f.status?.length) where.status = { in: f.status };
    if (f.account) where.account = f.account;
    if (f.phoneNumber) where.phoneNumber = f.phoneNumber;
    if (f.dueFrom || f.dueTo) where.dueAt = { ...(f.dueFrom && { gte: f.dueFrom }), ...(f.dueTo && { lt: f.dueTo }) };
    if (f.after) {
      where.OR = [{ createdAt: { lt: f.after.createdAt } }, { createdAt: f.after.createdAt, id: { lt: f.after.id } }];
    }
    return this.prisma.callbackIntent.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: f.limit });
  }

  /** Moves a scheduled intent to a new time (and other fields). Null when it is no longer scheduled. */
  async reschedule(id: string, change: ScheduleChange, tx: Tx = this.prisma): Promise<Intent | null> {
    const data: Prisma.CallbackIntentUpdateManyMutationInput = {
      dueAt: change.dueAt,
      asap: change.asap,
      version: { increment: 1 },
      lastError: null,
    };
    if (change.timezone !== undefined) data.timezone = change.timezone;
    if (change.notes !== undefined) data.notes = change.notes;
    if (change.routing !== undefined) data.routing = change.routing as Prisma.InputJsonValue;
    if (change.metadata !== undefined) data.metadata = change.metadata as Prisma.InputJsonValue;
    if (change.requestedAt !== undefined) data.requestedAt = change.requestedAt;
    if (change.schedule !== undefined) data.schedule = change.schedule as Prisma.InputJsonValue;
    return this.guardedUpdate(id, ['scheduled'], data, tx);
  }

  /** Updates the time of an intent already handed to a vendor that schedules natively. */
  rescheduleDispatched(id: string, dueAt: Date, timezone: string | null | undefined, version: number, requested?: { requestedAt: Date; schedule: object }): Promise<Intent | null> {
    const data: Prisma.CallbackIntentUpdateManyMutationInput = { dueAt, asap: false, version: { increment: 1 } };
    if (timezone !== undefined) data.timezone = timezone;
    if (requested) Object.assign(data, { requestedAt: requested.requestedAt, schedule: requested.schedule as Prisma.InputJsonValue });
    return this.guardedUpdate(id, ['dispatched'], data, this.prisma, version);
  }

  /** The worker found the intent outside its allowed time: move it to the next opening, keeping requestedAt. */
  deferScheduled(id: string, version: number, dueAt: Date, schedule: object): Promise<Intent | null> {
    return this.guardedUpdate(id, ['scheduled'], { dueAt, asap: false, schedule: schedule as Prisma.InputJsonValue, version: { increment: 1 } }, this.prisma, version);
  }

  /**
   * When calls to this number on this account started since `since`: attempts that may have rung
   * (succeeded, unknown, or still open); vendor refusals and retryable errors did not.
   */
  async recentCallTimes(account: string, phoneNumber: string, since: Date): Promise<Date[]> {
    const rows = await this.prisma.dispatchAttempt.findMany({
      where: { startedAt: { gt: since }, OR: [{ outcome: null }, { outcome: { in: ['succeeded', 'unknown'] } }], intent: { account, phoneNumber } },
      select: { startedAt: true },
    });
    return rows.map((r) => r.startedAt);
  }

  cancel(id: string, from: IntentStatus[] = ['scheduled'], version?: number, tx: Tx = this.prisma): Promise<Intent | null> {
    return this.guardedUpdate(id, from, { status: 'cancelled', version: { increment: 1 } }, tx, version);
  }

  /**
   * Claims and opens an attempt in one statement: scheduled → dispatching at the
   * version the worker read, counting the attempt, and the attempt row opened (numbered
   * after the intent's previous ones). Null, and no attempt, when anything changed first.
   */
  async claimAndStartAttempt(id: string, version: number, now: Date): Promise<Claim | null> {
    const attemptId = randomUUID();
    const rows = await this.prisma.$queryRaw<(Intent & { attemptNumber: number })[]>(Prisma.sql`
      WITH c AS (
        UPDATE callback_intent
           SET status = 'dispatching', claimed_at = ${now}::timestamptz, attempt_count = attempt_count + 1,
               version = version + 1, updated_at = ${now}::timestamptz
         WHERE id = ${id}::uuid AND status = 'scheduled' AND version = ${version}
        RETURNING ${COLS}),
      a AS (
        INSERT INTO dispatch_attempt (id, intent_id, number, started_at)
        SELECT ${attemptId}::uuid, c.id::uuid,
               COALESCE((SELECT max(number) FROM dispatch_attempt WHERE intent_id = ${id}::uuid), 0) + 1, ${now}::timestamptz
          FROM c
        RETURNING number)
      SELECT c.*, a.number AS "attemptNumber" FROM c, a`);
    const r = rows[0];
    if (!r) return null;
    const { attemptNumber, ...intent } = r;
    return { intent, attempt: { id: attemptId, number: attemptNumber, startedAt: now } };
  }

  /**
   * The success: dispatching → dispatched with the vendor's reference, and the attempt
   * closed as succeeded, in one statement, so it is atomic without a transaction. Null when the intent was no longer dispatching.
   */
  async recordDispatched(id: string, attemptId: string, vendorRef: string, r: AttemptEnd, tx: Tx = this.prisma): Promise<Intent | null> {
    const rows = await tx.$queryRaw<Intent[]>(Prisma.sql`
      WITH d AS (
        UPDATE callback_intent
           SET status = 'dispatched', vendor_ref = ${vendorRef}, claimed_at = NULL, last_error = NULL,
               version = version + 1, updated_at = ${r.endedAt}::timestamptz
         WHERE id = ${id}::uuid AND status = 'dispatching'
        RETURNING ${COLS}),
      a AS (
        UPDATE dispatch_attempt
           SET ended_at = ${r.endedAt}::timestamptz, outcome = 'succeeded', http_status = ${r.httpStatus ?? null}::int,
               error_code = ${r.errorCode ?? null}, error_message = ${r.errorMessage ?? null}, duration_ms = ${r.durationMs}::int
         WHERE id = ${attemptId}::uuid
        RETURNING id)
      SELECT d.* FROM d LEFT JOIN a ON true`);
    return rows[0] ?? null;
  }

  /** dispatching → scheduled, for a retry. `spent` false gives the attempt back (rate-limit waits). */
  releaseClaim(id: string, lastError: string | null, spent: boolean, tx: Tx = this.prisma): Promise<Intent | null> {
    return this.guardedUpdate(id, ['dispatching'], {
      status: 'scheduled',
      claimedAt: null,
      lastError,
      ...(spent ? {} : { attemptCount: { decrement: 1 } }),
      version: { increment: 1 },
    }, tx);
  }

  markFailed(id: string, reason: string, from: IntentStatus[] = ['dispatching'], to: 'failed' | 'expired' = 'failed', tx: Tx = this.prisma): Promise<Intent | null> {
    return this.guardedUpdate(id, from, { status: to, lastError: reason, claimedAt: null, version: { increment: 1 } }, tx);
  }

  /** Live-window scan for the reconciler: scheduled intents due before `until`, oldest first. */
  findScheduledDueBefore(until: Date, limit: number, afterId?: { dueAt: Date; id: string }): Promise<Intent[]> {
    const where: Prisma.CallbackIntentWhereInput = { status: 'scheduled', dueAt: { lt: until } };
    if (afterId) where.OR = [{ dueAt: { gt: afterId.dueAt } }, { dueAt: afterId.dueAt, id: { gt: afterId.id } }];
    return this.prisma.callbackIntent.findMany({ where, orderBy: [{ dueAt: 'asc' }, { id: 'asc' }], take: limit });
  }

  findStaleClaims(claimedBefore: Date, limit: number): Promise<Intent[]> {
    return this.prisma.callbackIntent.findMany({ where: { status: 'dispatching', claimedAt: { lt: claimedBefore } }, take: limit });
  }

  // ---- attempts ------------------------------------------------------------

  finishAttempt(attemptId: string, r: AttemptEnd & { outcome: AttemptOutcome }): Promise<Attempt> {
    return this.prisma.dispatchAttempt.update({ where: { id: attemptId }, data: r });
  }

  /** Attempts left open by a worker that died: their outcome is unknown. */
  closeOpenAttempts(intentId: string, endedAt: Date, message: string): Promise<Prisma.BatchPayload> {
    return this.prisma.dispatchAttempt.updateMany({
      where: { intentId, endedAt: null },
      data: { endedAt, outcome: 'unknown', errorCode: 'worker_lost', errorMessage: message },
    });
  }

  listAttempts(intentId: string): Promise<Attempt[]> {
    return this.prisma.dispatchAttempt.findMany({ where: { intentId }, orderBy: { number: 'asc' } });
  }

  /** The client outside any transaction, for an update that is atomic by itself. */
  get db(): Tx {
    return this.prisma;
  }

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(fn);
  }

  private async guardedUpdate(
    id: string,
    from: IntentStatus[],
    data: Prisma.CallbackIntentUpdateManyMutationInput,
    tx: Tx = this.prisma,
    version?: number,
  ): Promise<Intent | null> {
    const rows = await tx.callbackIntent.updateManyAndReturn({
      where: { id, status: { in: from }, ...(version !== undefined && { version }) },
      data: { ...data, updatedAt: new Date() },
    });
    return rows[0] ?? null;
  }
}
