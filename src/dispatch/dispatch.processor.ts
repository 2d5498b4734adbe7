/**
 * The worker: one BullMQ Worker per account queue. For each due job it
 *   1. reads the intent (Postgres is the truth; a stale or early job is set right),
 *   2. takes a slot from the account's rolling-window limiter (or waits, unspent),
 *   3. claims the intent (scheduled → dispatching, guarded by version),
 *   4. calls the vendor adapter and records a DispatchAttempt,
 *   5. ends dispatched, or classifies the error: permanent → failed; retryable →
 *      back to scheduled and BullMQ retries with jittered backoff; rate limited
 *      → the queue waits Retry-After and the attempt is given back; unknown →
 *      asks the vendor where it can, else the account's policy (resend | fail).
 */
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DelayedError, Job, UnrecoverableError, Worker } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { Account, AccountsRegistry } from '../config/accounts';
import { APP_CONFIG, AppConfig } from '../config/config';
import { Clock } from '../common/clock';
import { maskPhonesInText } from '../common/phone';
import { AttemptEnd, CallbacksRepository, Claim, Intent } from '../callbacks/callbacks.repository';
import { VendorRegistry } from '../vendors/vendor.registry';
import { DispatchResult, VendorAdapter } from '../vendors/vendor-adapter';
import {
  VendorError,
  VendorOutcomeUnknownError,
  VendorPermanentError,
  VendorRateLimitedError,
} from '../vendors/vendor.errors';
import { DispatchQueues } from './dispatch-queues';
import { recordDelivered } from './record-delivered';
import { closeWorkersWithin } from './worker-shutdown';
import { BACKOFF_TYPE, DispatchJobData, backoffDelay, dispatchAt, queueName } from './queues';
import { RollingWindowLimiter } from './rate-limiter';
import { DispatchWindowGuard } from './dispatch-window';
import { Metrics } from '../ops/metrics';
import { StatusEvents } from '../webhooks/status-events';

/** A job that fires this much before its time is early and is put back. */
const EARLY_TOLERANCE_MS = 25;

