/**
 * The vendor accepted a callback but Postgres refused to record it for a
 * while: the worker retries the write, and never calls the vendor twice.
 */
import { startTestApp, TestApp, waitFor } from '../support/app';

describe('recording a delivery that Postgres refuses at first (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    // A real failure inside Postgres: the first 3 attempts to mark an intent dispatched raise
    // (a sequence counts them: nextval survives the rollback).
    await t.db.query(`
      CREATE SEQUENCE record_tries;
      CREATE FUNCTION refuse_dispatched() RETURNS trigger AS $$
      BEGIN
        IF NEW.status = 'dispatched' AND nextval('record_tries') <= 3 THEN
          RAISE EXCEPTION 'simulated outage while recording';
        END IF;
        RETURN NEW;
      END $$ LANGUAGE plpgsql;
      CREATE TRIGGER refuse_dispatched BEFORE UPDATE ON callback_intent FOR EACH ROW EXECUTE FUNCTION refuse_dispatched();`);
  });
  afterAll(() => t.close());

  it('records it on a later try and the vendor got exactly one request', async () => {
    const r = await t.call('POST', '/v1/callbacks', { account: 'sim', phoneNumber: '+14155550971' });
    expect(r.status).toBe(201);
    const done = await waitFor(async () => {
      const v = (await t.call('GET', `/v1/callbacks/${r.body.id}`)).body;
      return v.status === 'dispatched' ? v : null;
    }, 20_000);
    expect(done.vendorReference).toBeTruthy();
    expect(t.sim.calls.get(r.body.id)).toBe(1);
    expect(t.sim.received.filter((d) => d.intentId === r.body.id)).toHaveLength(1);
    const attempts = (await t.call('GET', `/v1/callbacks/${r.body.id}/attempts`)).body;
    expect(attempts).toHaveLength(1);
    expect(attempts[0].outcome).toBe('succeeded');
    const { rows } = await t.db.query('SELECT last_value FROM record_tries');
    expect(Number(rows[0].last_value)).toBe(4);
  });
});
