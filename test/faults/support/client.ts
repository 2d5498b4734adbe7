/**
 * A well-behaved client of the API, as the fault suite's callers: every create
 * carries an Idempotency-Key, and a 5xx or a network error is retried with the
 * same key until a definite answer (or the deadline). The ledger keeps what
 * each request finally got, for the accounting check.
 */
import { randomUUID } from 'node:crypto';

let apiKey: string | null = null;

/** The suite's API key, created by the cluster with `node dist/main.js keys create` after migrating. */
export function useApiKey(key: string): void {
  apiKey = key;
}

/** The one place request headers are built. */
export function authHeaders(): Record<string, string> {
  if (!apiKey) throw new Error('no API key yet: the cluster creates one when it starts');
  return { authorization: `Bearer ${apiKey}` };
}

export interface LedgerEntry {
  phone: string;
  key: string;
  dueAt: number;
  /** Every status the client saw, in order (0 = network error). */
  statuses: number[];
  /** The intent id from the final 2xx answer. */
  id?: string;
}

export class Ledger {
  readonly entries: LedgerEntry[] = [];
  constructor(readonly scenario: string) {}

  get accepted(): LedgerEntry[] {
    return this.entries.filter((e) => e.id);
  }
  get fiveXx(): number {
    return this.entries.reduce((n, e) => n + e.statuses.filter((s) => s >= 500 || s === 0).length, 0);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Creates one intent, retrying 5xx / network errors with the same Idempotency-Key for up to retryForMs. */
export async function createIntent(apiUrl: string, ledger: Ledger, phone: string, dueAt: number | null, retryForMs = 90_000): Promise<LedgerEntry> {
  const entry: LedgerEntry = { phone, key: randomUUID(), dueAt: dueAt ?? Date.now(), statuses: [] };
  ledger.entries.push(entry);
  const body = JSON.stringify({
    account: 'zd-faults',
    phoneNumber: phone,
    ...(dueAt !== null && { scheduledAt: new Date(dueAt).toISOString() }),
    metadata: { scenario: ledger.scenario },
  });
  const deadline = Date.now() + retryForMs;
  for (;;) {
    let status = 0;
    let json: { id?: string; scheduledAt?: string } | undefined;
    try {
      const res = await fetch(`${apiUrl}/v1/callbacks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': entry.key, ...authHeaders() },
        body,
        signal: AbortSignal.timeout(15_000),
      });
      status = res.status;
      json = (await res.json().catch(() => undefined)) as typeof json;
    } catch {
      status = 0;
    }
    entry.statuses.push(status);
    if (status === 200 || status === 201) {
      entry.id = json?.id;
      if (json?.scheduledAt) entry.dueAt = Date.parse(json.scheduledAt);
      return entry;
    }
    if ((status !== 0 && status < 500) || Date.now() > deadline) return entry;
    await sleep(300);
  }
}

/** Runs fn over items with at most `concurrency` in flight. */
export async function pool<T>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

/** Distinct valid numbers per scenario: +1 <area> 555 nnnn. */
export function phoneFor(area: number, i: number): string {
  return `+1${area}555${String(i).padStart(4, '0')}`;
}
