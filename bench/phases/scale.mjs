// 4. Scale: N scheduled intents in Postgres (INSERT … SELECT generate_series)
// and the same jobs in Redis, added through the service's own queue and job
// catalogue (dist/dispatch: DispatchQueues, dispatchJobOptions) so each job
// has the real per-intent bytes. Then: Redis bytes per intent, create p99 at
// that size (against p99 on empty tables, measured earlier at the same rate),
// and the reconciler's scan and full pass, run from the service's own code.
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createBody, fixedRateLoad, medianRun } from '../lib/load.mjs';
import { requireDist, resetState, usedMemory } from '../lib/state.mjs';
import { log, round } from '../lib/stats.mjs';

const CHUNK = 1000;
const HORIZON_MS = 90 * 86_400_000;

/** The same id Postgres derives with md5('bench-' || i)::uuid. */
function seedId(i) {
  const h = createHash('md5').update(`bench-${i}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A Nest application context of the worker role, from dist/, sharing the bench's servers. */
export async function workerContext({ infra, accountsFile, env }) {
  requireDist('reflect-metadata');
  const { NestFactory } = requireDist('@nestjs/core');
  const { AppModule } = requireDist('./app.module');
  const { loadConfig } = requireDist('./config/config');
  const config = loadConfig({
    ...process.env, ...env, ROLE: 'worker', DATABASE_URL: infra.databaseUrl, REDIS_URL: infra.redisUrl, ACCOUNTS_FILE: accountsFile,
    ALLOW_INSECURE_VENDOR_URLS: 'true', LOG_LEVEL: 'warn', MIGRATE_ON_BOOT: 'false', RECONCILE_INTERVAL_MS: '3600000', CALLING_WINDOW_DEFAULT: 'off',
  });
  const app = await NestFactory.createApplicationContext(AppModule.forRole({ config }), { logger: false });
  return { app, config };
}

export async function scalePhase({ cfg, infra, state, apiUrl, headers, accountsFile, env }) {
  const n = cfg.scaleCount;
  await resetState(state);
  const { app, config } = await workerContext({ infra, accountsFile, env });
  let seeded;
  try {
    const { DispatchQueues } = requireDist('./dispatch/dispatch-queues');
    const { AccountsRegistry } = requireDist('./config/accounts');
    const { Reconciler } = requireDist('./dispatch/reconciler');
    const { CallbacksRepository } = requireDist('./callbacks/callbacks.repository');
    const { DISPATCH_JOB, dispatchJobOptions } = requireDist('./dispatch/queues');
    const sim = app.get(AccountsRegistry).get('sim');
    const queue = app.get(DispatchQueues).forAccount('sim');

    // Due times spread evenly from 10 minutes ahead over the 90-day horizon.
    const start = Date.now() + 600_000;
    const step = Math.floor((HORIZON_MS - 600_000) / n);
    const due = (i) => start + i * step;

    let t = performance.now();
    await state.db.query(
      `INSERT INTO callback_intent (id, client, account, phone_number, status, due_at, asap, metadata, routing)
       SELECT md5('bench-' || i)::uuid, 'default', 'sim', '+4479' || lpad(i::text, 8, '0'), 'scheduled',
              to_timestamp(($1::bigint + i::bigint * $2::bigint) / 1000.0), false, '{"source":"bench"}', '{}'
       FROM generate_series(1, $3::int) AS i`,
      [start, step, n],
    );
    await state.db.query('ANALYZE callback_intent');
    const pgSeedS = (performance.now() - t) / 1000;
    const sizes = (await state.db.query(`
      SELECT c.relname AS name, pg_relation_size(c.oid) / 1048576.0 AS mb FROM pg_class c
      WHERE c.relname = 'callback_intent' OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'callback_intent'::regclass)
      ORDER BY mb DESC`)).rows.map((r) => ({ name: r.name, mb: Number(r.mb) }));
    log(`scale: ${n} rows in Postgres in ${pgSeedS.toFixed(1)} s`);

    const mem0 = await usedMemory(state.redis);
    t = performance.now();
    let nextChunk = 1;
    const addChunks = async () => {
      while (nextChunk <= n) {
        const from = nextChunk;
        nextChunk += CHUNK;
        const now = Date.now();
        const jobs = [];
        for (let i = from; i < Math.min(n + 1, from + CHUNK); i++) {
          const id = seedId(i);
          jobs.push({ name: DISPATCH_JOB, data: { intentId: id, account: 'sim' }, opts: dispatchJobOptions(id, sim, due(i) - now) });
        }
        await queue.addBulk(jobs);
        if (Math.floor(from / 100_000) !== Math.floor((from + CHUNK) / 100_000)) log(`scale: ${from + CHUNK - 1} jobs in Redis`);
      }
    };
    await Promise.all([addChunks(), addChunks(), addChunks(), addChunks()]);
    const redisSeedS = (performance.now() - t) / 1000;
    const mem1 = await usedMemory(state.redis);
    const delayed = await queue.getDelayedCount();
    const redisBytesPerIntent = (mem1 - mem0) / n;
    log(`scale: ${delayed} delayed jobs in ${redisSeedS.toFixed(1)} s; ${redisBytesPerIntent.toFixed(0)} bytes per intent`);

    // The reconciler: its scan query (first page of the look-ahead window) and a full pass.
    const repo = app.get(CallbacksRepository);
    const until = new Date(Date.now() + config.reconcileLookaheadMs);
    const inWindow = (await state.db.query("SELECT count(*)::int AS c FROM callback_intent WHERE status = 'scheduled' AND due_at < $1", [until])).rows[0].c;
    const scans = [];
    for (let k = 0; k < 5; k++) {
      t = performance.now();
      await repo.findScheduledDueBefore(until, 500);
      scans.push(performance.now() - t);
    }
    scans.sort((a, b) => a - b);
    t = performance.now();
    const pass = await app.get(Reconciler).runOnce();
    const passMs = performance.now() - t;
    log(`scale: reconciler scan ${scans[2].toFixed(1)} ms (median of 5), full pass ${passMs.toFixed(0)} ms over ${inWindow} intents in its window (repaired ${pass.enqueued})`);
    seeded = {
      count: n, delayed, sizes, pgSeedS: round(pgSeedS), redisSeedS: round(redisSeedS), redisBytesPerIntent,
      reconciler: { lookaheadMs: config.reconcileLookaheadMs, inWindow, scanMs: scans[2], passMs, enqueued: pass.enqueued },
    };
  } finally {
    await app.close();
  }

  // Create latency at full size, measured with the Nest context closed so that this
  // process only generates load (as for the empty-table figure), and once the loading
  // has settled: a table that grew by 1M rows in seconds is one that autovacuum and
  // the checkpointer are about to work on, and Redis rewrites its AOF after 1M adds.
  // A production table reaches this size over weeks, vacuumed and checkpointed on the way.
  const settle = await settleAfterLoad(state);
  log(`scale: settled in ${(settle.ms / 1000).toFixed(1)} s (VACUUM ANALYZE, CHECKPOINT, Redis AOF rewrite ${settle.aofWaited ? 'waited for' : 'not running'})`);
  const scheduledAt = new Date(Date.now() + 86_400_000).toISOString();
  const create = await medianRun(3, () => fixedRateLoad({ url: `${apiUrl}/v1/callbacks`, headers, body: () => createBody('scaleApi', { scheduledAt }), connections: cfg.fixedRateConnections, seconds: cfg.scaleCreateS, rate: cfg.scaleCreateRate }));
  log(`scale: create at ${n} rows: p50 ${create.p50Ms.toFixed(1)} ms, p99 ${create.p99Ms.toFixed(1)} ms (${create.reqPerSec.toFixed(0)} req/s; p99 of the runs ${create.p99Runs.map((v) => v.toFixed(0)).join(', ')})`);
  return { ...seeded, settleMs: settle.ms, create };
}

/** Lets Postgres and Redis finish what the bulk load started, so the latency measured is the service's at that size. */
async function settleAfterLoad(state) {
  const t = performance.now();
  let aofWaited = false;
  for (let i = 0; i < 600; i++) {
    const info = await state.redis.info('persistence');
    if (!/aof_rewrite_in_progress:1|aof_rewrite_scheduled:1/.test(info)) break;
    aofWaited = true;
    await new Promise((r) => setTimeout(r, 100));
  }
  await state.db.query('VACUUM ANALYZE callback_intent');
  await state.db.query('CHECKPOINT');
  return { ms: performance.now() - t, aofWaited };
}
