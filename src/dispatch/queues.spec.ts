import { DEFAULT_RETRY, type Account } from '../config/accounts';
import { backoffDelay, dispatchJobOptions, jobId, queueName } from './queues';

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
