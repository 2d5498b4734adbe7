// Load generation in this (the bench) process: the server under test runs in its
// own process, so load and service do not share a thread.
//  - postLoad: autocannon, closed loop at a fixed number of connections (throughput).
//  - fixedRateLoad: open loop at a steady request rate (latency at a given rate).
//    autocannon's `overallRate` is not used for that: each connection sends its
//    share of the second's requests back to back when the second starts, so
//    "500 req/s" arrives as one burst of 500 a second and the p99 measures the burst.
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { percentile, sleep } from './stats.mjs';

/** UK mobile numbers (+447d + 8 digits) are valid E.164; each series `d` yields 10^8 distinct ones. */
const SERIES = { baseline: '1', intake: '2', fixedRate: '3', empty: '4', dispatch: '5', rateLimit: '7', scaleApi: '8', scaleSeed: '9' };
const counters = new Map();

export function phone(series) {
  const d = SERIES[series];
  if (!d) throw new Error(`unknown phone series ${series}`);
  const n = (counters.get(series) ?? 0) + 1;
  counters.set(series, n);
  return `+447${d}${String(n).padStart(8, '0')}`;
}

/** The create-callback body used by every intake measurement (ours and the baseline alike). */
export function createBody(series, { account = 'sim', scheduledAt } = {}) {
  const body = { account, phoneNumber: phone(series), metadata: { source: 'bench' } };
  if (scheduledAt !== undefined) body.scheduledAt = scheduledAt;
  return body;
}

/**
 * Runs autocannon against POST <url>. `rate` set: a fixed overall request rate
 * (req/s); otherwise as fast as `connections` allow. `body()` makes each body.
 */
export async function postLoad({ url, headers, body, connections, seconds, rate }) {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    ...(rate ? { overallRate: rate } : {}),
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        setupRequest: (req) => ({ ...req, body: JSON.stringify(body()) }),
      },
    ],
  });
  return {
    reqPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    seconds,
    connections,
    rate: rate ?? null,
  };
}

/**
 * Sends POST <url> at a steady `rate` for `seconds` (one request every 1000/rate ms,
 * up to `connections` in flight, the rest queued). Latency is measured from each
 * request's scheduled time, so a slow server cannot hide its queue by slowing the
 * sender (no coordinated omission).
 */
export async function fixedRateLoad({ url, headers, body, rate, seconds, connections = 64 }) {
  const { origin, pathname } = new URL(url);
  const pool = new Pool(origin, { connections, pipelining: 1 });
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const latencies = [];
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  const inFlight = new Set();
  const start = performance.now();
  let i = 0;
  while (i < total) {
    const wait = start + i * interval - performance.now();
    if (wait > 1) await sleep(wait - 0.5);
    while (i < total && start + i * interval <= performance.now()) {
      const scheduled = start + i * interval;
      i++;
      const p = pool
        .request({ path: pathname, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body()) })
        .then(async (res) => {
          await res.body.dump();
          latencies.push(performance.now() - scheduled);
          if (res.statusCode >= 200 && res.statusCode < 300) ok++;
          else non2xx++;
        })
        .catch(() => errors++)
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
  }
  await Promise.all(inFlight);
  const elapsedS = (performance.now() - start) / 1000;
  await pool.close();
  return {
    reqPerSec: (ok + non2xx) / elapsedS,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.length ? Math.max(...latencies) : NaN,
    ok, non2xx, errors, seconds, connections, rate,
  };
}

/** Runs `fn` `times` times and returns the run with the median p99, with every run's p99 (shared-machine noise). */
export async function medianRun(times, fn) {
  const runs = [];
  for (let k = 0; k < times; k++) runs.push(await fn());
  runs.sort((a, b) => a.p99Ms - b.p99Ms);
  return { ...runs[Math.floor(times / 2)], p99Runs: runs.map((r) => r.p99Ms) };
}

/** Creates `count` intents through the API with `connections` requests in flight; returns the ids. */
export async function createMany({ url, headers, count, connections, body }) {
  const ids = [];
  const failures = [];
  let next = 0;
  const one = async () => {
    while (next < count) {
      const i = next++;
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body(i)) });
      const json = await res.json().catch(() => null);
      if (res.status === 201) ids.push(json.id);
      else failures.push({ status: res.status, body: json });
    }
  };
  await Promise.all(Array.from({ length: connections }, one));
  return { ids, failures };
}
