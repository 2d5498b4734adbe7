/**
 * Per-client request throttle in Redis, so the limit holds across API
 * replicas: a fixed window per client (INCR + PEXPIRE in one script). When
 * Redis is unreachable the throttle lets requests through — intake must keep
 * working without Redis — and counts that in a metric.
 */
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../config/config';
import { Throttled } from '../common/errors';
import { Metrics } from '../ops/metrics';

const SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}`;

export interface ThrottleResult {
  limit: number;
  remaining: number;
  resetSeconds: number;
}

@Injectable()
export class ClientThrottle implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger('ClientThrottle');
  private redis: Redis | null = null;
  private lastWarn = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  /** Connects at boot, so the first requests are counted too (no offline queue: Redis down = no wait). */
  onModuleInit(): void {
    this.connection();
  }

  limitFor(client: string): number {
    return this.config.throttle.perClient[client] ?? this.config.throttle.limit;
  }

  /** Counts one request of the client; throws Throttled (429) over the limit. */
  async hit(client: string): Promise<ThrottleResult | null> {
    const limit = this.limitFor(client);
    if (limit <= 0) return null;
    const windowMs = this.config.throttle.windowMs;
    let n: number;
    let ttl: number;
    try {
      const redis = this.connection();
      // Just booted: give the first connection a moment rather than let requests through uncounted.
      if (redis.status === 'connecting' || redis.status === 'connect') {
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, 250);
          redis.once('ready', () => resolve(clearTimeout(timer)));
        });
      }
      [n, ttl] = (await redis.eval(SCRIPT, 1, `${this.config.queuePrefix}:throttle:${client}`, windowMs)) as [number, number];
    } catch (e) {
      this.metrics.throttleBypassed.inc();
      if (Date.now() - this.lastWarn > 60_000) {
        this.lastWarn = Date.now();
        this.log.warn(`throttle store unreachable, letting requests through: ${(e as Error).message}`);
      }
      return null;
    }
    const resetSeconds = Math.max(1, Math.ceil(ttl / 1000));
    if (n > limit) {
      this.metrics.throttled.inc({ client });
      throw new Throttled(resetSeconds, limit, Math.round(windowMs / 1000));
    }
    return { limit, remaining: limit - n, resetSeconds };
  }

  private connection(): Redis {
    this.redis ??= new Redis(this.config.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 250,
      lazyConnect: false,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    this.redis.on('error', () => undefined);
    return this.redis;
  }

  async onModuleDestroy(): Promise<void> {
    this.redis?.disconnect();
  }
}
