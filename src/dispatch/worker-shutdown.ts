import type { Worker } from 'bullmq';

/**
 * Stops BullMQ workers taking jobs and waits up to `graceMs` for active ones.
 * `Worker.close()` can wait forever (a job that never ends, a connection stuck
 * after a Redis outage), and `close(true)` after it returns the same promise,
 * so when the grace ends the workers' connections are dropped instead; what
 * was unfinished is left to the reconciler or the webhook sweep.
 */
export async function closeWorkersWithin(workers: Worker[], graceMs: number): Promise<'closed' | 'grace'> {
  const closing = Promise.all(workers.map((w) => w.close().catch(() => undefined))).then(() => 'closed' as const);
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<'grace'>((resolve) => (timer = setTimeout(() => resolve('grace'), graceMs)));
  const how = await Promise.race([closing, grace]);
  clearTimeout(timer);
  if (how === 'grace') await Promise.all(workers.map((w) => w.disconnect().catch(() => undefined)));
  return how;
}
