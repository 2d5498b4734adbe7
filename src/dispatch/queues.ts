/**
 * The one job catalogue: queue names, job names, job data, and the only
 * function that builds job options. One BullMQ queue per vendor account,
 * because BullMQ's open-source limiter works per queue.
 */
import type { JobsOptions } from 'bullmq';
import type { Account } from '../config/accounts';

export const DISPATCH_JOB = 'dispatch';

/** Job data carries ids only: no phone numbers, notes or secrets reach Redis. */
export interface DispatchJobData {
  intentId: string;
  account: string;
}

export function queueName(accountId: string): string {
  return `dispatch-${accountId}`;
}

/** BullMQ refuses all-digit custom ids, and a prefix makes ids readable in Bull Board. */
export function jobId(intentId: string): string {
  return `intent-${intentId}`;
}

export const BACKOFF_TYPE = 'jittered-exponential';

export function dispatchJobOptions(intentId: string, account: Account, delayMs: number): JobsOptions {
  return {
    jobId: jobId(intentId),
    delay: Math.max(0, Math.round(delayMs)),
    attempts: account.retry.attempts,
    backoff: { type: BACKOFF_TYPE },
    removeOnComplete: { age: 24 * 3600, count: 5000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
  };
}

/** Exponential backoff with ±25% jitter, capped: base·2^(n-1). */
export function backoffDelay(attemptsMade: number, account: Account, random: () => number = Math.random): number {
  const exp = account.retry.backoffMs * 2 ** Math.max(0, attemptsMade - 1);
  const capped = Math.min(exp, account.retry.maxBackoffMs);
  return Math.round(capped * (0.75 + 0.5 * random()));
}

/** When the job should run: the due time, less the vendor's hand-over lead for native schedulers. */
export function dispatchAt(dueAt: Date, handOverAheadMs: number): number {
  return dueAt.getTime() - handOverAheadMs;
}
