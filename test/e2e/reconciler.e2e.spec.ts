import { Reconciler } from '../../src/dispatch/reconciler';
import { DispatchQueues } from '../../src/dispatch/dispatch-queues';
import { jobId } from '../../src/dispatch/queues';
import { startTestApp, TestApp, waitFor } from '../support/app';

/** Postgres is the truth: the reconciler repairs what Redis lost, and the worker follows Postgres's time. */
describe('reconciler and Postgres-first dispatch', () => {
  let t: TestApp;
  let reconciler: Reconciler;
  let queues: DispatchQueues;
  beforeAll(async () => {
    t = await startTestApp({
      // The timer stays out of the way: passes are run by hand.
      env: { RECONCILE_INTERVAL_MS: '3600000', STALE_CLAIM_MS: '1000' },
      accountsYaml: 'accounts:\n  - id: sim-strict\n    vendor: simulator\n    unknownOutcomePolicy: fail\n  - id: sim-short\n    vendor: simulator\n    retry: { maxAgeMs: 2000 }\n',
    });
    reconciler = t.app.get(Reconciler);
    queues = t.app.get(DispatchQueues);
  });
  afterAll(async () => t.close());

  const create = async (account: string, phoneNumber: string, inMs: number) =>
    (await t.call('POST', '/v1/callbacks', { account, phoneNumber, scheduledAt: new Date(Date.now() + inMs).toISOString() })).body;
  const intent = async (id: string) => (await t.call('GET', `/v1/callbacks/${id}`)).body;

  it('re-enqueues a scheduled intent whose job Redis lost, and it goes out on time', async () => {
    const c = await create('sim', '+14155550601', 1_500);
    await (await queues.forAccount('sim').getJob(jobId(c.id)))!.remove();
    expect(await queues.forAccount('sim').getJob(jobId(c.id))).toBeUndefined();

    const report = await reconciler.runLocked();
    expect(report).toMatchObject({ enqueued: 1, recovered: 0, failed: 0 });
    await waitFor(async () => t.sim.received.find((d) => d.intentId === c.id), 3_000);
    const late = t.sim.received.find((d) => d.intentId === c.id)!.receivedAt.getTime() - Date.parse(c.scheduledAt);
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(1_000);
    // A second pass finds nothing to repair.
    expect(await reconciler.runLocked()).toMatchObject({ enqueued: 0, recovered: 0 });
  });

  async function orphanClaim(account: string, phone: string): Promise<string> {
    const c = await create(account, phone, 60_000);
    await (await queues.forAccount(account).getJob(jobId(c.id)))!.remove();
    // A worker claimed it, opened an attempt, and died.
    await t.db.query(
      `UPDATE callback_intent SET status = 'dispatching', claimed_at = now() - interval '5 seconds', due_at = now(), attempt_count = 1, version = version + 1 WHERE id = $1`,
      [c.id],
    );
    await t.db.query(`INSERT INTO dispatch_attempt (id, intent_id, number, started_at) VALUES (gen_random_uuid(), $1, 1, now() - interval '5 seconds')`, [c.id]);
    return c.id;
  }

  it("recovers a dead worker's claim: the open attempt becomes unknown and the intent is sent again", async () => {
    const id = await orphanClaim('sim', '+14155550602');
    const report = await reconciler.runLocked();
    expect(report).toMatchObject({ recovered: 1 });
    const done = await waitFor(async () => {
      const i = await intent(id);
      return i.status === 'dispatched' ? i : null;
    }, 3_000);
    expect(done.attemptCount).toBe(2);
    const attempts = (await t.call('GET', `/v1/callbacks/${id}/attempts`)).body;
    expect(attempts.map((a: { outcome: string; errorCode: string | null }) => [a.outcome, a.errorCode])).toEqual([
      ['unknown', 'worker_lost'],
      ['succeeded', null],
    ]);
  });

  it("fails a dead worker's claim instead where the account's unknown-outcome policy is fail", async () => {
    const id = await orphanClaim('sim-strict', '+14155550603');
    expect(await reconciler.runLocked()).toMatchObject({ failed: 1 });
    const i = await intent(id);
    expect(i.status).toBe('failed');
    expect(i.lastError).toContain('policy is fail');
    await new Promise((r) => setTimeout(r, 300));
    expect(t.sim.calls.get(id)).toBeUndefined();
  });

  it('follows a time changed in Postgres that Redis never heard of', async () => {
    const c = await create('sim', '+14155550604', 800);
    const newDue = new Date(Date.now() + 2_500);
    await t.db.query('UPDATE callback_intent SET due_at = $2, version = version + 1 WHERE id = $1', [c.id, newDue]);
    await waitFor(async () => t.sim.received.find((d) => d.intentId === c.id), 5_000);
    const at = t.sim.received.find((d) => d.intentId === c.id)!.receivedAt.getTime();
    expect(at).toBeGreaterThanOrEqual(newDue.getTime());
    expect(at - newDue.getTime()).toBeLessThan(1_000);
  });

  it('expires, without sending, an intent found past its maximum age (e.g. after a long Redis outage)', async () => {
    const c = await create('sim-short', '+14155550606', 60_000);
    await (await queues.forAccount('sim-short').getJob(jobId(c.id)))!.remove();
    // It fell due 5 s ago and Redis never ran it; the account allows 2 s.
    await t.db.query(`UPDATE callback_intent SET due_at = now() - interval '5 seconds', version = version + 1 WHERE id = $1`, [c.id]);
    expect(await reconciler.runLocked()).toMatchObject({ enqueued: 1 });
    const done = await waitFor(async () => {
      const i = await intent(c.id);
      return i.status === 'expired' ? i : null;
    }, 5_000);
    expect(done.lastError).toMatch(/^expired: not dispatched within 2000 ms of its due time/);
    expect(done.attemptCount).toBe(0);
    expect(t.sim.calls.get(c.id)).toBeUndefined();
  });

  it('purges expired Idempotency-Key records', async () => {
    await t.call('POST', '/v1/callbacks', { account: 'sim', phoneNumber: '+14155550605', scheduledAt: new Date(Date.now() + 60_000).toISOString() }, { 'idempotency-key': 'old-key' });
    await t.db.query(`UPDATE idempotency_record SET expires_at = now() - interval '1 second' WHERE key = 'old-key'`);
    expect(await reconciler.runLocked()).toMatchObject({ purged: 1 });
    expect((await t.db.query(`SELECT count(*)::int AS n FROM idempotency_record WHERE key = 'old-key'`)).rows[0].n).toBe(0);
  });
});
