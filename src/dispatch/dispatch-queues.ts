/**
 * Owns the Redis connections and one BullMQ Queue per account (created on
 * first use, so queues appear as accounts are added). Producer calls are
 * bounded by ENQUEUE_TIMEOUT_MS: while Redis is unreachable, intake carries on
 * against Postgres and the reconciler enqueues later.
 */
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ConnectionOptions, Queue } from 'bullmq';
import Redis from 'ioredis';
import { AccountsRegistry } from '../config/accounts';
import { APP_CONFIG, AppConfig } from '../config/config';
import { DispatchJobData, WEBHOOK_QUEUE, WebhookJobData, queueName } from './queues';

export class RedisUnavailable extends Error {}

@Injectable()
export class DispatchQueues implements OnApplicationShutdown {
  /** Shared non-blocking connection for queues, the limiter and health pings. */
  readonly connection: Redis;
  private readonly queues = new Map<string, Queue<DispatchJobData>>();
  private webhookQueue?: Queue<WebhookJobData>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly accounts: AccountsRegistry,
  ) {
    this.connection = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2_000, lazyConnect: false });
    this.connection.on('error', () => undefined); // reported through health; ioredis reconnects by itself
  }

  get prefix(): string {
    return this.config.queuePrefix;
  }

  /** Options for a worker's own connections (BullMQ needs maxRetriesPerRequest null there). */
  workerConnectionOptions(): ConnectionOptions {
    return { url: this.config.redisUrl, maxRetriesPerRequest: null };
  }

  forAccount(accountId: string): Queue<DispatchJobData> {
    let q = this.queues.get(accountId);
    if (!q) {
      q = new Queue<DispatchJobData>(queueName(accountId), { connection: this.connection, prefix: this.prefix });
      q.on('error', () => undefined);
      this.queues.set(accountId, q);
    }
    return q;
  }

  /** Every declared account's queue (for Bull Board, metrics). */
  all(): Queue<DispatchJobData>[] {
    return this.accounts.all.map((a) => this.forAccount(a.id));
  }

  /** The status-webhook delivery queue. */
  webhooks(): Queue<WebhookJobData> {
    if (!this.webhookQueue) {
      this.webhookQueue = new Queue<WebhookJobData>(WEBHOOK_QUEUE, { connection: this.connection, prefix: this.prefix });
      this.webhookQueue.on('error', () => undefined);
    }
    return this.webhookQueue;
  }

  /** Runs a Redis operation with the enqueue timeout: fails fast while Redis is down. */
  async bounded<T>(what: string, op: () => Promise<T>): Promise<T> {
    if (this.connection.status !== 'ready') throw new RedisUnavailable(`${what}: redis connection is ${this.connection.status}`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RedisUnavailable(`${what}: no answer from redis in ${this.config.enqueueTimeoutMs} ms`)), this.config.enqueueTimeoutMs);
    });
    try {
      return await Promise.race([op(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Last: workers and the reconciler stop in onModuleDestroy and may still need Redis until then. */
  async onApplicationShutdown(): Promise<void> {
    const all: Queue[] = [...this.queues.values(), ...(this.webhookQueue ? [this.webhookQueue] : [])];
    await Promise.all(all.map((q) => q.close().catch(() => undefined)));
    this.connection.disconnect();
  }
}
