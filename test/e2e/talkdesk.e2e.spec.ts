/**
 * Talkdesk end to end: HTTP API → Postgres + Redis/BullMQ → TalkdeskAdapter →
 * the fake Talkdesk (token endpoint + Scheduled Callbacks API) on 127.0.0.1.
 *
 * Two accounts, each on its own fake so request counts stay exact:
 *   talkdesk-test  — hands intents over 15 min ahead, no routing defaults
 *   talkdesk-burst — a fresh token cache for the 50-dispatch burst and token expiry
 */
import YAML from 'yaml';
import { startTestApp, TestApp, waitFor } from '../support/app';
import { RecordedRequest, TalkdeskFake } from '../fakes/talkdesk.fake';

const ROUTING = { assignmentType: 'SPECIFIC_AGENT', assignees: ['agent-7'], callerId: '+14155550100' };

describe('Talkdesk through the service (fake Talkdesk, real Postgres, Redis, BullMQ)', () => {
  let t: TestApp;
  let fake: TalkdeskFake;
  let burst: TalkdeskFake;

  beforeAll(async () => {
    fake = await TalkdeskFake.start();
    burst = await TalkdeskFake.start();
    const accountsYaml = YAML.stringify({
      accounts: [
        { ...fake.accountEntry('talkdesk-test', { handOverAheadMs: 15 * 60_000 }), retry: { attempts: 3, backoffMs: 100, maxBackoffMs: 400 } },
        { ...burst.accountEntry('talkdesk-burst', { handOverAheadMs: 15 * 60_000 }), retry: { attempts: 3, backoffMs: 100, maxBackoffMs: 400 } },
      ],
    });
    t = await startTestApp({ accountsYaml, env: { ...fake.env(), WORKER_CONCURRENCY: '50' } });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
    await burst?.stop();
  });

  const get = async (id: string) => (await t.call('GET', `/v1/callbacks/${id}`)).body;
  const dispatched = (id: string, timeoutMs = 10_000) =>
    waitFor(async () => {
      const i = await get(id);
      if (i.status === 'failed' || i.status === 'expired') throw new Error(`intent ${id} ended ${i.status}: ${i.lastError}`);
      return i.status === 'dispatched' ? i : null;
    }, timeoutMs);
  /** A time `ms` ahead in whole seconds, so it reaches Talkdesk unchanged. */
  const ahead = (ms: number) => new Date(Math.ceil((Date.now() + ms) / 1000) * 1000);
  const wire = (d: Date) => d.toISOString().replace('.000Z', 'Z');
  const creates = (f: TalkdeskFake, phone?: string) =>
    f.apiRequests.filter((r) => r.method === 'POST' && (!phone || JSON.parse(r.body).phoneNumber === phone));
  const bearer = (r: RecordedRequest) => String(r.headers.authorization).replace(/^Bearer /, '');

  it('hands an intent due in 10 minutes over ahead of time, with exactly its time to call and zone, and ends dispatched with Talkdesk\'s id', async () => {
    const phone = '+12518717081';
    const due = ahead(10 * 60_000);
    const res = await t.call('POST', '/v1/callbacks', {
      account: 'talkdesk-test', phoneNumber: phone, scheduledAt: due.toISOString(), timezone: 'Europe/Lisbon', notes: 'billing question', routing: ROUTING,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'scheduled', scheduledAt: due.toISOString(), vendorReference: null });

    const done = await dispatched(res.body.id);
    const posts = creates(fake, phone);
    expect(posts).toHaveLength(1);
    const post = posts[0];
    expect(post.path).toBe('/schedule-callbacks');
    expect(post.headers['content-type']).toMatch(/^application\/json/);
    expect(post.headers.authorization).toMatch(/^Bearer fake-/);
    // Sent now, ~10 minutes before it is due, carrying the due time itself (not the send time) and the zone.
    expect(due.getTime() - post.receivedAt).toBeGreaterThan(9 * 60_000);
    expect(JSON.parse(post.body)).toEqual({
      phoneNumber: phone, timeToCall: wire(due), timezone: 'Europe/Lisbon', assignmentType: 'SPECIFIC_AGENT', assignees: ['agent-7'],
      callerId: '+14155550100', dialingMode: 'PREVIEW', notes: 'billing question',
    });
    // The duplicate check ran first, for this number.
    const lists = fake.apiRequests.filter((r) => r.method === 'GET' && r.query.get('phone_number') === phone);
    expect(lists.length).toBeGreaterThanOrEqual(1);
    expect(lists[0].receivedAt).toBeLessThanOrEqual(post.receivedAt);

    const atTalkdesk = [...fake.callbacks.values()].filter((c) => c.phoneNumber === phone);
    expect(atTalkdesk).toHaveLength(1);
    expect(atTalkdesk[0]).toMatchObject({ timeToCall: wire(due), timezone: 'Europe/Lisbon', status: 'UNATTEMPTED' });
    expect(done).toMatchObject({ status: 'dispatched', vendorReference: atTalkdesk[0].id, scheduledAt: due.toISOString(), attemptCount: 1, lastError: null });

    const attempts = (await t.call('GET', `/v1/callbacks/${res.body.id}/attempts`)).body;
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ number: 1, outcome: 'succeeded', httpStatus: 201, errorCode: null });
  });

  it('50 concurrent dispatches cost one token request; an expired token is refreshed once and the call succeeds', async () => {
    // Slow the first token answer so every job is waiting for it at once.
    burst.enqueue({ match: { path: '/oauth/token' }, delayMs: 300 });
    const phones = Array.from({ length: 50 }, (_, i) => `+141555510${String(i).padStart(2, '0')}`);
    const created = await Promise.all(
      phones.map((phoneNumber) => t.call('POST', '/v1/callbacks', { account: 'talkdesk-burst', phoneNumber, routing: { assignmentType: 'ANY_ELIGIBLE_AGENT', callerId: '+14155550100' } })),
    );
    expect(created.map((r) => r.status)).toEqual(phones.map(() => 201));
    await waitFor(async () => {
      const { rows } = await t.db.query("SELECT status, count(*)::int AS n FROM callback_intent WHERE account = 'talkdesk-burst' GROUP BY status");
      if (rows.some((r) => r.status === 'failed' || r.status === 'expired')) throw new Error(`burst intents failed: ${JSON.stringify(rows)}`);
      return rows.length === 1 && rows[0].status === 'dispatched' && rows[0].n === 50;
    }, 30_000, 100);

    expect(burst.tokenRequests).toHaveLength(1);
    expect(burst.tokenRequests[0].body).toContain('grant_type=client_credentials');
    const token = bearer(burst.apiRequests[0]);
    expect(burst.apiRequests.every((r) => bearer(r) === token)).toBe(true);
    expect(creates(burst)).toHaveLength(50);
    expect(burst.callbacks.size).toBe(50);
    const refs = await Promise.all(created.map(async (r) => (await get(r.body.id)).vendorReference));
    expect(new Set(refs).size).toBe(50);
    expect(refs.every((ref) => burst.callbacks.has(ref))).toBe(true);

    // Talkdesk drops every token: the next call is refused once, refreshes once, and goes through.
    burst.expireTokens();
    const mark = burst.requests.length;
    const phone = '+14155551099';
    const late = await t.call('POST', '/v1/callbacks', { account: 'talkdesk-burst', phoneNumber: phone, routing: { assignmentType: 'ANY_ELIGIBLE_AGENT', callerId: '+14155550100' } });
    expect(late.status).toBe(201);
    const done = await dispatched(late.body.id);
    const after = burst.requests.slice(mark);
    expect(burst.tokenRequests).toHaveLength(2);
    expect(after.filter((r) => r.path === '/oauth/token')).toHaveLength(1);
    // Exactly one request went out with the dead token (the 401), right before the refresh; all later ones use the new token.
    expect(after[0].path).not.toBe('/oauth/token');
    expect(bearer(after[0])).toBe(token);
    expect(after[1].path).toBe('/oauth/token');
    const rest = after.slice(2);
    expect(rest.length).toBeGreaterThanOrEqual(2);
    expect(new Set(rest.map(bearer)).size).toBe(1);
    expect(bearer(rest[0])).not.toBe(token);
    expect(rest[0].method).toBe(after[0].method);
    expect(rest[0].url).toBe(after[0].url); // the refused call was sent again
    expect(creates(burst, phone)).toHaveLength(1);
    const cb = [...burst.callbacks.values()].find((c) => c.phoneNumber === phone)!;
    expect(done).toMatchObject({ vendorReference: cb.id, attemptCount: 1 });
    const attempts = (await t.call('GET', `/v1/callbacks/${late.body.id}/attempts`)).body;
    expect(attempts).toEqual([expect.objectContaining({ number: 1, outcome: 'succeeded', httpStatus: 201 })]);
  }, 45_000);

  it('links to a callback Talkdesk already holds open for the number instead of creating another', async () => {
    const phone = '+12518717082';
    const existing = fake.addCallback({ phoneNumber: phone, timeToCall: wire(ahead(30 * 60_000)), timezone: 'UTC', status: 'TO_BE_RETRIED' });
    const before = fake.callbacks.size;
    const res = await t.call('POST', '/v1/callbacks', { account: 'talkdesk-test', phoneNumber: phone, scheduledAt: ahead(10 * 60_000).toISOString(), routing: ROUTING });
    expect(res.status).toBe(201);
    const done = await dispatched(res.body.id);

    expect(done).toMatchObject({ status: 'dispatched', vendorReference: existing.id, attemptCount: 1 });
    expect(creates(fake, phone)).toHaveLength(0);
    expect(fake.callbacks.size).toBe(before);
    const lists = fake.apiRequests.filter((r) => r.method === 'GET' && r.query.get('phone_number') === phone);
    expect(lists.map((r) => r.query.get('status'))).toEqual(['UNATTEMPTED', 'TO_BE_RETRIED']);
    const attempts = (await t.call('GET', `/v1/callbacks/${res.body.id}/attempts`)).body;
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ number: 1, outcome: 'succeeded', httpStatus: 200 });
    expect(attempts[0].errorMessage).toBe(`linked to existing Talkdesk callback ${existing.id}`);
  });

  const dispatchedIntent = async (phone: string) => {
    const res = await t.call('POST', '/v1/callbacks', {
      account: 'talkdesk-test', phoneNumber: phone, scheduledAt: ahead(10 * 60_000).toISOString(), timezone: 'Europe/Lisbon', routing: ROUTING,
    });
    expect(res.status).toBe(201);
    const done = await dispatched(res.body.id);
    return { intent: done, cb: fake.callbacks.get(done.vendorReference)! };
  };
  const stateOf = (i: { status: string; scheduledAt: string; version: number; timezone: string | null; vendorReference: string | null }) => ({
    status: i.status, scheduledAt: i.scheduledAt, version: i.version, timezone: i.timezone, vendorReference: i.vendorReference,
  });

  it('carries a reschedule after hand-over to Talkdesk as PATCH; a refused PATCH changes nothing and answers 502 vendor_refused with Talkdesk\'s message', async () => {
    const { intent, cb } = await dispatchedIntent('+12518717083');
    expect(cb).toBeDefined();
    const newDue = ahead(20 * 60_000);
    const mark = fake.apiRequests.length;
    const ok = await t.call('PATCH', `/v1/callbacks/${intent.id}`, { scheduledAt: newDue.toISOString(), timezone: 'America/New_York' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'dispatched', scheduledAt: newDue.toISOString(), timezone: 'America/New_York', version: intent.version + 1, vendorReference: cb.id });
    const sent = fake.apiRequests.slice(mark);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ method: 'PATCH', path: `/schedule-callbacks/${cb.id}` });
    expect(JSON.parse(sent[0].body)).toEqual([
      { op: 'replace', path: '/timeToCall', value: wire(newDue) },
      { op: 'replace', path: '/timezone', value: 'America/New_York' },
    ]);
    expect(fake.callbacks.get(cb.id)).toMatchObject({ timeToCall: wire(newDue), timezone: 'America/New_York' });

    // Talkdesk refuses the next one: our state and Talkdesk's stay as they were.
    const before = stateOf(await get(intent.id));
    const message = 'Scheduled callback is SUCCESS and cannot be changed';
    fake.enqueue({ match: { method: 'PATCH' }, status: 409, body: { code: '3600090', message, fields: [] } });
    const refused = await t.call('PATCH', `/v1/callbacks/${intent.id}`, { scheduledAt: ahead(40 * 60_000).toISOString() });
    expect(refused.status).toBe(502);
    expect(refused.body.error.code).toBe('vendor_refused');
    expect(refused.body.error.message).toContain(message);
    expect(refused.body.requestId).toEqual(expect.any(String));
    expect(fake.apiRequests.slice(mark).filter((r) => r.method === 'PATCH')).toHaveLength(2);
    expect(stateOf(await get(intent.id))).toEqual(before);
    expect(before).toMatchObject({ status: 'dispatched', scheduledAt: newDue.toISOString(), version: intent.version + 1 });
    expect(fake.callbacks.get(cb.id)).toMatchObject({ timeToCall: wire(newDue), status: 'UNATTEMPTED' });
  });

  it('carries a cancel after hand-over to Talkdesk as DELETE; a refused DELETE changes nothing and answers 502 vendor_refused with Talkdesk\'s message', async () => {
    const { intent, cb } = await dispatchedIntent('+12518717084');
    const before = stateOf(intent);
    const message = 'Scheduled callback not found';
    fake.enqueue({ match: { method: 'DELETE' }, status: 404, body: { code: '3600040', message, fields: [] } });
    const mark = fake.apiRequests.length;
    const refused = await t.call('POST', `/v1/callbacks/${intent.id}/cancel`);
    expect(refused.status).toBe(502);
    expect(refused.body.error.code).toBe('vendor_refused');
    expect(refused.body.error.message).toContain(message);
    expect(stateOf(await get(intent.id))).toEqual(before);
    expect(fake.callbacks.get(cb.id)!.status).toBe('UNATTEMPTED');

    const ok = await t.call('POST', `/v1/callbacks/${intent.id}/cancel`);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'cancelled', version: intent.version + 1, vendorReference: cb.id });
    const sent = fake.apiRequests.slice(mark);
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([`DELETE /schedule-callbacks/${cb.id}`, `DELETE /schedule-callbacks/${cb.id}`]);
    expect(fake.callbacks.get(cb.id)!.status).toBe('CANCELED');
    expect((await get(intent.id)).status).toBe('cancelled');
  });

  it('answers 503 vendor_unavailable, and changes nothing, when Talkdesk drops the connection on a reschedule', async () => {
    const { intent, cb } = await dispatchedIntent('+12518717099');
    const before = stateOf(intent);
    fake.enqueue({ match: { method: 'PATCH' }, drop: true });
    const res = await t.call('PATCH', `/v1/callbacks/${intent.id}`, { scheduledAt: ahead(30 * 60_000).toISOString() });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('vendor_unavailable');
    expect(res.body.error.message).toContain('may or may not have applied it');
    expect(stateOf(await get(intent.id))).toEqual(before);
    expect(fake.callbacks.get(cb.id)!.timeToCall).toBe(wire(new Date(intent.scheduledAt)));
  });

  it.each([
    ['no routing at all', undefined, ['routing.assignmentType', 'routing.callerId']],
    ['a SPECIFIC_ assignment without assignees or caller id', { assignmentType: 'SPECIFIC_RING_GROUP' }, ['routing.assignees', 'routing.callerId']],
    ['assignees without an assignment type', { assignees: ['rg-1'], callerId: '+14155550100' }, ['routing.assignmentType']],
    ['a SPECIFIC_AGENT assignment with a caller id but no assignees', { assignmentType: 'SPECIFIC_AGENT', callerId: '+14155550100' }, ['routing.assignees']],
  ])('refuses %s with a 400 naming the missing routing fields and writes nothing', async (_name, routing, fields) => {
    const phone = '+12518717085';
    const apiBefore = fake.apiRequests.length;
    const res = await t.call('POST', '/v1/callbacks', {
      account: 'talkdesk-test', phoneNumber: phone, scheduledAt: ahead(10 * 60_000).toISOString(), ...(routing ? { routing } : {}),
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([...fields].sort());
    const { rows } = await t.db.query('SELECT count(*)::int AS n FROM callback_intent WHERE phone_number = $1', [phone]);
    expect(rows[0].n).toBe(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.apiRequests.length).toBe(apiBefore);
  });
});