@Injectable()
export class DispatchProcessor implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(DispatchProcessor.name);
  private readonly workers = new Map<string, Worker<DispatchJobData>>();
  private limiter!: RollingWindowLimiter;
  /** Set on shutdown: a job fetched but not yet claimed is put back, not started. */
  private stopping = false;
  private active = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly accounts: AccountsRegistry,
    private readonly vendors: VendorRegistry,
    private readonly queues: DispatchQueues,
    private readonly repo: CallbacksRepository,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly windows: DispatchWindowGuard,
    private readonly events: StatusEvents,
  ) {}

  onModuleInit(): void {
    this.limiter = new RollingWindowLimiter(this.queues.connection, this.config.queuePrefix);
    for (const account of this.accounts.all) this.startWorker(account);
  }

  private startWorker(account: Account): void {
    const worker: Worker<DispatchJobData> = new Worker<DispatchJobData>(queueName(account.id), (job, token) => this.track(this.process(worker, account, job, token)), {
      connection: this.queues.workerConnectionOptions(),
      prefix: this.config.queuePrefix,
      concurrency: this.config.workerConcurrency,
      // Not a limit: BullMQ honours worker.rateLimit() pauses across workers only when a limiter is set.
      // The real limit is the rolling window in rate-limiter.ts.
      limiter: { max: Number.MAX_SAFE_INTEGER, duration: 1000 },
      settings: { backoffStrategy: (attemptsMade, type) => (type === BACKOFF_TYPE ? backoffDelay(attemptsMade, account) : 1000) },
    });
    worker.on('error', (err) => this.logger.warn({ account: account.id, err: err.message }, 'worker error'));
    this.workers.set(account.id, worker);
  }

  /** The workers, for health checks and tests. */
  allWorkers(): Worker<DispatchJobData>[] {
    return [...this.workers.values()];
  }

  private async track<T>(p: Promise<T>): Promise<T> {
    this.active++;
    try {
      return await p;
    } finally {
      this.active--;
    }
  }

  async process(worker: Worker<DispatchJobData>, account: Account, job: Job<DispatchJobData>, token?: string): Promise<string> {
    const adapter = this.vendors.forAccount(account);
    const intent = await this.repo.findById(job.data.intentId);
    if (!intent) return 'skipped: intent not found';
    if (intent.status !== 'scheduled') return `skipped: intent is ${intent.status}`;

    // Postgres decides the time: a job that fires before it (a reschedule that Redis missed) goes back.
    const runAt = dispatchAt(intent.dueAt, adapter.handOverAheadFor(account));
    if (runAt - this.clock.now().getTime() > EARLY_TOLERANCE_MS) {
      await job.moveToDelayed(runAt, token);
      throw new DelayedError();
    }
    if (this.stopping) {
      // Fetched as SIGTERM arrived: hand it back for another worker rather than start a dispatch now.
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
    // Too late to be useful: a callback hours after it was asked for is not what the caller wanted.
    if (this.clock.now().getTime() - intent.dueAt.getTime() > account.retry.maxAgeMs) {
      const reason = `expired: not dispatched within ${account.retry.maxAgeMs} ms of its due time${intent.lastError ? `; last error: ${intent.lastError}` : ''}`;
      await this.events.change('expired', (tx) => this.repo.markFailed(intent.id, maskPhonesInText(reason), ['scheduled'], 'expired', tx));
      return 'expired';
    }

    // Never ring outside the calling window / business hours (a retry can land at 21:05 local): move, unspent.
    const window = await this.windows.check(account, intent);
    if (window.action === 'skip') return window.reason;
    if (window.action === 'delay') {
      await job.moveToDelayed(dispatchAt(window.dueAt, adapter.handOverAheadFor(account)), token);
      throw new DelayedError();
    }

    const slot = `${intent.id}:${randomUUID()}`;
    if (account.rateLimit) {
      const waitMs = await this.limiter.acquire(account.id, account.rateLimit, slot);
      if (waitMs > 0) {
        this.metrics.rateLimitWaits.inc({ account: account.id, source: 'limiter' });
        await worker.rateLimit(waitMs);
        throw Worker.RateLimitError();
      }
    }

    const claimed = await this.repo.claimAndStartAttempt(intent.id, intent.version, this.clock.now());
    if (!claimed) {
      if (account.rateLimit) await this.limiter.release(account.id, slot);
      const now = await this.repo.findById(intent.id);
      if (now?.status === 'scheduled') {
        // Changed between read and claim (a reschedule): follow the new time.
        await job.moveToDelayed(Math.max(Date.now(), dispatchAt(now.dueAt, adapter.handOverAheadFor(account))), token);
        throw new DelayedError();
      }
      return `skipped: intent is ${now?.status ?? 'gone'}`;
    }
    try {
      return await this.callVendor(worker, account, adapter, claimed, job);
    } finally {
      if (account.rateLimit) await this.limiter.settle(account.id, account.rateLimit, slot).catch(() => undefined);
    }
  }

  private async callVendor(worker: Worker<DispatchJobData>, account: Account, adapter: VendorAdapter, claim: Claim, job: Job<DispatchJobData>): Promise<string> {
    const { intent, attempt } = claim;
    const started = attempt.startedAt;
    const log = { intentId: intent.id, account: account.id, attempt: attempt.number };
    if (intent.attemptCount === 1) {
      const dueToStart = dispatchAt(intent.dueAt, adapter.handOverAheadFor(account));
      this.metrics.lateness.observe({ account: account.id }, Math.max(0, started.getTime() - dueToStart) / 1000);
    }
    const lateMs = started.getTime() - intent.dueAt.getTime();
    // Debug: one info line per dispatch (its outcome, below) is what operators read; the attempt row has the start.
    this.logger.debug({ ...log, lateMs }, 'dispatching');
    type Outcome = 'succeeded' | 'retryable' | 'permanent' | 'unknown';
    type Answer = { httpStatus?: number; code?: string; message?: string };
    const count = (outcome: Outcome, e?: Answer) => {
      this.metrics.attempts.inc({ account: account.id, vendor: account.vendor, outcome });
      if (e?.httpStatus) this.metrics.vendorResponses.inc({ account: account.id, vendor: account.vendor, status: String(e.httpStatus) });
    };
    // How the attempt ended, the same for every outcome: vendor messages are masked and bounded.
    const ending = (e?: Answer): AttemptEnd => {
      const endedAt = this.clock.now();
      return {
        endedAt,
        httpStatus: e?.httpStatus ?? null,
        errorCode: e?.code ?? null,
        errorMessage: e?.message ? maskPhonesInText(e.message).slice(0, 2000) : null,
        durationMs: endedAt.getTime() - started.getTime(),
      };
    };
    const finish = (outcome: Outcome, e?: Answer) => {
      count(outcome, e);
      return this.repo.finishAttempt(attempt.id, { ...ending(e), outcome });
    };

    let result: DispatchResult;
    try {
      result = await adapter.dispatch(account, {
        intentId: intent.id,
        phoneNumber: intent.phoneNumber,
        dueAt: intent.asap ? null : intent.dueAt,
        timezone: intent.timezone ?? account.defaultTimezone,
        notes: intent.notes,
        routing: intent.routing as Record<string, unknown>,
        attempt: intent.attemptCount,
        previousOutcomeUnknown: intent.lastError?.startsWith('unknown:') ?? false,
      });
    } catch (err) {
      return this.onFailure(worker, account, adapter, intent, job, err, finish, log);
    }
    // The vendor has it: record it, retrying Postgres, and never send it again from here.
    await recordDelivered(
      result.vendorRef,
      // One statement for the intent and its attempt; in one transaction with the `dispatched` event (webhook outbox) when anyone listens.
      () => {
        const end = ending({ httpStatus: result.httpStatus, message: result.note });
        return this.events.changeOne('dispatched', intent.client, (tx) => this.repo.recordDispatched(intent.id, attempt.id, result.vendorRef, end, tx));
      },
      {
        budgetMs: Math.min(this.config.staleClaimMs / 2, 60_000),
        onRetry: (n, err) => this.logger.warn({ ...log, vendorRef: result.vendorRef, retry: n, err: err.message }, 'delivered; recording it failed, retrying'),
      },
    );
    count('succeeded', { httpStatus: result.httpStatus });
    this.logger.log({ ...log, lateMs, vendorRef: result.vendorRef }, 'dispatched');
    return `dispatched: ${result.vendorRef}`;
  }

  private async onFailure(
    worker: Worker<DispatchJobData>,
    account: Account,
    adapter: VendorAdapter,
    intent: Intent,
    job: Job<DispatchJobData>,
    err: unknown,
    finish: (o: 'retryable' | 'permanent' | 'unknown', e: { httpStatus?: number; code?: string; message?: string }) => Promise<unknown>,
    log: Record<string, unknown>,
  ): Promise<never> {
    const ve = err instanceof VendorError ? err : null;
    const message = (err as Error)?.message ?? String(err);
    const info = { httpStatus: ve?.info.httpStatus, code: ve?.info.vendorCode ?? (err as Error)?.name, message };

    if (err instanceof VendorRateLimitedError) {
      await finish('retryable', { ...info, code: 'rate_limited' });
      await this.repo.releaseClaim(intent.id, `rate limited: ${message}`, false);
      this.metrics.rateLimitWaits.inc({ account: account.id, source: 'vendor' });
      this.logger.warn({ ...log, retryAfterMs: err.retryAfterMs }, 'vendor rate limited; the account queue waits');
      await worker.rateLimit(err.retryAfterMs);
      throw Worker.RateLimitError();
    }

    if (err instanceof VendorPermanentError) {
      await finish('permanent', info);
      await this.events.change('failed', (tx) => this.repo.markFailed(intent.id, maskPhonesInText(message), ['dispatching'], 'failed', tx));
      this.logger.warn({ ...log, err: maskPhonesInText(message) }, 'permanent failure');
      throw new UnrecoverableError(message);
    }

    const unknown = err instanceof VendorOutcomeUnknownError;
    await finish(unknown ? 'unknown' : 'retryable', info);
    if (unknown && !adapter.capabilities.canLookup && account.unknownOutcomePolicy === 'fail') {
      await this.events.change('failed', (tx) => this.repo.markFailed(intent.id, `outcome unknown and the account's policy is fail: ${message}`, ['dispatching'], 'failed', tx));
      throw new UnrecoverableError(message);
    }
    // Postgres counts attempts across job re-creations (the reconciler replaces lost jobs); BullMQ only within one job.
    const lastAttempt = intent.attemptCount >= account.retry.attempts || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const tooOld = this.clock.now().getTime() - intent.dueAt.getTime() > account.retry.maxAgeMs;
    if (lastAttempt || tooOld) {
      const reason = tooOld ? `expired: not dispatched within ${account.retry.maxAgeMs} ms of its due time; last error: ${message}` : `gave up after ${intent.attemptCount} attempts: ${message}`;
      const to = tooOld ? 'expired' : 'failed';
      await this.events.change(to, (tx) => this.repo.markFailed(intent.id, maskPhonesInText(reason), ['dispatching'], to, tx));
      this.logger.warn({ ...log, err: maskPhonesInText(message) }, tooOld ? 'expired' : 'attempts exhausted');
      throw new UnrecoverableError(reason);
    }
    const lastError = `${unknown ? 'unknown' : 'retryable'}: ${maskPhonesInText(message)}`;
    if (unknown) await this.events.change('unknown', (tx) => this.repo.releaseClaim(intent.id, lastError, true, tx));
    else await this.repo.releaseClaim(intent.id, lastError, true);
    this.logger.warn({ ...log, err: maskPhonesInText(message) }, 'retryable failure; will retry');
    throw err instanceof Error ? err : new Error(message);
  }

  /**
   * SIGTERM: stop taking jobs and let active dispatches finish within
   * SHUTDOWN_GRACE_MS. This runs in onModuleDestroy, before Postgres and Redis
   * are closed (onApplicationShutdown), so a finishing dispatch can still record
   * its outcome. A dispatch still running when the grace ends is abandoned: its
   * intent stays `dispatching` with an open attempt, and the reconciler recovers
   * it after STALE_CLAIM_MS (unknown outcome → resend or fail per account).
   */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    const how = await closeWorkersWithin([...this.workers.values()], this.config.shutdownGraceMs);
    if (how === 'grace') this.logger.warn({ active: this.active, graceMs: this.config.shutdownGraceMs }, 'grace period over: unfinished dispatches are left to the reconciler');
    else this.logger.log('workers closed; no dispatch left running');
  }
}
