/**
 * Retention (worker role): every RETENTION_INTERVAL_MS, terminal intents
 * (dispatched, failed, cancelled, expired) last changed more than
 * RETENTION_DAYS ago are anonymised in place (default) or deleted with their
 * attempts. RETENTION_DAYS=0 keeps everything. Batches use SKIP LOCKED, so
 * several workers can run it at once without doing the work twice.
 */
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { Clock } from '../common/clock';
import { Metrics } from './metrics';
import { RetentionRepository } from './retention.repository';

const BATCH = 1_000;
const DAY_MS = 86_400_000;

@Injectable()
export class Retention implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(Retention.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: RetentionRepository,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    if (this.config.retention.days === 0) return;
    this.timer = setInterval(() => {
      if (!this.running) {
        this.running = this.runOnce()
          .catch((err: Error) => this.logger.error({ err: err.message }, 'retention pass failed'))
          .finally(() => (this.running = undefined));
      }
    }, this.config.retention.intervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One full pass; returns how many intents it changed. */
  async runOnce(): Promise<number> {
    const { days, mode } = this.config.retention;
    if (days === 0) return 0;
    const now = this.clock.now();
    const cutoff = new Date(now.getTime() - days * DAY_MS);
    let total = 0;
    for (;;) {
      const n = mode === 'delete' ? await this.repo.deleteBatch(cutoff, BATCH) : await this.repo.anonymizeBatch(cutoff, BATCH, now);
      total += n;
      if (n < BATCH) break;
    }
    if (total) {
      this.metrics.retentionPurged.inc({ mode }, total);
      this.logger.log({ count: total, mode, olderThanDays: days }, 'retention pass');
    }
    return total;
  }
}
