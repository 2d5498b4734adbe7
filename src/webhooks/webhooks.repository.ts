/**
 * Every read and write of webhook subscriptions, events and deliveries.
 * recordEvent runs inside the caller's transaction (the status change's), so
 * an event exists exactly when its status change committed.
 */
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PrismaService } from '../database/prisma.service';
import { Prisma, WebhookDelivery, WebhookDeliveryStatus, WebhookEvent, WebhookSubscription } from '../generated/prisma/client';
import type { Tx } from '../callbacks/callbacks.repository';

export type Subscription = WebhookSubscription;
export type Delivery = WebhookDelivery;
export type DeliveryWithEvent = WebhookDelivery & { event: WebhookEvent; subscription: WebhookSubscription };

@Injectable()
export class WebhooksRepository {
  constructor(private readonly prisma: PrismaService) {}

  createSubscription(row: { client: string; url: string; events: string[]; secret: string }): Promise<Subscription> {
    return this.prisma.webhookSubscription.create({ data: { id: randomUUID(), ...row } });
  }

  countSubscriptions(client: string): Promise<number> {
    return this.prisma.webhookSubscription.count({ where: { client } });
  }

  listSubscriptions(client: string): Promise<Subscription[]> {
    return this.prisma.webhookSubscription.findMany({ where: { client }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  }

  findSubscription(id: string, client: string): Promise<Subscription | null> {
    return this.prisma.webhookSubscription.findFirst({ where: { id, client } });
  }

  async deleteSubscription(id: string, client: string): Promise<boolean> {
    return (await this.prisma.webhookSubscription.deleteMany({ where: { id, client } })).count > 0;
  }

  async rotateSecret(id: string, client: string, secret: string): Promise<Subscription | null> {
    const rows = await this.prisma.webhookSubscription.updateManyAndReturn({ where: { id, client }, data: { secret, updatedAt: new Date() } });
    return rows[0] ?? null;
  }

  /** Whether any subscription of `client` wants events of `type` (one indexed read, no transaction). */
  async hasSubscribers(client: string, type: string): Promise<boolean> {
    const rows = await this.prisma.$queryRaw<unknown[]>(Prisma.sql`SELECT 1 FROM webhook_subscription WHERE client = ${client} AND ${type} = ANY(events) LIMIT 1`);
    return rows.length > 0;
  }

  /**
   * Writes the event and one pending delivery per subscription of the intent's
   * client that wants this event type. Nothing is written when no one listens.
   * Returns the new delivery ids (to enqueue after commit).
   */
  async recordEvent(tx: Tx, e: { client: string; intentId: string; type: string; payload: Record<string, unknown>; occurredAt: Date }): Promise<{ eventId: string; deliveryIds: string[] } | null> {
    const subs = await tx.webhookSubscription.findMany({ where: { client: e.client, events: { has: e.type } }, select: { id: true } });
    if (!subs.length) return null;
    const eventId = randomUUID();
    await tx.webhookEvent.create({ data: { id: eventId, ...e, payload: { id: eventId, ...e.payload } as Prisma.InputJsonValue } });
    const deliveryIds = subs.map(() => randomUUID());
    await tx.webhookDelivery.createMany({ data: subs.map((s, i) => ({ id: deliveryIds[i], eventId, subscriptionId: s.id })) });
    return { eventId, deliveryIds };
  }

  findDelivery(id: string): Promise<DeliveryWithEvent | null> {
    return this.prisma.webhookDelivery.findUnique({ where: { id }, include: { event: true, subscription: true } });
  }

  /** Records one failed try; `final` ends the delivery as failed. */
  async recordFailure(id: string, r: { httpStatus: number | null; error: string; final: boolean }): Promise<void> {
    await this.prisma.webhookDelivery.updateMany({
      where: { id, status: 'pending' },
      data: { attempts: { increment: 1 }, lastHttpStatus: r.httpStatus, lastError: r.error.slice(0, 2000), ...(r.final && { status: 'failed' }), updatedAt: new Date() },
    });
  }

  async markDelivered(id: string, httpStatus: number, at: Date): Promise<void> {
    await this.prisma.webhookDelivery.updateMany({
      where: { id, status: 'pending' },
      data: { status: 'delivered', attempts: { increment: 1 }, lastHttpStatus: httpStatus, lastError: null, deliveredAt: at, updatedAt: new Date() },
    });
  }

  /** Pending deliveries oldest first, for the sweep that re-enqueues what Redis lost. */
  findPending(limit: number, after?: { createdAt: Date; id: string }): Promise<Delivery[]> {
    const where: Prisma.WebhookDeliveryWhereInput = { status: 'pending' };
    if (after) where.OR = [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }];
    return this.prisma.webhookDelivery.findMany({ where, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: limit });
  }

  /**
   * Retention: events that occurred before `cutoff` and have nothing pending are
   * deleted with their deliveries (their payload holds the callback, phone number included).
   */
  async purgeEventsBefore(cutoff: Date, limit = 1_000): Promise<number> {
    const old = await this.prisma.webhookEvent.findMany({
      where: { occurredAt: { lt: cutoff }, deliveries: { none: { status: 'pending' } } },
      select: { id: true },
      take: limit,
    });
    if (!old.length) return 0;
    return (await this.prisma.webhookEvent.deleteMany({ where: { id: { in: old.map((e) => e.id) } } })).count;
  }

  /** A subscription's delivery log, newest first. */
  listDeliveries(subscriptionId: string, f: { status?: WebhookDeliveryStatus; limit: number; before?: { createdAt: Date; id: string } }): Promise<(Delivery & { event: WebhookEvent })[]> {
    const where: Prisma.WebhookDeliveryWhereInput = { subscriptionId };
    if (f.status) where.status = f.status;
    if (f.before) where.OR = [{ createdAt: { lt: f.before.createdAt } }, { createdAt: f.before.createdAt, id: { lt: f.before.id } }];
    return this.prisma.webhookDelivery.findMany({ where, include: { event: true }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: f.limit });
  }
}
