/**
 * Lifecycle rules for callback intents. Everything a request could get wrong
 * is checked before the first write, so bad input leaves nothing behind.
 * Postgres commits first; BullMQ follows (DispatchScheduler), and the
 * reconciler repairs Redis if that second step fails.
 */
import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { Account, AccountsRegistry } from '../config/accounts';
import { APP_CONFIG, AppConfig } from '../config/config';
import { Clock } from '../common/clock';
import { ConcurrentChange, DomainError, DuplicateLiveCallback, FieldProblem, IdempotencyKeyReused, InvalidTransition, NotFound, ValidationFailed, VendorRefused, VendorUnavailable } from '../common/errors';
import { parseIsoInstant } from '../common/time';
import { DispatchScheduler } from '../dispatch/dispatch.scheduler';
import { VendorRegistry } from '../vendors/vendor.registry';
import { VendorOutcomeUnknownError, VendorRateLimitedError, VendorRetryableError } from '../vendors/vendor.errors';
import { CallbacksRepository, Intent, NewIntent, Tx } from './callbacks.repository';
import { ScheduleService } from '../schedule/schedule.service';
import type { Requested, Resolution } from '../schedule/schedule-resolver';
import { CallbackPage, CallbackView, toAttemptView, toView, AttemptView } from './dto/callback.view';
import { CreateCallbackDto } from './dto/create-callback.dto';
import { ListCallbacksQuery } from './dto/list-callbacks.query';
import { UpdateCallbackDto } from './dto/update-callback.dto';
import { IdempotencyRepository } from './idempotency.repository';
import { Metrics } from '../ops/metrics';
import { StatusEvents } from '../webhooks/status-events';

export interface CreateOutcome {
  status: 200 | 201;
  body: CallbackView;
  /** The response is a replay of an earlier request with the same Idempotency-Key. */
  replayed: boolean;
}

type Resolved = Extract<Resolution, { ok: true }>;

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

