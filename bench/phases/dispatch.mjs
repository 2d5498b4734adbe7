// 2. Dispatch timeliness: N intents due within the same 10 s on the simulator,
// created through the API; lateness = the first attempt's startedAt minus the
// intent's dueAt, read from Postgres. Then the limit: the same due-time spread
// as bare BullMQ delayed jobs with a no-op processor on the same Redis.
import fs from 'node:fs';
import path from 'node:path';
import { Queue } from 'bullmq';
import { createBody, createMany } from '../lib/load.mjs';
import { startNode, stopChild } from '../lib/procs.mjs';
import { log, percentile, sleep, waitUntil } from '../lib/stats.mjs';

const SPREAD_MS = 10_000;

export async function dispatchPhase({ cfg, infra, state, apiUrl, headers, intakeReqPerSec, logDir }) {
  const n = cfg.dispatchCount;
  // Due times start once creation should be over: the measured intake rate, with a wide margin.
  const createMs = (n / Math.max(50, intakeReqPerSec * 0.5)) * 1000;
  const t0 = Date.now() + Math.ceil(createMs) + 5_000;
  const dueAt = (i) => new Date(t0 + Math.floor((i * SPREAD_MS) / n));
  log(`dispatch: creating ${n} intents due in [${new Date(t0).toISOString()}, +10 s]`);
  const created = await createMany({
    url: `${apiUrl}/v1/callbacks`, headers, count: n, connections: cfg.connections,
    body: (i) => createBody('dispatch', { scheduledAt: dueAt(i).toISOString() }),
  });
  const createdBy = Date.now();
  if (created.failures.length) log(`dispatch: ${created.failures.length} creates failed, e.g. ${JSON.stringify(created.failures[0])}`);
  log(`dispatch: created ${created.ids.length} in ${((createdBy - (t0 - Math.ceil(createMs) - 5_000)) / 1000).toFixed(1)} s; first due in ${((t0 - createdBy) / 1000).toFixed(1)} s`);

  const finished = async () =>
    (await state.db.query("SELECT count(*)::int AS c FROM callback_intent WHERE account = 'sim' AND status NOT IN ('scheduled','dispatching')")).rows[0].c;
  await waitUntil(async () => (await finished()) >= created.ids.length, { timeoutMs: Math.max(0, t0 - Date.now()) + SPREAD_MS + cfg.drainTimeoutS * 1000, everyMs: 500 });
  const { rows } = await state.db.query(`
    SELECT extract(epoch FROM a.started_at - i.due_at) * 1000 AS late
    FROM dispatch_attempt a JOIN callback_intent i ON i.id = a.intent_id
    WHERE a.number = 1 AND i.account = 'sim'`);
  const late = rows.map((r) => Number(r.late));
  const ours = summarize(late, created.ids.length);
  const span = (await state.db.query(`
    SELECT extract(epoch FROM max(a.started_at) - min(i.due_at)) AS s FROM dispatch_attempt a JOIN callback_intent i ON i.id = a.intent_id
    WHERE a.number = 1 AND i.account = 'sim'`)).rows[0].s;
  // Dispatches per second from the first due time to the last start: the worker's sustained rate when it falls behind.
  ours.ratePerSec = late.length / Math.max(Number(span), SPREAD_MS / 1000);
  // Attempts beyond the first mean a dispatch failed and was retried under the burst (each one may have reached the vendor).
  ours.extraAttempts = (await state.db.query(`
    SELECT count(*)::int AS c FROM dispatch_attempt a JOIN callback_intent i ON i.id = a.intent_id WHERE a.number > 1 AND i.account = 'sim'`)).rows[0].c;
  ours.createdBeforeFirstDue = createdBy <= t0;
  ours.createFailures = created.failures.length;
  log(`dispatch: ${ours.dispatched}/${ours.expected} started (${ours.ratePerSec.toFixed(0)}/s); lateness p50 ${ours.p50Ms} ms, p99 ${ours.p99Ms} ms, max ${ours.maxMs} ms`);

  const bare = await bareBullmq({ cfg, infra, n, logDir, prefix: 'bench-noop' });
  log(`bare BullMQ: ${bare.dispatched}/${bare.expected}; lateness p50 ${bare.p50Ms} ms, p99 ${bare.p99Ms} ms, max ${bare.maxMs} ms`);
  // The same at Redis's default hz 10, to show what the hz setting is worth.
  const hz = Number((await state.redis.config('GET', 'hz'))[1]);
  let bareAtHz10 = null;
  if (hz !== 10) {
    await state.redis.config('SET', 'hz', '10');
    try {
      bareAtHz10 = await bareBullmq({ cfg, infra, n, logDir, prefix: 'bench-noop-hz10' });
    } finally {
      await state.redis.config('SET', 'hz', String(hz));
    }
    log(`bare BullMQ at hz 10: lateness p50 ${bareAtHz10.p50Ms} ms, p99 ${bareAtHz10.p99Ms} ms, max ${bareAtHz10.maxMs} ms`);
  }
  return { ours, bare, bareAtHz10, hz };
}

async function bareBullmq({ cfg, infra, n, logDir, prefix }) {
  const out = path.join(logDir, `${prefix}.json`);
  const env = { REDIS_URL: infra.redisUrl, QUEUE_PREFIX: prefix, QUEUE_NAME: 'noop', CONCURRENCY: String(cfg.workerConcurrency), EXPECT: String(n), OUT_FILE: out };
  const child = await startNode({ name: prefix, script: path.join('bench', 'baseline', 'bullmq-noop.mjs'), env, logDir });
  const queue = new Queue('noop', { connection: { url: infra.redisUrl }, prefix });
  try {
    await waitUntil(() => fs.existsSync(`${out}.ready`), { timeoutMs: 30_000 });
    const t0 = Date.now() + 5_000;
    for (let from = 0; from < n; from += 1000) {
      const now = Date.now();
      const jobs = [];
      for (let i = from; i < Math.min(n, from + 1000); i++) {
        jobs.push({ name: 'noop', data: { i }, opts: { jobId: `noop-${i}`, delay: t0 + Math.floor((i * SPREAD_MS) / n) - now, removeOnComplete: { count: 5000 } } });
      }
      await queue.addBulk(jobs);
    }
    await waitUntil(() => child.exitCode !== null, { timeoutMs: t0 - Date.now() + SPREAD_MS + cfg.drainTimeoutS * 1000, everyMs: 200 });
  } finally {
    await stopChild(child);
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
  await sleep(100);
  const late = fs.existsSync(out) ? JSON.parse(fs.readFileSync(out, 'utf8')) : [];
  return summarize(late, n);
}

function summarize(late, expected) {
  return {
    expected,
    dispatched: late.length,
    p50Ms: percentile(late, 50),
    p99Ms: percentile(late, 99),
    maxMs: late.length ? Math.max(...late) : NaN,
  };
}
