// 3. Rate-limit fidelity: a backlog for one Zendesk account whose rolling-window
// limit is scaled down (Zendesk's 30 per 10 minutes → 30 per few seconds),
// against the project's fake Zendesk enforcing the same limit.
// Utilization: under a backlog a perfect rolling-window limiter sends call k+max
// exactly one window after call k, so the last call should come j·window after
// the call j·max before it. Utilization = j·window ÷ the time that actually took
// (100 % = not a millisecond of the allowance lost; every delay in freeing and
// re-using a slot lowers it). Violations = requests the fake refused (429).
import { createBody, createMany } from '../lib/load.mjs';
import { log, waitUntil } from '../lib/stats.mjs';

export const ZD_ACCOUNT = 'zd-bench';
const CALLBACKS = '/api/v2/channels/voice/callback_requests';

export async function rateLimitPhase({ cfg, state, apiUrl, headers, fake }) {
  const { max, windowMs, windows } = cfg.rateLimit;
  const backlog = max * (windows + 2);
  fake.reset();
  log(`rate limit: ${backlog} intents at once for ${max} per ${windowMs} ms`);
  const created = await createMany({ url: `${apiUrl}/v1/callbacks`, headers, count: backlog, connections: cfg.connections, body: () => createBody('rateLimit', { account: ZD_ACCOUNT }) });
  if (created.failures.length) log(`rate limit: ${created.failures.length} creates failed, e.g. ${JSON.stringify(created.failures[0])}`);
  const done = async () =>
    (await state.db.query('SELECT count(*)::int AS c FROM callback_intent WHERE account = $1 AND status = $2', [ZD_ACCOUNT, 'dispatched'])).rows[0].c;
  await waitUntil(async () => (await done()) >= created.ids.length, { timeoutMs: (windows + 4) * windowMs + 30_000, everyMs: 250 });

  const at = fake.requests.filter((r) => r.method === 'POST' && r.path === CALLBACKS).map((r) => r.at).sort((a, b) => a - b);
  const last = at.length - 1;
  const hops = Math.floor(last / max);
  const chainStart = at[last - hops * max];
  const tookMs = at[last] - chainStart;
  let busiest = 0;
  for (let i = 0, j = 0; i < at.length; i++) {
    while (at[j] <= at[i] - windowMs) j++;
    busiest = Math.max(busiest, i - j + 1);
  }
  const result = {
    max,
    windowMs,
    backlog,
    calls: at.length,
    dispatched: await done(),
    hops,
    idealMs: hops * windowMs,
    tookMs,
    utilization: hops ? (hops * windowMs) / tookMs : NaN,
    busiestWindow: busiest,
    violations: fake.limitViolations,
  };
  log(`rate limit: ${at.length} calls; ${hops} windows of ${max} took ${tookMs} ms (ideal ${hops * windowMs}) → ${(result.utilization * 100).toFixed(1)}%; busiest window ${busiest}; ${result.violations} violations`);
  return result;
}