@Injectable()
export class CallbacksService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly accounts: AccountsRegistry,
    private readonly vendors: VendorRegistry,
    private readonly repo: CallbacksRepository,
    private readonly idempotency: IdempotencyRepository,
    private readonly scheduler: DispatchScheduler,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly schedule: ScheduleService,
    private readonly events: StatusEvents,
  ) {}

  async create(client: string, dto: CreateCallbackDto, idempotencyKey?: string): Promise<CreateOutcome> {
    try {
      const out = await this.createInner(client, dto, idempotencyKey);
      this.metrics.intentsCreated.inc({ account: dto.account, outcome: out.replayed ? 'idempotent_replay' : out.status === 201 ? 'created' : 'duplicate' });
      return out;
    } catch (err) {
      const known = this.accounts.get(dto.account) ? dto.account : 'unknown';
      this.metrics.intentsCreated.inc({ account: known, outcome: err instanceof DuplicateLiveCallback ? 'duplicate' : 'rejected' });
      throw err;
    }
  }

  /**
   * Everything create checks before its first write, shared with the dry run
   * (POST /v1/callbacks/validate): account, routing, Idempotency-Key, and the
   * effective time (calling window, business hours, DST). Throws the error create would answer.
   */
  async prepare(client: string, dto: CreateCallbackDto, idempotencyKey?: string): Promise<{ account: Account; row: NewIntent; resolution: Resolved }> {
    const account = this.accountFor(client, dto.account);
    const problems = [...this.vendors.forAccount(account).validateRouting(dto.routing ?? {}, account)];
    const resolution = await this.schedule.resolve({
      account,
      phoneNumber: dto.phoneNumber,
      timezone: dto.timezone,
      requested: dto.scheduledAt === undefined ? { kind: 'asap' } : { kind: 'raw', value: dto.scheduledAt },
      outsideWindow: dto.outsideWindow ?? 'defer',
    });
    if (!resolution.ok && resolution.error instanceof ValidationFailed) problems.push(...resolution.error.details);
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      problems.push({ field: 'Idempotency-Key', message: 'must be 1–255 visible ASCII characters' });
    }
    if (problems.length) throw new ValidationFailed(problems);
    if (!resolution.ok) throw resolution.error;

    const row: NewIntent = {
      id: randomUUID(),
      client,
      account: account.id,
      phoneNumber: dto.phoneNumber,
      dueAt: resolution.effectiveAt,
      asap: resolution.asap,
      requestedAt: resolution.requestedAt,
      schedule: resolution.schedule,
      timezone: dto.timezone ?? null,
      notes: dto.notes ?? null,
      routing: dto.routing ?? {},
      metadata: dto.metadata ?? {},
    };
    return { account, row, resolution };
  }

  private async createInner(client: string, dto: CreateCallbackDto, idempotencyKey?: string): Promise<CreateOutcome> {
    const { row } = await this.prepare(client, dto, idempotencyKey);
    const mode = dto.onDuplicate ?? 'reject';

    // Without an Idempotency-Key the insert is one statement and needs no transaction (each
    // duplicate round below is a single guarded statement too): one round trip, not three.
    const outcome =
      idempotencyKey === undefined
        ? await this.insertOrResolveDuplicate(this.repo.db, row, mode)
        : await this.repo.transaction(async (tx) => {
            const hash = createHash('sha256').update(canonicalJson(dto)).digest('hex');
            const now = this.clock.now();
            const expires = new Date(now.getTime() + this.config.idempotencyTtlHours * 3_600_000);
            if (!(await this.idempotency.reserve(tx, client, idempotencyKey, hash, now, expires))) {
              const stored = (await this.idempotency.find(tx, client, idempotencyKey))!;
              if (stored.requestHash !== hash) throw new IdempotencyKeyReused();
              return { status: stored.status as 200 | 201, body: stored.body as CallbackView, replayed: true, changed: null };
            }
            const result = await this.insertOrResolveDuplicate(tx, row, mode);
            await this.idempotency.complete(tx, client, idempotencyKey, result.status, result.body);
            return result;
          });

    if (outcome.changed === 'created') await this.scheduler.schedule(outcome.intent!);
    if (outcome.changed === 'rescheduled') await this.scheduler.reschedule(outcome.intent!);
    return { status: outcome.status, body: outcome.body, replayed: outcome.replayed };
  }

  private async insertOrResolveDuplicate(tx: Tx, row: NewIntent, mode: string) {
    // Two rounds: the live intent we collide with may end between our insert and our read.
    for (let round = 0; round < 2; round++) {
      const created = await this.repo.insertUnlessLive(row, tx);
      if (created) return { status: 201 as const, body: toView(created), replayed: false, changed: 'created' as const, intent: created };
      const live = await this.repo.findLiveByPhone(row.account, row.phoneNumber, tx);
      if (!live) continue;
      // Another client's live callback: still one call per number, but its id and body stay private.
      if (live.client !== row.client) throw DuplicateLiveCallback.ofOtherClient();
      if (mode === 'return_existing') return { status: 200 as const, body: toView(live), replayed: false, changed: null, intent: live };
      if (mode === 'replace') {
        if (live.status !== 'scheduled') throw new InvalidTransition(live.status, 'replace');
        const updated = await this.repo.reschedule(
          live.id,
          { dueAt: row.dueAt, asap: row.asap, requestedAt: row.requestedAt, schedule: row.schedule, timezone: row.timezone, notes: row.notes, routing: row.routing, metadata: row.metadata },
          tx,
        );
        if (!updated) throw new InvalidTransition('dispatching', 'replace');
        return { status: 200 as const, body: toView(updated), replayed: false, changed: 'rescheduled' as const, intent: updated };
      }
      throw new DuplicateLiveCallback(live.id);
    }
    throw new ConcurrentChange();
  }

  async get(client: string, id: string): Promise<CallbackView> {
    return toView(await this.load(client, id));
  }

  async list(client: string, q: ListCallbacksQuery): Promise<CallbackPage> {
    const limit = q.limit ?? 50;
    const rows = await this.repo.list({
      client,
      status: q.status?.split(',') as Intent['status'][] | undefined,
      account: q.account,
      phoneNumber: q.phoneNumber,
      dueFrom: q.dueFrom ? parseIsoInstant(q.dueFrom)! : undefined,
      dueTo: q.dueTo ? parseIsoInstant(q.dueTo)! : undefined,
      after: q.cursor ? decodeCursor(q.cursor) : undefined,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toView), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  }

  async update(client: string, id: string, dto: UpdateCallbackDto): Promise<CallbackView> {
    if (dto.scheduledAt === undefined && dto.timezone === undefined && dto.notes === undefined) {
      throw new ValidationFailed([{ field: 'body', message: 'give at least one of scheduledAt, timezone, notes' }]);
    }
    const intent = await this.load(client, id);
    const due = dto.scheduledAt !== undefined || dto.timezone !== undefined ? await this.reresolve(intent, dto) : null;

    if (intent.status === 'dispatched' && dto.scheduledAt !== undefined) return this.updateAtVendor(intent, due!, dto.timezone);
    if (intent.status !== 'scheduled') throw new InvalidTransition(intent.status, 'update');
    const updated = await this.repo.reschedule(intent.id, {
      dueAt: due?.effectiveAt ?? intent.dueAt,
      asap: due ? due.asap : intent.asap,
      ...(due && { requestedAt: due.requestedAt, schedule: due.schedule }),
      timezone: dto.timezone,
      notes: dto.notes,
    });
    if (!updated) throw new InvalidTransition((await this.load(client, id)).status, 'update');
    if (due) await this.scheduler.reschedule(updated);
    return toView(updated);
  }

  /** PATCH goes through the same resolver: a new time, or the old requested time under a new zone. */
  private async reresolve(intent: Intent, dto: UpdateCallbackDto): Promise<Resolved> {
    const now = this.clock.now();
    const before = intent.requestedAt ?? intent.dueAt;
    const requested: Requested =
      dto.scheduledAt !== undefined ? { kind: 'raw', value: dto.scheduledAt } : intent.asap ? { kind: 'asap' } : { kind: 'instant', at: before > now ? before : now };
    const r = await this.schedule.resolve({
      account: this.accounts.get(intent.account)!,
      phoneNumber: intent.phoneNumber,
      timezone: dto.timezone !== undefined ? dto.timezone : intent.timezone,
      requested,
      outsideWindow: dto.outsideWindow ?? 'defer',
    });
    if (!r.ok) throw r.error;
    return r;
  }

  async cancel(client: string, id: string): Promise<CallbackView> {
    const intent = await this.load(client, id);
    if (intent.status === 'dispatched') return this.cancelAtVendor(intent);
    if (intent.status !== 'scheduled') throw new InvalidTransition(intent.status, 'cancel');
    const cancelled = await this.events.change('cancelled', (tx) => this.repo.cancel(intent.id, ['scheduled'], undefined, tx));
    if (!cancelled) throw new InvalidTransition((await this.load(client, id)).status, 'cancel');
    await this.scheduler.unschedule(cancelled);
    return toView(cancelled);
  }

  async attempts(client: string, id: string): Promise<AttemptView[]> {
    const intent = await this.load(client, id);
    return (await this.repo.listAttempts(intent.id)).map(toAttemptView);
  }

  // ---- helpers ---------------------------------------------------------------

  private async updateAtVendor(intent: Intent, due: Resolved, timezone: string | null | undefined): Promise<CallbackView> {
    const dueAt = due.effectiveAt;
    const account = this.accounts.get(intent.account)!;
    const adapter = this.vendors.forAccount(account);
    if (!adapter.capabilities.canUpdate || !intent.vendorRef) throw new InvalidTransition(intent.status, 'reschedule');
    try {
      await adapter.update(account, { vendorRef: intent.vendorRef, dueAt, timezone: timezone === undefined ? intent.timezone : timezone });
    } catch (err) {
      throw vendorRefusal(err, 'reschedule');
    }
    const updated = await this.repo.rescheduleDispatched(intent.id, dueAt, timezone, intent.version, { requestedAt: due.requestedAt, schedule: due.schedule });
    if (!updated) throw new InvalidTransition((await this.repo.findById(intent.id))?.status ?? 'unknown', 'reschedule');
    return toView(updated);
  }

  private async cancelAtVendor(intent: Intent): Promise<CallbackView> {
    const account = this.accounts.get(intent.account)!;
    const adapter = this.vendors.forAccount(account);
    if (!adapter.capabilities.canCancel || !intent.vendorRef) throw new InvalidTransition(intent.status, 'cancel');
    try {
      await adapter.cancel(account, intent.vendorRef);
    } catch (err) {
      throw vendorRefusal(err, 'cancel');
    }
    const cancelled = await this.events.change('cancelled', (tx) => this.repo.cancel(intent.id, ['dispatched'], intent.version, tx));
    if (!cancelled) throw new InvalidTransition((await this.repo.findById(intent.id))?.status ?? 'unknown', 'cancel');
    return toView(cancelled);
  }

  private async load(client: string, id: string): Promise<Intent> {
    const intent = UUID.test(id) ? await this.repo.findByIdForClient(id, client) : null;
    if (!intent) throw new NotFound('Callback', id);
    return intent;
  }

  private accountFor(client: string, id: string): Account {
    const account = this.accounts.get(id);
    if (!account || (account.allowedClients && !account.allowedClients.includes(client))) {
      throw new ValidationFailed([{ field: 'account', message: `unknown account "${id}"` }]);
    }
    return account;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function vendorRefusal(err: unknown, action: string): DomainError {
  const msg = err instanceof Error ? err.message : String(err);
  if (err instanceof VendorOutcomeUnknownError || err instanceof VendorRetryableError || err instanceof VendorRateLimitedError) {
    return new VendorUnavailable(`The vendor did not confirm the ${action}; our record is unchanged, and the vendor may or may not have applied it. Retry: ${msg}`);
  }
  const details = (err as { details?: FieldProblem[] })?.details;
  return new VendorRefused(`The vendor refused to ${action} the callback; nothing was changed: ${msg}`, Array.isArray(details) ? details : []);
}

/** JSON with sorted keys, so the same body in another key order hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function encodeCursor(i: Pick<Intent, 'createdAt' | 'id'>): string {
  return Buffer.from(`${i.createdAt.toISOString()}|${i.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [ts, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const createdAt = new Date(ts);
  if (!id || !UUID.test(id) || Number.isNaN(createdAt.getTime())) throw new ValidationFailed([{ field: 'cursor', message: 'is not a cursor from this API' }]);
  return { createdAt, id };
}
