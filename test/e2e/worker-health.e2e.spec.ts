import Redis from 'ioredis';
import { startTestApp, TestApp, waitFor } from '../support/app';

/**
 * Worker liveness sees a real stall: Redis is told to hold every write command
 * (CLIENT PAUSE … WRITE), so the worker's blocking connection — whose fetch,
 * BZPOPMIN, is a write — cannot move, while Redis still answers PING. Nothing
 * here is mocked: the app, its BullMQ workers and Redis are real.
 */
describe('worker liveness', () => {
  let t: TestApp;
  let admin: Redis;
  const STALL_MS = 15_000;
  beforeAll(async () => {
    t = await startTestApp({ env: { ROLE: 'all', WORKER_STALL_MS: String(STALL_MS), RECONCILE_INTERVAL_MS: '3600000' } });
    admin = new Redis(process.env.TEST_REDIS_URL!);
  });
  afterAll(async () => {
    await admin.call('CLIENT', 'UNPAUSE').catch(() => undefined);
    admin.disconnect();
    await t.close();
  });

  const live = () => t.call('GET', '/health/live');

  it('stays live while the worker sits idle longer than the stall threshold', async () => {
    expect((await live()).status).toBe(200);
    await new Promise((r) => setTimeout(r, STALL_MS + 2_000));
    const r = await live();
    expect(r.status).toBe(200);
    expect(r.body.details.workers).toMatchObject({ status: 'up', message: expect.stringMatching(/worker\(s\) taking jobs/) });
  });

  it('fails (503, naming the queue) when the blocking connection is stuck while Redis answers pings, and recovers', async () => {
    await admin.call('CLIENT', 'PAUSE', '120000', 'WRITE');
    try {
      const stuck = await waitFor(async () => {
        const r = await live();
        return r.status === 503 ? r : null;
      }, STALL_MS + 20_000, 500);
      expect(await admin.ping()).toBe('PONG');
      expect(stuck.body.status).toBe('error');
      expect(stuck.body.error.workers.message).toMatch(/worker for dispatch-sim is stalled: its blocking Redis connection has not answered for \d+ ms while Redis answers pings/);
    } finally {
      await admin.call('CLIENT', 'UNPAUSE');
    }
    await waitFor(async () => (await live()).status === 200, 20_000, 250);

    // And it takes jobs again.
    const c = await t.call('POST', '/v1/callbacks', { account: 'sim', phoneNumber: '+14155550701' });
    expect(c.status).toBe(201);
    await waitFor(async () => t.sim.received.find((d) => d.intentId === c.body.id), 15_000);
  });

  it('the api role has no workers and is live without probing them', async () => {
    const api = await startTestApp({ env: { ROLE: 'api' } });
    try {
      const r = await api.call('GET', '/health/live');
      expect(r).toMatchObject({ status: 200, body: { status: 'ok' } });
    } finally {
      await api.close();
    }
  });
});
