import { DEFAULT_RETRY, type Account } from '../config/accounts';
import { backoffDelay, dispatchJobOptions, jobId, queueName, webhookBackoffDelay, webhookJobOptions } from './queues';

const account = { id: 'acme', retry: { ...DEFAULT_RETRY, attempts: 4, backoffMs: 1000, maxBackoffMs: 5000 } } as Account;

describe('job catalogue', () => {
  it('prefixes job ids so BullMQ accepts them and they read well', () => {
    expect(jobId('123')).toBe('intent-123');
    expect(queueName('acme')).toBe('dispatch-acme');
  });

  it('builds options from the account retry policy, never a negative delay', () => {
    const o = dispatchJobOptions('x', account, -50);
    expect(o).toMatchObject({ jobId: 'intent-x', delay: 0, attempts: 4, backoff: { type: 'jittered-exponential' } });
  });

  it('backs off exponentially with jitter inside ±25%, capped', () => {
    expect(backoffDelay(1, account, () => 0.5)).toBe(1000);
    expect(backoffDelay(2, account, () => 0.5)).toBe(2000);
    expect(backoffDelay(3, account, () => 0)).toBe(3000);
    expect(backoffDelay(3, account, () => 1)).toBe(5000);
    expect(backoffDelay(10, account, () => 0.5)).toBe(5000);
  });
});

describe('webhook job options', () => {
  const policy = { attempts: 20, backoffMs: 5_000, maxBackoffMs: 3_600_000 };
  it('backs off exponentially up to the cap, and the defaults keep trying for hours', () => {
    const mid = () => 0.5;
    expect(webhookBackoffDelay(1, policy, mid)).toBe(5_000);
    expect(webhookBackoffDelay(4, policy, mid)).toBe(40_000);
    expect(webhookBackoffDelay(15, policy, mid)).toBe(3_600_000);
    let total = 0;
    for (let n = 1; n < policy.attempts; n++) total += webhookBackoffDelay(n, policy, mid);
    expect(total).toBeGreaterThan(10 * 3_600_000);
    expect(webhookJobOptions('d1', policy)).toMatchObject({ jobId: 'delivery-d1', attempts: 20, backoff: { type: 'webhook-exponential' } });
  });
});
