/**
 * Once a vendor has accepted a callback, the worker must record it and must
 * never send it again. If Postgres is briefly unreachable (restart, pool
 * exhausted) the write is retried here with backoff instead of failing the job,
 * which BullMQ would retry — calling the vendor a second time.
 */
import { UnrecoverableError } from 'bullmq';

export interface RecordRetryOptions {
  /** Give up after this long (then the claim is left for the reconciler). */
  budgetMs: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
  onRetry?: (attempt: number, err: Error) => void;
}

export async function recordDelivered<T>(vendorRef: string, write: () => Promise<T>, opts: RecordRetryOptions): Promise<T> {
  const deadline = Date.now() + opts.budgetMs;
  let delay = opts.firstDelayMs ?? 100;
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (e) {
      const err = e as Error;
      if (Date.now() + delay > deadline) {
        // Not retryable by BullMQ: a retry would send again. The intent stays `dispatching`;
        // the reconciler closes the open attempt as unknown after STALE_CLAIM_MS.
        throw new UnrecoverableError(`delivered to the vendor as ${vendorRef} but not recorded: ${err.message}`);
      }
      opts.onRetry?.(attempt, err);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, opts.maxDelayMs ?? 5_000);
    }
  }
}
