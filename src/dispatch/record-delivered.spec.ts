import { UnrecoverableError } from 'bullmq';
import { recordDelivered } from './record-delivered';

describe('recordDelivered', () => {
  it('retries a failing write until it succeeds', async () => {
    let calls = 0;
    const retries: number[] = [];
    const out = await recordDelivered(
      'ZD-1',
      async () => {
        if (++calls < 3) throw new Error('connection refused');
        return 'ok';
      },
      { budgetMs: 5_000, firstDelayMs: 1, onRetry: (n) => retries.push(n) },
    );
    expect(out).toBe('ok');
    expect(calls).toBe(3);
    expect(retries).toEqual([1, 2]);
  });

  it('gives up with an unrecoverable error naming the vendor reference, so the job is never re-sent', async () => {
    const err = await recordDelivered('ZD-42', () => Promise.reject(new Error('db down')), { budgetMs: 20, firstDelayMs: 5 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnrecoverableError);
    expect((err as Error).message).toBe('delivered to the vendor as ZD-42 but not recorded: db down');
  });
});
