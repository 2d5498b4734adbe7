/**
 * Per-client throttling lives in Redis, so the limit holds across API
 * processes: here the test app and a second API started as its own process
 * (`node dist/main.js`, ROLE=api) share one budget.
 */
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../support/ports';
import { startTestApp, TestApp, waitFor } from '../support/app';

const ROOT = path.resolve(__dirname, '../..');

describe('per-client throttle (e2e)', () => {
  let t: TestApp;
  let second: ChildProcess;
  let secondUrl: string;

  beforeAll(async () => {
    const env = { THROTTLE_LIMIT: '10', THROTTLE_WINDOW_MS: '60000', THROTTLE_CLIENT_LIMITS: 'bulk=1000' };
    t = await startTestApp({ env });
    const port = await freePort();
    second = spawn(process.execPath, ['dist/main.js'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        ROLE: 'api',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: t.databaseUrl,
        REDIS_URL: process.env.TEST_REDIS_URL,
        QUEUE_PREFIX: t.prefix,
        MIGRATE_ON_BOOT: 'false',
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    secondUrl = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${secondUrl}/health/live`).catch(() => null))?.ok, 30_000, 100);
  }, 60_000);

  afterAll(async () => {
    second?.kill('SIGTERM');
    await new Promise((r) => second?.once('exit', r));
    await t.close();
  });

  it('holds one limit across two API processes and answers 429 with Retry-After', async () => {
    const headers = await t.clientHeaders('chatty', ['callbacks:read']);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const url = i % 2 ? `${secondUrl}/v1/callbacks` : `${t.baseUrl}/v1/callbacks`;
      statuses.push((await fetch(url, { headers })).status);
    }
    expect(statuses).toEqual(Array(10).fill(200));
    for (const base of [t.baseUrl, secondUrl]) {
      const r = await fetch(`${base}/v1/callbacks`, { headers });
      expect(r.status).toBe(429);
      const retryAfter = Number(r.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      const body = (await r.json()) as { error: Record<string, unknown> };
      expect(body.error).toMatchObject({ code: 'rate_limited', retryAfterSeconds: retryAfter });
    }
    // Another client has its own budget, and a per-client override lifts the limit.
    const other = await t.clientHeaders('quiet', ['callbacks:read']);
    expect((await fetch(`${secondUrl}/v1/callbacks`, { headers: other })).status).toBe(200);
    const bulk = await t.clientHeaders('bulk', ['callbacks:read']);
    for (let i = 0; i < 15; i++) expect((await fetch(`${t.baseUrl}/v1/callbacks`, { headers: bulk })).status).toBe(200);
  });

  it('reports the budget in RateLimit headers', async () => {
    const headers = await t.clientHeaders('counted', ['callbacks:read']);
    const r = await fetch(`${t.baseUrl}/v1/callbacks`, { headers });
    expect(r.headers.get('ratelimit-limit')).toBe('10');
    expect(r.headers.get('ratelimit-remaining')).toBe('9');
  });
});

describe('per-client throttle without Redis (e2e)', () => {
  it('lets requests through, counted in client_throttle_bypassed_total, rather than refusing intake', async () => {
    // Nothing listens on this port: Redis is down for this API from the start.
    const t = await startTestApp({ env: { ROLE: 'api', REDIS_URL: `redis://127.0.0.1:${await freePort()}`, THROTTLE_LIMIT: '1' } });
    try {
      for (let i = 0; i < 3; i++) expect((await t.call('GET', '/v1/callbacks')).status).toBe(200);
      const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text();
      expect(Number(/^client_throttle_bypassed_total (\d+)/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(3);
    } finally {
      await t.close();
    }
  }, 60_000);
});
