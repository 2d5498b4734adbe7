/**
 * Tenant isolation: a client sees and changes only its own callbacks (another
 * client's id is a 404, never a 403), lists never leak, a duplicate against
 * another client's live callback does not reveal it, and an account may be
 * restricted to named clients.
 */
import { startTestApp, TestApp } from '../support/app';

const ACCOUNTS = `
accounts:
  - id: sim
    vendor: simulator
  - id: sim-billing
    vendor: simulator
    allowedClients: [billing]
`;

describe('tenant isolation (e2e)', () => {
  let t: TestApp;
  let billing: Record<string, string>;
  let crm: Record<string, string>;
  const later = () => new Date(Date.now() + 3_600_000).toISOString();

  beforeAll(async () => {
    t = await startTestApp({ accountsYaml: ACCOUNTS });
    billing = await t.clientHeaders('billing');
    crm = await t.clientHeaders('crm');
  });
  afterAll(() => t.close());

  it("answers 404 for every route on another client's callback and changes nothing", async () => {
    const mine = await t.call('POST', '/v1/callbacks', { account: 'sim', phoneNumber: '+14155550801', scheduledAt: later(), notes: 'private' }, billing);
    expect(mine.status).toBe(201);
    const id = mine.body.id;
    const probes = [
      await t.call('GET', `/v1/callbacks/${id}`, undefined, crm),
      await t.call('GET', `/v1/callbacks/${id}/attempts`, undefined, crm),
      await t.call('PATCH', `/v1/callbacks/${id}`, { notes: 'mine now' }, crm),
      await t.call('POST', `/v1/callbacks/${id}/cancel`, undefined, crm),
    ];
    for (const p of probes) {
      expect(p.status).toBe(404);
      expect(p.body.error.code).toBe('not_found');
      expect(JSON.stringify(p.body)).not.toContain('private');
    }
    const still = await t.call('GET', `/v1/callbacks/${id}`, undefined, billing);
    expect(still.body).toMatchObject({ status: 'scheduled', notes: 'private', version: mine.body.version });
  });

  it('lists only the caller\'s rows, whatever the filters', async () => {
    await t.call('POST', '/v1/callbacks', { account: 'sim', phoneNumber: '+14155550802', scheduledAt: later() }, crm);
    const crmList = await t.call('GET', '/v1/callbacks?limit=100', undefined, crm);
    const billingList = await t.call('GET', '/v1/callbacks?limit=100', undefined, billing);
    expect(crmList.body.items.every((i: { client?: string; phoneNumber: string }) => i.phoneNumber !== '+14155550801')).toBe(true);
    expect(billingList.body.items.map((i: { phoneNumber: string }) => i.phoneNumber)).toEqual(['+14155550801']);
    const byPhone = await t.call('GET', `/v1/callbacks?phoneNumber=${encodeURIComponent('+14155550801')}&status=scheduled`, undefined, crm);
    expect(byPhone.body.items).toHaveLength(0);
  });

  it("refuses a duplicate of another client's live callback without naming it, in every onDuplicate mode", async () => {
    const { rows: before } = await t.db.query(`SELECT id, notes, due_at FROM callback_intent WHERE phone_number = '+14155550801'`);
    for (const onDuplicate of ['reject', 'return_existing', 'replace']) {
      const r = await t.call('POST', '/v1/callbacks', { account: 'sim', phoneNumber: '+14155550801', scheduledAt: later(), notes: 'hijack', onDuplicate }, crm);
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('duplicate_live_callback');
      expect(r.body.error.existingId).toBeUndefined();
      expect(JSON.stringify(r.body)).not.toContain(before[0].id);
    }
    const { rows: after } = await t.db.query(`SELECT id, notes, due_at FROM callback_intent WHERE phone_number = '+14155550801'`);
    expect(after).toEqual(before);
  });

  it('an account restricted to named clients is unknown to the others', async () => {
    const denied = await t.call('POST', '/v1/callbacks', { account: 'sim-billing', phoneNumber: '+14155550803' }, crm);
    expect(denied.status).toBe(400);
    expect(denied.body.error.details).toEqual([{ field: 'account', message: 'unknown account "sim-billing"' }]);
    const allowed = await t.call('POST', '/v1/callbacks', { account: 'sim-billing', phoneNumber: '+14155550803', scheduledAt: later() }, billing);
    expect(allowed.status).toBe(201);
    const { rows } = await t.db.query(`SELECT client FROM callback_intent WHERE phone_number = '+14155550803'`);
    expect(rows).toEqual([{ client: 'billing' }]);
  });
});
