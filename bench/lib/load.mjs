// Load generation with autocannon, in this (the bench) process: the server
// under test runs in its own process, so load and service do not share a thread.
import autocannon from 'autocannon';

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
