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

// ---- status webhooks -------------------------------------------------------

/** One queue for every webhook delivery, run by the worker role. */
export const WEBHOOK_QUEUE = 'webhooks';
export const WEBHOOK_JOB = 'deliver';
export const WEBHOOK_BACKOFF_TYPE = 'webhook-exponential';

/** Ids only: the payload and the secret stay in Postgres. */
export interface WebhookJobData {
  deliveryId: string;
}

export interface WebhookRetryPolicy {
  attempts: number;
  backoffMs: number;
  maxBackoffMs: number;
}

export function webhookJobId(deliveryId: string): string {
  return `delivery-${deliveryId}`;
}

export function webhookJobOptions(deliveryId: string, policy: WebhookRetryPolicy): JobsOptions {
  return {
    jobId: webhookJobId(deliveryId),
    attempts: policy.attempts,
    backoff: { type: WEBHOOK_BACKOFF_TYPE },
    removeOnComplete: { age: 24 * 3600, count: 5000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
  };
}

/**
 * base·2^(n-1) with ±25% jitter, capped. With the defaults (5 s, cap 1 h, 20
 * attempts) a delivery keeps trying for about 10 hours, so a receiver that is
 * down for minutes or hours still gets every event.
 */
export function webhookBackoffDelay(attemptsMade: number, policy: WebhookRetryPolicy, random: () => number = Math.random): number {
  const exp = policy.backoffMs * 2 ** Math.max(0, attemptsMade - 1);
  return Math.round(Math.min(exp, policy.maxBackoffMs) * (0.75 + 0.5 * random()));
}
