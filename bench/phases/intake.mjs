// 1. Intake: create-callback throughput and latency at a fixed concurrency, the
// service's API role against the bare baseline in the same run, then p99 at a
// fixed request rate. Each measurement starts from empty tables and Redis.
import path from 'node:path';
import { freePort } from '../../scripts/infra.mjs';
import { createBody, fixedRateLoad, postLoad } from '../lib/load.mjs';
import { peakRssMb, startNode, stopChild } from '../lib/procs.mjs';
import { resetState } from '../lib/state.mjs';
import { log, round } from '../lib/stats.mjs';

export async function intakePhase({ cfg, infra, state, apiUrl, api, headers, logDir }) {
  const scheduledAt = new Date(Date.now() + 86_400_000).toISOString();
  const measure = async (label, url, series, hdrs, opts) => {
    await resetState(state);
    const load = opts.rate ? fixedRateLoad : postLoad;
    if (cfg.warmupS) await load({ url, headers: hdrs, body: () => createBody(series, { scheduledAt }), connections: opts.connections, seconds: cfg.warmupS, rate: opts.rate });
    const r = await load({ url, headers: hdrs, body: () => createBody(series, { scheduledAt }), connections: opts.connections, seconds: cfg.intakeS, rate: opts.rate });
    log(`${label}: ${r.reqPerSec.toFixed(0)} req/s, p50 ${round(r.p50Ms)} ms, p99 ${round(r.p99Ms)} ms, non-2xx ${r.non2xx}, errors ${r.errors}`);
    return r;
  };

  const basePort = await freePort();
  const baseline = await startNode({
    name: 'baseline',
    script: path.join('bench', 'baseline', 'server.mjs'),
    logDir,
    readyUrl: `http://127.0.0.1:${basePort}/health`,
    env: { PORT: String(basePort), DATABASE_URL: infra.databaseUrl, REDIS_URL: infra.redisUrl },
  });
  // Throughput in alternating rounds (baseline, ours, baseline, ours), so drift in
  // the machine's other load hits both sides alike; the figures are the means.
  const baseRuns = [];
  const ourRuns = [];
  let baseFixed;
  try {
    for (let k = 0; k < cfg.intakeRounds; k++) {
      baseRuns.push(await measure(`baseline, round ${k + 1}`, `http://127.0.0.1:${basePort}/v1/callbacks`, 'baseline', {}, { connections: cfg.connections }));
      ourRuns.push(await measure(`api, round ${k + 1}`, `${apiUrl}/v1/callbacks`, 'intake', headers, { connections: cfg.connections }));
    }
    baseFixed = await measure(`baseline at ${cfg.fixedRate} req/s`, `http://127.0.0.1:${basePort}/v1/callbacks`, 'baseline', {}, { connections: cfg.fixedRateConnections, rate: cfg.fixedRate });
  } finally {
    await stopChild(baseline);
  }
  const base = mean(baseRuns);
  const ours = mean(ourRuns);
  const fixed = await measure(`api at ${cfg.fixedRate} req/s`, `${apiUrl}/v1/callbacks`, 'fixedRate', headers, { connections: cfg.fixedRateConnections, rate: cfg.fixedRate });
  const apiRssMb = peakRssMb(api.pid);
  const heap = await heapFromMetrics(apiUrl);
  log(`api peak RSS ${apiRssMb.toFixed(0)} MB; V8 heap now ${heap.usedMb.toFixed(0)} MB used of ${heap.totalMb.toFixed(0)} MB`);
  return { base, baseFixed, ours, fixed, apiRssMb, heap };
}

/** V8 heap figures from the service's own /metrics (prom-client default metrics), in MB. */
async function heapFromMetrics(apiUrl) {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  const sum = (name) => text.split('\n').filter((l) => l.startsWith(name)).reduce((a, l) => a + Number(l.split(' ').pop()), 0) / 2 ** 20;
  return { usedMb: sum('nodejs_heap_size_used_bytes'), totalMb: sum('nodejs_heap_size_total_bytes'), externalMb: sum('nodejs_external_memory_bytes') };
}

/** Mean throughput and latency percentiles of several runs, keeping each run's throughput. */
function mean(runs) {
  const avg = (k) => runs.reduce((a, r) => a + r[k], 0) / runs.length;
  return { ...runs[0], reqPerSec: avg('reqPerSec'), p50Ms: avg('p50Ms'), p99Ms: avg('p99Ms'), non2xx: avg('non2xx'), errors: avg('errors'), runs: runs.map((r) => r.reqPerSec) };
}
