/**
 * Worker role: delivers status webhooks from the `webhooks` queue.
 * Each try POSTs the stored event body with
 *   X-Event-Id, X-Event-Type, X-Event-Timestamp, X-Delivery-Attempt and
 *   X-Signature: t=<ts>,v1=<hex HMAC-SHA256(secret, ts + "." + body)>
 * A 2xx answer delivers it; anything else (or no answer in WEBHOOK_TIMEOUT_MS)
 * is retried with capped exponential backoff for WEBHOOK_ATTEMPTS tries, then
 * the delivery ends `failed`. At-least-once: receivers dedupe on X-Event-Id.
 *
 * The sweep (every RECONCILE_INTERVAL_MS) re-enqueues pending deliveries whose
 * job Redis lost (restart without AOF, enqueue failed after commit), and drops
 * finished events older than RETENTION_DAYS (their payload holds the callback).
 */
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Job, UnrecoverableError, Worker } from 'bullmq';
import { Agent, request } from 'undici';
import { APP_CONFIG, AppConfig } from '../config/config';
import { Clock } from '../common/clock';
import { Periodic } from '../common/periodic';
import { closeWorkersWithin } from '../dispatch/worker-shutdown';
import { DispatchQueues } from '../dispatch/dispatch-queues';
import { WEBHOOK_BACKOFF_TYPE, WEBHOOK_QUEUE, WebhookJobData, webhookBackoffDelay, webhookJobId } from '../dispatch/queues';
import { Metrics } from '../ops/metrics';
import { sign } from './signature';
import { publicOnlyLookup } from './url-guard';
import { WebhookScheduler } from './webhook.scheduler';
import { WebhooksRepository } from './webhooks.repository';

const SWEEP_BATCH = 500;

@Injectable()
export class WebhookProcessor implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(WebhookProcessor.name);
  private worker?: Worker<WebhookJobData>;
  private agent!: Agent;
  private readonly periodic = new Periodic(
    () => this.sweep(),
    (err) => this.logger.warn({ err: err.message }, 'webhook sweep failed'),
  );

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queues: DispatchQueues,
    private readonly repo: WebhooksRepository,
    private readonly scheduler: WebhookScheduler,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    const { webhooks } = this.config;
    this.agent = new Agent({
      headersTimeout: webhooks.timeoutMs,
      bodyTimeout: webhooks.timeoutMs,
      connect: { timeout: webhooks.timeoutMs, ...(webhooks.allowPrivateUrls ? {} : { lookup: publicOnlyLookup as never }) },
    });
    this.worker = new Worker<WebhookJobData>(WEBHOOK_QUEUE, (job) => this.deliver(job), {
      connection: this.queues.workerConnectionOptions(),
      prefix: this.config.queuePrefix,
      concurrency: this.config.workerConcurrency,
      settings: { backoffStrategy: (attemptsMade, type) => (type === WEBHOOK_BACKOFF_TYPE ? webhookBackoffDelay(attemptsMade, webhooks) : 1000) },
    });
    this.worker.on('error', (err) => this.logger.warn({ err: err.message }, 'webhook worker error'));
    this.periodic.start(this.config.reconcileIntervalMs);
  }

  async deliver(job: Job<WebhookJobData>): Promise<string> {
    const d = await this.repo.findDelivery(job.data.deliveryId);
    if (!d || d.status !== 'pending') return `skipped: delivery is ${d?.status ?? 'gone'}`;
    const body = JSON.stringify(d.event.payload);
    const ts = Math.floor(this.clock.now().getTime() / 1000);
    const attempt = d.attempts + 1;
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const log = { deliveryId: d.id, eventId: d.eventId, subscriptionId: d.subscriptionId, attempt };
    let status: number | null = null;
    try {
      const res = await request(d.subscription.url, {
        method: 'POST',
        dispatcher: this.agent,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'callback-orchestrator-webhooks/1',
          'x-event-id': d.eventId,
          'x-event-type': d.event.type,
          'x-event-timestamp': String(ts),
          'x-delivery-attempt': String(attempt),
          'x-signature': sign(d.subscription.secret, ts, body),
        },
        body,
      });
      status = res.statusCode;
      await res.body.dump().catch(() => undefined);
      if (status >= 200 && status < 300) {
        await this.repo.markDelivered(d.id, status, this.clock.now());
        this.metrics.webhookDeliveries.inc({ outcome: 'delivered' });
        return `delivered: ${status}`;
      }
      throw new Error(`receiver answered ${status}`);
    } catch (err) {
      const message = (err as Error).message;
      await this.repo.recordFailure(d.id, { httpStatus: status, error: message, final });
      this.metrics.webhookDeliveries.inc({ outcome: final ? 'failed' : 'retry' });
      this.logger.warn({ ...log, status, err: message }, final ? 'webhook delivery gave up' : 'webhook delivery failed; will retry');
      throw final ? new UnrecoverableError(message) : err;
    }
  }

  /** Re-enqueues pending deliveries whose job is missing or finished. Returns how many. */
  async sweep(): Promise<number> {
    let enqueued = 0;
    try {
      let after: { createdAt: Date; id: string } | undefined;
      for (;;) {
        const batch = await this.repo.findPending(SWEEP_BATCH, after);
        const missing: string[] = [];
        for (const d of batch) {
          const job = await this.queues.webhooks().getJob(webhookJobId(d.id));
          const state = job ? await job.getState() : 'missing';
          if (state === 'missing') missing.push(d.id);
          else if (['completed', 'failed', 'unknown'].includes(state)) {
            await job!.remove().catch(() => undefined);
            missing.push(d.id);
          }
        }
        if (missing.length && (await this.scheduler.enqueue(missing))) enqueued += missing.length;
        if (batch.length < SWEEP_BATCH) break;
        const last = batch[batch.length - 1];
        after = { createdAt: last.createdAt, id: last.id };
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'webhook sweep failed; will try again');
    }
    const { days } = this.config.retention;
    if (days > 0) {
      const cutoff = new Date(this.clock.now().getTime() - days * 86_400_000);
      await this.repo.purgeEventsBefore(cutoff).catch((err: Error) => this.logger.warn({ err: err.message }, 'webhook event purge failed'));
    }
    if (enqueued) {
      this.metrics.reconcilerRepairs.inc({ kind: 'webhook_enqueued' }, enqueued);
      this.logger.log({ enqueued }, 'webhook sweep re-enqueued deliveries');
    }
    return enqueued;
  }

  /** Before the connections close (onApplicationShutdown), like the dispatch workers. */
  async onModuleDestroy(): Promise<void> {
    await this.periodic.stop();
    if (this.worker) await closeWorkersWithin([this.worker], this.config.shutdownGraceMs);
    await this.agent?.close().catch(() => undefined);
  }
}
