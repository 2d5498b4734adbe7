/**
 * Readiness names a stopped Redis. This file runs its OWN redis-server (a free
 * port, like scripts/infra.mjs) so it can kill it without disturbing other tests.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startTestApp, TestApp, waitFor } from '../support/app';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function startRedis(port?: number, dir?: string): Promise<{ child: ChildProcess; url: string; dir: string; port: number }> {
  port ??= await freePort();
  dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'cbo-health-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1');
        s.once('connect', () => (s.destroy(), resolve(true)));
        s.once('error', () => resolve(false));
      }),
    10_000,
    50,
  );
  return { child, url: `redis://127.0.0.1:${port}`, dir, port };
}

describe('health', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let api: TestApp;

  beforeAll(async () => {
    redis = await startRedis();
    // The api role: its readiness stays 200 (degraded) without Redis. A worker-role app is not
    // used here: BullMQ workers can hang in close() after a Redis outage (taskforcesh/bullmq#4656),
    // which would keep this file from finishing; the worker's 503 follows from the same indicator.
    api = await startTestApp({ env: { REDIS_URL: redis.url, ROLE: 'api' } });
  });
  afterAll(async () => {
    // Bring Redis back on its port so the apps' BullMQ connections close cleanly.
    if (redis && (redis.child.exitCode !== null || redis.child.signalCode)) redis = await startRedis(redis.port, redis.dir);
    await api?.close().catch(() => undefined);
    if (redis && redis.child.exitCode === null && !redis.child.signalCode) {
      redis.child.kill('SIGKILL');
      await new Promise((r) => redis.child.once('exit', r));
    }
    fs.rmSync(redis.dir, { recursive: true, force: true });
  });

  it('is live and ready with every dependency up, in terminus form', async () => {
    const live = await api.call('GET', '/health/live');
    expect(live.status).toBe(200);
    expect(live.body.status).toBe('ok');
    for (const t of [api]) {
      const ready = await t.call('GET', '/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({
        status: 'ok',
        info: { postgres: { status: 'up' }, migrations: { status: 'up' }, redis: { status: 'up' }, accounts: { status: 'up', count: 1 } },
        error: {},
        details: { postgres: { status: 'up' }, migrations: { status: 'up' }, redis: { status: 'up' }, accounts: { status: 'up', count: 1 } },
      });
    }
  });

  it('names redis when it is stopped (degraded, 200: the api keeps taking requests)', async () => {
    redis.child.kill('SIGKILL');
    await new Promise((r) => redis.child.once('exit', r));

    const apiReady = await waitFor(async () => {
      const r = await api.call('GET', '/health/ready');
      return r.body?.error?.redis && r;
    }, 15_000, 200);
    expect(apiReady.status).toBe(200);
    expect(apiReady.body.status).toBe('degraded');
    expect(Object.keys(apiReady.body.error)).toEqual(['redis']);
    expect(apiReady.body.details.redis.status).toBe('down');
    expect(apiReady.body.details.redis.message).toMatch(/redis unreachable/);
    expect(apiReady.body.details.postgres).toEqual({ status: 'up' });

    // Intake goes on against Postgres while Redis is down.
    const created = await api.call('POST', '/v1/callbacks', { account: 'sim', phoneNumber: '+14155550801', scheduledAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(created.status).toBe(201);
    // Liveness is not about dependencies.
    expect((await api.call('GET', '/health/live')).status).toBe(200);
  });

  it('is ready again once Redis is back', async () => {
    redis = await startRedis(redis.port, redis.dir);
    for (const t of [api]) {
      const r = await waitFor(async () => {
        const res = await t.call('GET', '/health/ready');
        return res.status === 200 && res.body.status === 'ok' && res;
      }, 20_000, 200);
      expect(r.body.details.redis).toEqual({ status: 'up' });
    }
  });
});
