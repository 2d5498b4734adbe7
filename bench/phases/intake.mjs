// 1. Intake: create-callback throughput and latency at a fixed concurrency, the
// service's API role against the bare baseline in the same run, then p99 at a
// fixed request rate. Each measurement starts from empty tables and Redis.
import path from 'node:path';
import { freePort } from '../../scripts/infra.mjs';
import { createBody, postLoad } from '../lib/load.mjs';
import { peakRssMb, startNode, stopChild } from '../lib/procs.mjs';
import { resetState } from '../lib/state.mjs';
import { log } from '../lib/stats.mjs';

export async function intakePhase({ cfg, infra, state, apiUrl, api, headers, logDir }) {
  const scheduledAt = new Date(Date.now() + 86_400_000).toISOString();
  const measure = async (label, url, series, hdrs, opts) => {
    await resetState(state);
    if (cfg.warmupS) await postLoad({ url, headers: hdrs, body: () => createBody(series, { scheduledAt }), connections: opts.connections, seconds: cfg.warmupS, rate: opts.rate });
    const r = await postLoad({ url, headers: hdrs, body: () => createBody(series, { scheduledAt }), connections: opts.connections, seconds: cfg.intakeS, rate: opts.rate });
    log(`${label}: ${r.reqPerSec.toFixed(0)} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, non-2xx ${r.non2xx}, errors ${r.errors}`);
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
  let base;
  try {
    base = await measure('baseline', `http://127.0.0.1:${basePort}/v1/callbacks`, 'baseline', {}, { connections: cfg.connections });
  } finally {
    await stopChild(baseline);
  }
  const ours = await measure('api', `${apiUrl}/v1/callbacks`, 'intake', headers, { connections: cfg.connections });
  const fixed = await measure(`api at ${cfg.fixedRate} req/s`, `${apiUrl}/v1/callbacks`, 'fixedRate', headers, { connections: cfg.fixedRateConnections, rate: cfg.fixedRate });
  const apiRssMb = peakRssMb(api.pid);
  log(`api peak RSS ${apiRssMb.toFixed(0)} MB`);
  return { base, ours, fixed, apiRssMb };
}
