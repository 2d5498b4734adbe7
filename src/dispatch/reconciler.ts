/**
 * Postgres is the truth, Redis an accelerator. Every RECONCILE_INTERVAL_MS one
 * worker (a Redis lock elects it) repairs the difference:
 *   - a scheduled intent due within RECONCILE_LOOKAHEAD_MS whose job is missing
 *     (Redis restarted empty, enqueue failed after commit) or finished is enqueued;
 *   - a dispatching intent claimed longer ago than STALE_CLAIM_MS (its worker
 *     died) has its open attempt closed as unknown and goes back to scheduled,
 *     or to failed where the account's unknown-outcome policy is `fail`;
 *   - expired Idempotency-Key records are purged.
 * The scan reads only intents due soon, through the (status, due_at) index.
 */
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AccountsRegistry } from '../config/accounts';
import { APP_CONFIG, AppConfig } from '../config/config';
import { Clock } from '../common/clock';
import { CallbacksRepository } from '../callbacks/callbacks.repository';
import { IdempotencyRepository } from '../callbacks/idempotency.repository';
import { VendorRegistry } from '../vendors/vendor.registry';
import { DispatchQueues } from './dispatch-queues';
import { DispatchScheduler } from './dispatch.scheduler';
import { jobId } from './queues';
import { Metrics } from '../ops/metrics';
import { Periodic } from '../common/periodic';
import { StatusEvents } from '../webhooks/status-events';

const BATCH = 500;

export interface ReconcileReport {
  enqueued: number;
  recovered: number;
  failed: number;
  purged: number;
}

@Injectable()
export class Reconciler implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(Reconciler.name);
  private readonly periodic = new Periodic(
    () => this.runLocked(),
    (err) => this.logger.error({ err: err.message }, 'reconciler pass failed'),
  );
  private readonly owner = randomUUID();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly accounts: AccountsRegistry,
    private readonly vendors: VendorRegistry,
    private readonly queues: DispatchQueues,
    private readonly scheduler: DispatchScheduler,
    private readonly repo: CallbacksRepository,
    private readonly idempotency: IdempotencyRepository,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
    private readonly events: StatusEvents,
  ) {}

  onModuleInit(): void {
    this.periodic.start(this.config.reconcileIntervalMs);
  }

  /** Before the connections close (onApplicationShutdown): a running pass finishes first. */
  async onModuleDestroy(): Promise<void> {
    await this.periodic.stop();
  }

  /** One pass, if this process holds the lock. Null when another worker does. */
  async runLocked(): Promise<ReconcileReport | null> {
    const key = `${this.config.queuePrefix}:reconciler:lock`;
    try {
      const ok = await this.queues.connection.set(key, this.owner, 'PX', Math.max(this.config.reconcileIntervalMs * 2, 10_000), 'NX');
      if (ok !== 'OK') return null;
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'reconciler: redis unavailable; will try again');
      return null;
    }
    try {
      return await this.runOnce();
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, 'reconciler pass failed');
      return null;
    } finally {
      // Release only our own lock.
      await this.queues.connection
        .eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0", 1, key, this.owner)
        .catch(() => undefined);
    }
  }

  async runOnce(): Promise<ReconcileReport> {
    const report: ReconcileReport = { enqueued: 0, recovered: 0, failed: 0, purged: 0 };
    const now = this.clock.now();
    await this.recoverStaleClaims(now, report);
    await this.enqueueMissing(now, report);
    report.purged = await this.idempotency.purgeExpired(now);
    this.metrics.reconcilerRepairs.inc({ kind: 'enqueued' }, report.enqueued);
    this.metrics.reconcilerRepairs.inc({ kind: 'recovered' }, report.recovered);
    this.metrics.reconcilerRepairs.inc({ kind: 'failed' }, report.failed);
    if (report.enqueued || report.recovered || report.failed) this.logger.log(report, 'reconciler repaired');
    return report;
  }

  private async recoverStaleClaims(now: Date, report: ReconcileReport): Promise<void> {
    const stale = await this.repo.findStaleClaims(new Date(now.getTime() - this.config.staleClaimMs), BATCH);
    for (const intent of stale) {
      const account = this.accounts.get(intent.account);
      if (!account) continue;
      await this.repo.closeOpenAttempts(intent.id, now, 'the worker holding this dispatch stopped before recording its outcome');
      const canAsk = this.vendors.forAccount(account).capabilities.canLookup;
      if (!canAsk && account.unknownOutcomePolicy === 'fail') {
        const reason = 'outcome unknown (worker lost mid-dispatch) and the account policy is fail';
        if (await this.events.change('failed', (tx) => this.repo.markFailed(intent.id, reason, ['dispatching'], 'failed', tx))) report.failed++;
        continue;
      }
      const back = await this.events.change('unknown', (tx) => this.repo.releaseClaim(intent.id, 'unknown: worker lost mid-dispatch', true, tx));
      if (back) {
        report.recovered++;
        // The old job may still exist in a finished or stalled state: replace it.
        await this.scheduler.reschedule(back);
      }
    }
  }

  private async enqueueMissing(now: Date, report: ReconcileReport): Promise<void> {
    const until = new Date(now.getTime() + this.config.reconcileLookaheadMs);
    let after: { dueAt: Date; id: string } | undefined;
    for (;;) {
      const batch = await this.repo.findScheduledDueBefore(until, BATCH, after);
      if (!batch.length) break;
      for (const intent of batch) {
        if (!this.accounts.get(intent.account)) continue;
        const job = await this.queues.forAccount(intent.account).getJob(jobId(intent.id));
        const state = job ? await job.getState() : 'missing';
        // A missing job is added; a finished one (its id still taken) is replaced.
        if (state === 'missing' ? await this.scheduler.schedule(intent) : ['completed', 'failed', 'unknown'].includes(state) && (await this.scheduler.reschedule(intent))) {
          report.enqueued++;
        }
      }
      const last = batch[batch.length - 1];
      after = { dueAt: last.dueAt, id: last.id };
      if (batch.length < BATCH) break;
    }
  }
}
