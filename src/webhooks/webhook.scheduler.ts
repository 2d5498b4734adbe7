/** Puts deliveries on the webhooks queue. Redis down is not an error: the sweep enqueues them later. */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { DispatchQueues } from '../dispatch/dispatch-queues';
import { WEBHOOK_JOB, webhookJobOptions } from '../dispatch/queues';

@Injectable()
export class WebhookScheduler {
  private readonly logger = new Logger(WebhookScheduler.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queues: DispatchQueues,
  ) {}

  /** Adds a job per delivery (a job id already present is left alone). False when Redis did not take them. */
  async enqueue(deliveryIds: string[]): Promise<boolean> {
    if (!deliveryIds.length) return true;
    try {
      await this.queues.bounded('webhook enqueue', () =>
        this.queues.webhooks().addBulk(deliveryIds.map((deliveryId) => ({ name: WEBHOOK_JOB, data: { deliveryId }, opts: webhookJobOptions(deliveryId, this.config.webhooks) }))),
      );
      return true;
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, deliveries: deliveryIds.length }, 'webhook deliveries not enqueued; the sweep will');
      return false;
    }
  }
}
