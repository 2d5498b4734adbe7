/**
 * The fault suite (`npm run test:faults`): real processes, real faults. One
 * cluster (Postgres, Redis, fake vendor, API and worker as `node dist/main.js`)
 * serves every scenario; each scenario uses its own phone numbers and tags its
 * intents with metadata.scenario, and ends with the same accounting check.
 * The service runs with RECONCILE_INTERVAL_MS=5000 and STALE_CLAIM_MS=10000
 * (SUITE_ENV in support/cluster.ts).
 */
import Redis from 'ioredis';
import { Cluster, SUITE_ENV } from './support/cluster';
import { createIntent, Ledger, phoneFor, pool } from './support/client';
import { Accounting, recordResult, settleAndAccount } from './support/accounting';

jest.setTimeout(10 * 60_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RECONCILE_MS = Number(SUITE_ENV.RECONCILE_INTERVAL_MS);

describe('fault suite: nothing accepted is lost', () => {
  const c = new Cluster();
  beforeAll(async () => c.start());
  afterAll(async () => c.stop());

  /** Records the scenario's measurements, then asserts the accounting and the end states. */
  function check(a: Accounting, statuses: Record<string, number>, extra: Record<string, unknown> & { why: string }): void {
    recordResult({ ...a, ...extra });
    if (a.problems.length) throw new Error(`${a.scenario}: ${a.problems.join('; ')}\n--- worker log ---\n${c.tail('worker')}\n--- api log ---\n${c.tail('api')}`);
    expect(a.lost).toBe(0);
    expect(a.statuses).toEqual(statuses);
  }

  const vendorSeen = async (phones: Set<string>) => (await c.vendorRequests()).filter((r) => phones.has(r.phone));

  it('kill -9 of the worker while dispatches are in flight', async () => {
    const ledger = new Ledger('worker-kill-9');
    await c.vendorMode('ok', { delayMs: 1_000 });
    const phones = Array.from({ length: 100 }, (_, i) => phoneFor(415, i));
    await pool(phones, 10, (p) => createIntent(c.apiUrl, ledger, p, null));
    const set = new Set(phones);
    while ((await vendorSeen(set)).length < 15) await sleep(100);
    const killed = await c.signalWorker('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    const inFlight = Number((await c.db.query(`SELECT count(*)::int AS n FROM callback_intent WHERE status = 'dispatching' AND metadata->>'scenario' = $1`, [ledger.scenario])).rows[0].n);
    await c.vendorMode('ok');
    await c.startWorker();
    const back = Date.now();
    const a = await settleAndAccount(c, ledger, 180_000);
    check(a, { dispatched: ledger.accepted.length }, {
      inFlightAtKill: inFlight,
      recoveryMs: a.settledAt - back,
      why: 'a callback the vendor created while the killed worker waited for its answer is sent again after the reconciler closes that attempt as unknown (worker_lost) and the account policy is resend',
    });
  });

  it(`Redis restarted with its data wiped while 1,000 intents are scheduled over the next minute: each goes out within RECONCILE_INTERVAL_MS + 5 s of its due time`, async () => {
    const ledger = new Ledger('redis-wipe');
    await c.vendorMode('ok');
    // Due times start 20 s out: intake takes a while, so some fall due just as Redis is wiped.
    const base = Date.now() + 20_000;
    const phones = Array.from({ length: 1000 }, (_, i) => phoneFor(212, i));
    await pool(phones, 20, (p, i) => createIntent(c.apiUrl, ledger, p, base + i * 60));
    const intakeDoneIn = Date.now() - (base - 20_000);
    const wipedAt = Date.now();
    await c.restartRedis({ downMs: 1_000, wipe: true });
    const back = Date.now();
    // Recovery: until Redis holds a job again for every intent still scheduled in Postgres.
    let requeuedMs = -1;
    while (Date.now() - back < 60_000) {
      const scheduled = Number((await c.db.query(`SELECT count(*)::int AS n FROM callback_intent WHERE status = 'scheduled' AND metadata->>'scenario' = $1`, [ledger.scenario])).rows[0].n);
      if (scheduled > 0 && (await c.pendingJobs().catch(() => 0)) >= scheduled) {
        requeuedMs = Date.now() - back;
        break;
      }
      if (scheduled === 0) break;
      await sleep(200);
    }
    const a = await settleAndAccount(c, ledger, 180_000);
    const firstAt = new Map<string, number>();
    for (const r of await c.vendorRequests()) if (r.created && !firstAt.has(r.phone)) firstAt.set(r.phone, r.at);
    const lateness = ledger.accepted.map((e) => (firstAt.get(e.phone) ?? Infinity) - e.dueAt);
    const maxLateMs = Math.max(...lateness);
    const dueBeforeWipe = ledger.accepted.filter((e) => e.dueAt < wipedAt).length;
    check(a, { dispatched: 1000 }, {
      intakeMs: intakeDoneIn,
      dueBeforeWipe,
      maxLatenessMs: maxLateMs,
      p99LatenessMs: lateness.sort((x, y) => x - y)[Math.floor(lateness.length * 0.99)],
      dueBeforeReconciled: ledger.accepted.filter((e) => e.dueAt >= wipedAt && e.dueAt < back + Math.max(0, requeuedMs)).length,
      recoveryMs: requeuedMs,
      why: 'none expected: no attempt was in doubt',
    });
    expect(maxLateMs).toBeLessThanOrEqual(RECONCILE_MS + 5_000);
  });

  it('Redis down for 30 s during intake', async () => {
    const ledger = new Ledger('redis-down-30s');
    await c.vendorMode('ok');
    const phones = Array.from({ length: 150 }, (_, i) => phoneFor(312, i));
    const t0 = Date.now();
    // 150 creates spread over ~45 s, half asap and half due within 20 s.
    const intake = pool(phones, 1, async (p, i) => {
      await sleep(Math.max(0, t0 + i * 300 - Date.now()));
      await createIntent(c.apiUrl, ledger, p, i % 2 ? Date.now() + (i % 20) * 1_000 : null);
    });
    await sleep(5_000);
    const outage = c.restartRedis({ downMs: 30_000, wipe: false });
    // While Redis is down, readiness says degraded and the API keeps accepting.
    await sleep(3_000);
    const ready = await fetch(`${c.apiUrl}/health/ready`);
    const readyBody = (await ready.json()) as { status: string; error: Record<string, { status: string }> };
    await outage;
    const back = Date.now();
    await intake;
    const a = await settleAndAccount(c, ledger, 120_000);
    expect(ready.status).toBe(200);
    expect(readyBody.status).toBe('degraded');
    expect(readyBody.error.redis.status).toBe('down');
    expect(ledger.accepted.length).toBe(150);
    expect(a.clientFiveXx).toBe(0);
    // The backlog: intents that fell due while Redis was away, and when the last of them went out.
    const firstAt = new Map<string, number>();
    for (const r of await c.vendorRequests()) if (r.created && !firstAt.has(r.phone)) firstAt.set(r.phone, r.at);
    const backlog = ledger.accepted.filter((e) => e.dueAt < back && (firstAt.get(e.phone) ?? 0) >= back);
    check(a, { dispatched: 150 }, {
      backlog: backlog.length,
      backlogClearedMs: Math.max(0, ...backlog.map((e) => firstAt.get(e.phone)! - back)),
      recoveryMs: a.settledAt - back,
      why: 'none expected',
    });
  });

  it('Postgres restarted during intake and dispatch', async () => {
    const ledger = new Ledger('postgres-restart');
    await c.vendorMode('ok', { delayMs: 200 });
    const phones = Array.from({ length: 150 }, (_, i) => phoneFor(617, i));
    const t0 = Date.now();
    const intake = pool(phones, 3, async (p, i) => {
      await sleep(Math.max(0, t0 + i * 100 - Date.now()));
      await createIntent(c.apiUrl, ledger, p, null);
    });
    await sleep(4_000);
    await c.restartPostgres({ downMs: 5_000 });
    const back = Date.now();
    await intake;
    await c.vendorMode('ok');
    const a = await settleAndAccount(c, ledger, 180_000);
    expect(ledger.accepted.length).toBe(150);
    check(a, { dispatched: 150 }, {
      recoveryMs: a.settledAt - back,
      why: 'a dispatch whose result could not be written while Postgres was down stays dispatching with an open attempt; the reconciler closes it as unknown and resends',
    });
  });

  it("the vendor answering 500s, 429s and timeouts for a while", async () => {
    const ledger = new Ledger('vendor-errors');
    await c.vendorMode('500');
    const phones = Array.from({ length: 60 }, (_, i) => phoneFor(202, i));
    await pool(phones, 10, (p) => createIntent(c.apiUrl, ledger, p, null));
    await sleep(6_000);
    await c.vendorMode('429', { retryAfterS: 2 });
    await sleep(6_000);
    await c.vendorMode('timeout');
    await sleep(6_000);
    await c.vendorMode('ok');
    const back = Date.now();
    const a = await settleAndAccount(c, ledger, 180_000);
    const seen = await vendorSeen(new Set(phones));
    check(a, { dispatched: 60 }, {
      vendorAnswers: seen.reduce<Record<string, number>>((m, r) => ((m[r.mode] = (m[r.mode] ?? 0) + 1), m), {}),
      recoveryMs: a.settledAt - back,
      why: 'a request that timed out after it was sent may have created the callback (this fake always does); Zendesk cannot be asked, so policy resend sends it again',
    });
  });

  it('SIGTERM during a burst: active dispatches finish within the grace, nothing new is taken, the rest waits', async () => {
    const ledger = new Ledger('sigterm-burst');
    await c.vendorMode('ok', { delayMs: 1_500 });
    const phones = Array.from({ length: 80 }, (_, i) => phoneFor(206, i));
    await pool(phones, 10, (p) => createIntent(c.apiUrl, ledger, p, null));
    const set = new Set(phones);
    while ((await vendorSeen(set)).length < 10) await sleep(100);
    const termAt = Date.now();
    const exit = await c.signalWorker('SIGTERM');
    const afterExit = (await vendorSeen(set)).length;
    const inDoubt = await c.db.query(
      `SELECT (SELECT count(*)::int FROM callback_intent WHERE status = 'dispatching' AND metadata->>'scenario' = $1) AS dispatching,
              (SELECT count(*)::int FROM dispatch_attempt a JOIN callback_intent i ON i.id = a.intent_id WHERE a.ended_at IS NULL AND i.metadata->>'scenario' = $1) AS open,
              (SELECT count(*)::int FROM dispatch_attempt a JOIN callback_intent i ON i.id = a.intent_id WHERE a.started_at > $2 AND i.metadata->>'scenario' = $1) AS started_after`,
      [ledger.scenario, new Date(termAt + 1_000)],
    );
    const scheduledLeft = Number((await c.db.query(`SELECT count(*)::int AS n FROM callback_intent WHERE status = 'scheduled' AND metadata->>'scenario' = $1`, [ledger.scenario])).rows[0].n);
    await sleep(2_000);
    expect((await vendorSeen(set)).length).toBe(afterExit); // no worker, nothing goes out
    expect(exit.exitedAfterMs).toBeLessThan(Number(SUITE_ENV.SHUTDOWN_GRACE_MS) + 5_000);
    expect(inDoubt.rows[0]).toEqual({ dispatching: 0, open: 0, started_after: 0 });
    expect(scheduledLeft).toBeGreaterThan(0);
    await c.vendorMode('ok');
    await c.startWorker();
    const back = Date.now();
    const a = await settleAndAccount(c, ledger, 120_000);
    expect(a.duplicates).toBe(0);
    check(a, { dispatched: 80 }, { workerExitMs: exit.exitedAfterMs, leftScheduled: scheduledLeft, recoveryMs: a.settledAt - back, why: 'none: every active dispatch finished inside the grace' });
  });

  it("a worker whose blocking connection is stuck while Redis answers pings fails liveness, and takes jobs again after", async () => {
    const ledger = new Ledger('worker-stall');
    await c.vendorMode('ok');
    const admin = new Redis(c.redisUrl);
    const workerLive = async () => {
      const r = await fetch(`${c.workerUrl}/health/live`);
      return { status: r.status, body: (await r.json()) as { status: string; error?: { workers?: { message?: string } } } };
    };
    expect((await workerLive()).status).toBe(200);
    // Redis holds every write (BullMQ's BZPOPMIN is one) but still answers PING.
    await admin.call('CLIENT', 'PAUSE', '120000', 'WRITE');
    const pausedAt = Date.now();
    let detectedMs = -1;
    let detail = '';
    try {
      await pool(Array.from({ length: 20 }, (_, i) => phoneFor(303, i)), 5, (p) => createIntent(c.apiUrl, ledger, p, null));
      while (Date.now() - pausedAt < 60_000) {
        const r = await workerLive().catch(() => null);
        if (r?.status === 503) {
          detectedMs = Date.now() - pausedAt;
          detail = r.body.error?.workers?.message ?? '';
          break;
        }
        await sleep(500);
      }
      expect(await admin.ping()).toBe('PONG');
    } finally {
      await admin.call('CLIENT', 'UNPAUSE');
      admin.disconnect();
    }
    const back = Date.now();
    while ((await workerLive()).status !== 200 && Date.now() - back < 30_000) await sleep(250);
    const liveAgainMs = Date.now() - back;
    const a = await settleAndAccount(c, ledger, 120_000);
    expect(detail).toMatch(/worker for dispatch-zd-faults is stalled: its blocking Redis connection has not answered for \d+ ms while Redis answers pings/);
    check(a, { dispatched: 20 }, {
      detectedMs,
      liveAgainMs,
      recoveryMs: a.settledAt - back,
      why: 'none expected: nothing was sent while writes were held',
    });
    expect(ledger.fiveXx).toBe(0);
  });
});
