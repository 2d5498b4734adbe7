/**
 * Retention (worker role): every RETENTION_INTERVAL_MS, terminal intents
 * (dispatched, failed, cancelled, expired) last changed more than
 * RETENTION_DAYS ago are anonymised in place (default) or deleted with their
 * attempts. RETENTION_DAYS=0 keeps everything. Batches use SKIP LOCKED, so
 * several workers can run it at once without doing the work twice.
 */
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { Clock } from '../common/clock';
import { Periodic } from '../common/periodic';
import { Metrics } from './metrics';
import { RetentionRepository } from './retention.repository';

const BATCH = 1_000;
const DAY_MS = 86_400_000;

@Injectable()
export class Retention implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(Retention.name);
  private readonly periodic = new Periodic(
    () => this.runOnce(),
    (err) => this.logger.error({ err: err.message }, 'retention pass failed'),
  );

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repo: RetentionRepository,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    if (this.config.retention.days > 0) this.periodic.start(this.config.retention.intervalMs);
  }

  /** Before the connections close (onApplicationShutdown): a running pass finishes first. */
  async onModuleDestroy(): Promise<void> {
    await this.periodic.stop();
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
