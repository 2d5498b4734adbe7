/**
 * PII and secrets: retention anonymises (or deletes) old terminal intents, and
 * neither phone numbers nor credentials reach Bull Board job data, metrics
 * labels or API answers.
 */
import { Queue } from 'bullmq';
import { ManualClock } from '../../src/common/clock';
import { Retention } from '../../src/ops/retention';
import { startTestApp, TestApp, waitFor } from '../support/app';

const DAY = 86_400_000;

describe('retention (e2e)', () => {
  const clock = new ManualClock();
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ clock, env: { RETENTION_DAYS: '30' } });
  });
  afterAll(() => t.close());

  it('anonymises terminal intents older than RETENTION_DAYS and leaves live and recent ones alone', async () => {
    const later = new Date(clock.now().getTime() + 60 * DAY).toISOString();
    const old = await t.call('POST', '/v1/callbacks', { account: 'sim', phoneNumber: '+14155550901', scheduledAt: later, notes: 'secret note', metadata: { crm: 'C-1' } });
    await t.call('POST', `/v1/callbacks/${old.body.id}/cancel`);
    const live = await t.call('POST', '/v1/callbacks', { account: 'sim', phoneNumber: '+14155550902', scheduledAt: later, notes: 'keep' });
    await t.db.query(`UPDATE callback_intent SET updated_at = $1 WHERE id = $2`, [new Date(clock.now().getTime() - 31 * DAY), old.body.id]);
    const recent = await t.call('POST', '/v1/callbacks', { account: 'sim', phoneNumber: '+14155550903', scheduledAt: later, notes: 'recent' });
    await t.call('POST', `/v1/callbacks/${recent.body.id}/cancel`);

    const changed = await t.app.get(Retention).runOnce();
    expect(changed).toBe(1);
    const gone = await t.call('GET', `/v1/callbacks/${old.body.id}`);
    expect(gone.body).toMatchObject({ status: 'cancelled', phoneNumber: '+1•••01', notes: null, metadata: {} });
    expect((await t.call('GET', `/v1/callbacks/${live.body.id}`)).body.notes).toBe('keep');
    expect((await t.call('GET', `/v1/callbacks/${recent.body.id}`)).body.notes).toBe('recent');
    // A second pass has nothing left to do.
    expect(await t.app.get(Retention).runOnce()).toBe(0);
  });
});

describe('retention, delete mode (e2e)', () => {
  const clock = new ManualClock();
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ clock, env: { RETENTION_DAYS: '7', RETENTION_MODE: 'delete' } });
  });
  afterAll(() => t.close());

  it('deletes old terminal intents with their attempts', async () => {
    const r = await t.call('POST', '/v1/callbacks', { account: 'sim', phoneNumber: '+14155550904' });
    await waitFor(async () => (await t.call('GET', `/v1/callbacks/${r.body.id}`)).body.status === 'dispatched');
    await t.db.query(`UPDATE callback_intent SET updated_at = $1 WHERE id = $2`, [new Date(clock.now().getTime() - 8 * DAY), r.body.id]);
    expect(await t.app.get(Retention).runOnce()).toBe(1);
    expect((await t.call('GET', `/v1/callbacks/${r.body.id}`)).status).toBe(404);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM dispatch_attempt WHERE intent_id = $1`, [r.body.id]);
    expect(rows[0].n).toBe(0);
  });
});

describe('secrets and phone numbers stay out of job data, metrics and answers (e2e)', () => {
  const TOKEN = 'zd-token-that-must-never-leak-0042';
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      accountsYaml: `
accounts:
  - id: zd
    vendor: zendesk
    baseUrl: http://127.0.0.1:9
    zendesk: { email: ops@acme.example, apiTokenEnv: ZD_LEAK_TOKEN, defaultPhoneNumberId: 1001 }
`,
      env: { ZD_LEAK_TOKEN: TOKEN },
    });
  });
  afterAll(() => t.close());

  it('keeps the token and the number out of Bull Board job data, metrics and responses', async () => {
    const phone = '+14155550905';
    const r = await t.call('POST', '/v1/callbacks', { account: 'zd', phoneNumber: phone, scheduledAt: new Date(Date.now() + 3_600_000).toISOString(), notes: 'n' });
    expect(r.status).toBe(201);
    // BullMQ leaves a connection it was given open: disconnect it, or jest never exits.
    const connection = t.redis.duplicate();
    const queue = new Queue('dispatch-zd', { connection, prefix: t.prefix });
    const job = await waitFor(() => queue.getJob(`intent-${r.body.id}`));
    const exposed = JSON.stringify({ name: job.name, data: job.data, opts: job.opts });
    expect(exposed).toContain(r.body.id);
    for (const s of [TOKEN, phone, phone.slice(1), '4155550905']) expect(exposed).not.toContain(s);
    await queue.close();
    connection.disconnect();

    const metrics = await (await fetch(`${t.baseUrl}/metrics`)).text();
    expect(metrics).toContain('callback_intents_created_total');
    for (const s of [TOKEN, '4155550905']) expect(metrics).not.toContain(s);
    const ready = await t.call('GET', '/health/ready');
    const docs = await t.call('GET', '/docs/json');
    for (const body of [r.body, ready.body, docs.body]) expect(JSON.stringify(body)).not.toContain(TOKEN);
  });
});
