import { DispatchQueues } from '../../src/dispatch/dispatch-queues';
import { webhookJobId } from '../../src/dispatch/queues';
import { WebhookProcessor } from '../../src/webhooks/webhook.processor';
import { WebhooksRepository } from '../../src/webhooks/webhooks.repository';
import { startTestApp, TestApp, waitFor } from '../support/app';
import { WebhookReceiver } from '../support/webhook-receiver';

describe('status webhooks', () => {
  let t: TestApp;
  const receiver = new WebhookReceiver();
  let hookId: string;

  beforeAll(async () => {
    await receiver.start();
    t = await startTestApp({
      // sim-old: anything not sent at once is past its maxAgeMs → expired.
      accountsYaml: 'accounts:\n  - id: sim-old\n    vendor: simulator\n    retry: { attempts: 5, backoffMs: 50, maxAgeMs: 1 }\n',
      env: { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_BACKOFF_MS: '100', WEBHOOK_MAX_BACKOFF_MS: '400', WEBHOOK_ATTEMPTS: '100', RECONCILE_INTERVAL_MS: '600000' },
    });
    const res = await t.call('POST', '/v1/webhooks', { url: receiver.url, events: ['dispatched', 'failed', 'cancelled', 'expired', 'unknown'] });
    expect(res.status).toBe(201);
    expect(res.body.secret).toMatch(/^whsec_[\w-]{40,}$/);
    hookId = res.body.id;
    receiver.secret = res.body.secret;
  });
  afterAll(async () => {
    await t?.close();
    await receiver.stop();
  });

  const create = async (body: Record<string, unknown>) => {
    const res = await t.call('POST', '/v1/callbacks', { account: 'sim', ...body });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const eventsFor = (id: string, n: number) => waitFor(async () => receiver.forCallback(id).length >= n && receiver.forCallback(id), 15_000);

  it('shows the secret only on create, and refuses bad registrations naming the field', async () => {
    const list = await t.call('GET', '/v1/webhooks');
    expect(list.body).toEqual([{ id: hookId, url: receiver.url, events: ['dispatched', 'failed', 'cancelled', 'expired', 'unknown'], createdAt: expect.any(String) }]);
    expect((await t.call('GET', `/v1/webhooks/${hookId}`)).body.secret).toBeUndefined();
    const bad = await t.call('POST', '/v1/webhooks', { url: receiver.url, events: ['dispatched', 'sent'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('events');
    const noUrl = await t.call('POST', '/v1/webhooks', { url: 'ftp://example.com/x', events: ['failed'] });
    expect(noUrl.status).toBe(400);
    expect(noUrl.body.error.details[0].field).toBe('url');
    expect((await t.call('GET', '/v1/webhooks')).body).toHaveLength(1);
  });

  it('sends a correctly signed event for each status change: dispatched, failed, cancelled, expired, unknown', async () => {
    const dispatched = await create({ phoneNumber: '+14155550701' });
    const failed = await create({ phoneNumber: '+14155550702', routing: { simulate: 'permanent' } });
    const cancelled = await create({ phoneNumber: '+14155550703', scheduledAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect((await t.call('POST', `/v1/callbacks/${cancelled}/cancel`)).status).toBe(200);
    const expired = await create({ account: 'sim-old', phoneNumber: '+14155550704', routing: { simulate: 'retryable' } });
    const unknown = await create({ phoneNumber: '+14155550705', routing: { simulate: 'unknown', failTimes: 1 } });

    const expectations: [string, string[]][] = [
      [dispatched, ['dispatched']],
      [failed, ['failed']],
      [cancelled, ['cancelled']],
      [expired, ['expired']],
      [unknown, ['dispatched', 'unknown']],
    ];
    for (const [id, types] of expectations) {
      const got = await eventsFor(id, types.length);
      expect(got.map((r) => r.body.type).sort()).toEqual(types);
      for (const r of got) {
        expect(r.signatureValid).toBe(true);
        expect(r.headers['x-event-id']).toBe(r.body.id);
        expect(r.headers['x-event-type']).toBe(r.body.type);
        expect(r.headers['x-signature']).toMatch(new RegExp(`^t=${r.headers['x-event-timestamp']},v1=[0-9a-f]{64}$`));
        expect(r.body.callback).toMatchObject({ id, status: r.body.type === 'unknown' ? 'scheduled' : r.body.type });
      }
    }
    const log = await t.call('GET', `/v1/webhooks/${hookId}/deliveries?limit=200`);
    expect(log.status).toBe(200);
    const delivered = log.body.items.filter((d: { callbackId: string }) => expectations.some(([id]) => id === d.callbackId));
    expect(delivered).toHaveLength(6);
    for (const d of delivered) expect(d).toMatchObject({ status: 'delivered', attempts: 1, lastHttpStatus: 204, deliveredAt: expect.any(String) });
  });

  it('delivers the backlog to a receiver that was down, once it is back', async () => {
    await receiver.stop();
    const a = await create({ phoneNumber: '+14155550711' });
    const b = await create({ phoneNumber: '+14155550712', scheduledAt: new Date(Date.now() + 3_600_000).toISOString() });
    await t.call('POST', `/v1/callbacks/${b}/cancel`);
    // Both deliveries fail at least twice while it is down, and stay pending.
    await waitFor(async () => {
      const items = (await t.call('GET', `/v1/webhooks/${hookId}/deliveries?status=pending`)).body.items as { callbackId: string; attempts: number }[];
      return [a, b].every((id) => items.some((d) => d.callbackId === id && d.attempts >= 2));
    }, 15_000);
    expect(receiver.forCallback(a)).toHaveLength(0);
    await receiver.start();
    const [ea] = await eventsFor(a, 1);
    const [eb] = await eventsFor(b, 1);
    expect([ea.body.type, eb.body.type]).toEqual(['dispatched', 'cancelled']);
    expect(ea.signatureValid && eb.signatureValid).toBe(true);
    expect(Number(ea.headers['x-delivery-attempt'])).toBeGreaterThanOrEqual(3);
  });

  it('re-enqueues a pending delivery whose job Redis lost (the sweep)', async () => {
    await receiver.stop();
    const c = await create({ phoneNumber: '+14155550721', scheduledAt: new Date(Date.now() + 3_600_000).toISOString() });
    await t.call('POST', `/v1/callbacks/${c}/cancel`);
    const pending = await waitFor(async () => {
      const items = (await t.call('GET', `/v1/webhooks/${hookId}/deliveries?status=pending`)).body.items as { id: string; callbackId: string; attempts: number }[];
      return items.find((d) => d.callbackId === c && d.attempts >= 1);
    }, 15_000);
    // Redis forgets the job (e.g. restarted without AOF).
    const queue = t.app.get(DispatchQueues).webhooks();
    await (await queue.getJob(webhookJobId(pending.id)))!.remove();
    expect(await queue.getJob(webhookJobId(pending.id))).toBeUndefined();
    await receiver.start();
    expect(await t.app.get(WebhookProcessor).sweep()).toBeGreaterThanOrEqual(1);
    const [ev] = await eventsFor(c, 1);
    expect(ev.body).toMatchObject({ type: 'cancelled', callback: { id: c } });
    expect(ev.signatureValid).toBe(true);
  });

  it('retention drops finished events (their payload holds the callback) and keeps pending ones', async () => {
    await receiver.stop();
    const p = await create({ phoneNumber: '+14155550731', scheduledAt: new Date(Date.now() + 3_600_000).toISOString() });
    await t.call('POST', `/v1/callbacks/${p}/cancel`);
    const count = async (sql: string) => Number((await t.db.query(sql)).rows[0].n);
    expect(await count("SELECT count(*) AS n FROM webhook_delivery WHERE status = 'delivered'")).toBeGreaterThan(0);
    const purged = await t.app.get(WebhooksRepository).purgeEventsBefore(new Date(Date.now() + 60_000));
    expect(purged).toBeGreaterThan(0);
    expect(await count("SELECT count(*) AS n FROM webhook_delivery WHERE status = 'delivered'")).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM webhook_event WHERE intent_id = '${p}'`)).toBe(1); // still pending
    await receiver.start();
    await eventsFor(p, 1);
  });

  it('DELETE removes the webhook; rotate-secret returns a new one', async () => {
    const extra = await t.call('POST', '/v1/webhooks', { url: receiver.url, events: ['failed'] });
    const rotated = await t.call('POST', `/v1/webhooks/${extra.body.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(extra.body.secret);
    expect((await t.call('DELETE', `/v1/webhooks/${extra.body.id}`)).status).toBe(204);
    expect((await t.call('GET', `/v1/webhooks/${extra.body.id}`)).status).toBe(404);
    expect((await t.call('DELETE', `/v1/webhooks/${extra.body.id}`)).status).toBe(404);
  });
});
