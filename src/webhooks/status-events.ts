/**
 * The one place status changes become webhook events. A caller wraps its
 * guarded status update:
 *
 *   await this.events.change('failed', (tx) => this.repo.markFailed(id, reason, …, tx));
 *
 * The update and the event (with its deliveries) commit in one transaction —
 * an outbox — so an event can be neither lost nor invented; after commit the
 * deliveries are enqueued, and the sweep in webhook.processor.ts catches any
 * that Redis did not take.
 */
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { CallbacksRepository, Intent, Tx } from '../callbacks/callbacks.repository';
import { toView } from '../callbacks/dto/callback.view';
import { WebhookScheduler } from './webhook.scheduler';
import { WebhooksRepository } from './webhooks.repository';

export const STATUS_EVENTS = ['dispatched', 'failed', 'cancelled', 'expired', 'unknown'] as const;
export type StatusEvent = (typeof STATUS_EVENTS)[number];

@Injectable()
export class StatusEvents {
  constructor(
    private readonly callbacks: CallbacksRepository,
    private readonly webhooks: WebhooksRepository,
    private readonly scheduler: WebhookScheduler,
    private readonly clock: Clock,
  ) {}

  /**
   * As change(), for an `update` that is one SQL statement (atomic by itself) on an
   * intent of `client`: when no subscription of the client wants `type`, there is no
   * event to record and the update runs alone, one round trip instead of a transaction
   * (the worker's success path). The subscription read is the one change() makes in
   * its transaction, made just before it: either way a subscription committed while
   * the status changes may or may not see that change.
   */
  async changeOne(type: StatusEvent, client: string, update: (tx: Tx) => Promise<Intent | null>): Promise<Intent | null> {
    if (!(await this.webhooks.hasSubscribers(client, type))) return update(this.callbacks.db);
    return this.change(type, update);
  }

  /** Runs `update` and, when it changed a row, records `type` for it in the same transaction. */
  async change(type: StatusEvent, update: (tx: Tx) => Promise<Intent | null>): Promise<Intent | null> {
    const { intent, deliveryIds } = await this.callbacks.transaction(async (tx) => {
      const intent = await update(tx);
      if (!intent) return { intent, deliveryIds: [] as string[] };
      const recorded = await this.webhooks.recordEvent(tx, {
        client: intent.client,
        intentId: intent.id,
        type,
        payload: { type, occurredAt: this.clock.now().toISOString(), callback: toView(intent) },
        occurredAt: this.clock.now(),
      });
      return { intent, deliveryIds: recorded?.deliveryIds ?? [] };
    });
    await this.scheduler.enqueue(deliveryIds);
    return intent;
  }
}
