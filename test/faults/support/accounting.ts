/**
 * The accounting check every scenario ends with, written once:
 *   1. every accepted intent (the client got 2xx) is in Postgres exactly once, in a
 *      terminal state once things settle — none missing, none stuck live;
 *   2. nothing is stored that the client was not told about: every row of the
 *      scenario belongs to a request that got 2xx (a 5xx never hid a write);
 *   3. every `dispatched` intent reached the fake vendor (a callback was created);
 *   4. duplicates at the vendor are counted, and each one is explained by an
 *      attempt recorded as `unknown` (timeout after send, worker lost mid-call).
 * Results are appended to test/faults/results.json for docs/RELIABILITY.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Cluster, ROOT } from './cluster';
import { Ledger } from './client';

const TERMINAL = new Set(['dispatched', 'failed', 'cancelled', 'expired']);
export const RESULTS_FILE = path.join(ROOT, 'test/faults/results.json');

export interface Accounting {
  scenario: string;
  intents: number;
  lost: number;
  duplicates: number;
  unknownAttempts: number;
  statuses: Record<string, number>;
  clientFiveXx: number;
  /** Problems found; empty when the check passes. */
  problems: string[];
  settledAt: number;
}

interface Row {
  id: string;
  phone_number: string;
  status: string;
}

async function rows(c: Cluster, scenario: string): Promise<Row[]> {
  return (await c.db.query<Row>(`SELECT id, phone_number, status FROM callback_intent WHERE metadata->>'scenario' = $1`, [scenario])).rows;
}

/** Waits until every intent of the scenario is terminal (or the timeout passes), then checks the books. */
export async function settleAndAccount(c: Cluster, ledger: Ledger, timeoutMs = 120_000): Promise<Accounting> {
  const deadline = Date.now() + timeoutMs;
  let current: Row[] = [];
  for (;;) {
    current = await rows(c, ledger.scenario).catch(() => current);
    if (current.length >= ledger.accepted.length && current.every((r) => TERMINAL.has(r.status))) break;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const settledAt = Date.now();
  const problems: string[] = [];
  const byId = new Map(current.map((r) => [r.id, r]));
  const acceptedIds = new Set(ledger.accepted.map((e) => e.id!));

  const missing = ledger.accepted.filter((e) => !byId.has(e.id!));
  if (missing.length) problems.push(`${missing.length} accepted intent(s) missing from Postgres`);
  const unasked = current.filter((r) => !acceptedIds.has(r.id));
  if (unasked.length) problems.push(`${unasked.length} intent(s) stored for requests that never got a 2xx (silently stored)`);
  const live = current.filter((r) => !TERMINAL.has(r.status));
  if (live.length) problems.push(`${live.length} intent(s) still live after ${timeoutMs} ms: ${[...new Set(live.map((r) => r.status))].join(', ')}`);

  const attempts = (
    await c.db.query<{ intent_id: string; outcome: string | null }>(`SELECT intent_id, outcome FROM dispatch_attempt WHERE intent_id = ANY($1::uuid[])`, [
      current.map((r) => r.id),
    ])
  ).rows;
  const unknownBy = new Map<string, number>();
  for (const a of attempts) if (a.outcome === 'unknown') unknownBy.set(a.intent_id, (unknownBy.get(a.intent_id) ?? 0) + 1);

  const created = new Map<string, number>();
  for (const r of await c.vendorRequests()) if (r.created) created.set(r.phone, (created.get(r.phone) ?? 0) + 1);

  let duplicates = 0;
  let notAtVendor = 0;
  let unexplained = 0;
  for (const r of current) {
    const n = created.get(r.phone_number) ?? 0;
    if (r.status === 'dispatched' && n === 0) notAtVendor++;
    const expected = r.status === 'dispatched' ? 1 : 0;
    const extra = Math.max(0, n - expected);
    duplicates += Math.max(0, n - 1);
    if (extra > (unknownBy.get(r.id) ?? 0)) unexplained += extra - (unknownBy.get(r.id) ?? 0);
  }
  if (notAtVendor) problems.push(`${notAtVendor} intent(s) marked dispatched that never reached the vendor`);
  if (unexplained) problems.push(`${unexplained} callback(s) at the vendor not explained by an unknown attempt`);

  const statuses: Record<string, number> = {};
  for (const r of current) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const result: Accounting = {
    scenario: ledger.scenario,
    intents: ledger.accepted.length,
    lost: missing.length + live.length + notAtVendor,
    duplicates,
    unknownAttempts: [...unknownBy.values()].reduce((a, b) => a + b, 0),
    statuses,
    clientFiveXx: ledger.fiveXx,
    problems,
    settledAt,
  };
  return result;
}

/** Appends a scenario's measurements to test/faults/results.json (git-ignored). */
export function recordResult(entry: Record<string, unknown>): void {
  let all: Record<string, unknown>[] = [];
  try {
    all = JSON.parse(fs.readFileSync(RESULTS_FILE, 'utf8'));
  } catch {
    /* first scenario of the run */
  }
  all = all.filter((e) => e.scenario !== entry.scenario);
  all.push({ ...entry, recordedAt: new Date().toISOString() });
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(all, null, 2)}\n`);
}
