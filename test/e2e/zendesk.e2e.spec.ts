/**
 * Zendesk Talk end to end: HTTP API → Postgres → BullMQ (real Redis) → ZendeskAdapter
 * → the fake Zendesk on 127.0.0.1 (test/fakes/zendesk.fake.ts).
 *
 * Accounts:
 *   zd-a, zd-b  two Zendesk accounts on the same fake (no tight limit), retry backoff 100 ms
 *   zd-burst    an account on a second fake that enforces 3 callback requests per rolling 2 s,
 *               with the account's rateLimit set the same
 */
import { CALLBACKS, FAKE_EMAIL, FAKE_TOKEN, RecordedRequest, smsOnlyNumber, voiceNumber, ZendeskFake } from '../fakes/zendesk.fake';
import { startTestApp, TestApp, waitFor } from '../support/app';

const SEED_NUMBER = '+12518717081';
const BURST = { max: 3, windowMs: 2_000 };
const BURST_COUNT = 45;

describe('Zendesk Talk through the service (fake Zendesk, real Postgres, Redis, BullMQ)', () => {
  let t: TestApp;
  let fake: ZendeskFake;
  let limited: ZendeskFake;

  beforeAll(async () => {
    fake = await ZendeskFake.start({ phoneNumbers: [voiceNumber(1001), smsOnlyNumber(1002), voiceNumber(1003)] });
    limited = await ZendeskFake.start({ limit: BURST });
    const block = `{ email: ${FAKE_EMAIL}, apiTokenEnv: ZD_TOKEN, defaultPhoneNumberId: 1001, timeoutMs: 2000 }`;
    const retry = '{ attempts: 5, backoffMs: 100, maxBackoffMs: 1000, maxAgeMs: 600000 }';
    t = await startTestApp({
      accountsYaml: `
accounts:
  - id: zd-a
    vendor: zendesk
    baseUrl: ${fake.baseUrl}
    rateLimit: { max: 100, windowMs: 60000 }
    defaultRetryAfterMs: 5000
    retry: ${retry}
    zendesk: ${block}
  - id: zd-b
    vendor: zendesk
    baseUrl: ${fake.baseUrl}
    rateLimit: { max: 100, windowMs: 60000 }
    retry: ${retry}
    zendesk: ${block}
  - id: zd-burst
    vendor: zendesk
    baseUrl: ${limited.baseUrl}
    rateLimit: { max: ${BURST.max}, windowMs: ${BURST.windowMs} }
    retry: ${retry}
    zendesk: ${block}
`,
      env: { ZD_TOKEN: FAKE_TOKEN },
    });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
    await limited?.stop();
  });

  const create = async (body: Record<string, unknown>) => {
    const res = await t.call('POST', '/v1/callbacks', body);
    expect(res.status).toBe(201);
    return res.body as { id: string; status: string };
  };
  const getIntent = async (id: string) => (await t.call('GET', `/v1/callbacks/${id}`)).body;
  const attemptsOf = async (id: string) => (await t.call('GET', `/v1/callbacks/${id}/attempts`)).body as any[];
  const until = (id: string, status: string, timeoutMs = 5_000) =>
    waitFor(async () => {
      const i = await getIntent(id);
      return i.status === status ? i : null;
    }, timeoutMs);
  /** Callback POSTs that reached a fake for one requester number. */
  const postsFor = (f: ZendeskFake, phone: string): RecordedRequest[] =>
    f.requestsTo('POST', CALLBACKS).filter((r) => r.body.includes(`"requester_phone_number":"${phone}"`));
  const basicAuth = `Basic ${Buffer.from(`${FAKE_EMAIL}/token:${FAKE_TOKEN}`).toString('base64')}`;

  it("sends a due intent as exactly the seed's body with Basic auth, and ends dispatched (group_ids only when routed)", async () => {
    const due = new Date(Date.now() + 1_500);
    const plain = await create({ account: 'zd-a', phoneNumber: SEED_NUMBER, scheduledAt: due.toISOString() });
    const routed = await create({ account: 'zd-a', phoneNumber: '+12518717082', scheduledAt: due.toISOString(), routing: { phoneNumberId: 1003, groupIds: [7, 42] } });
    expect(plain.status).toBe('scheduled');

    // Not before its time.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(postsFor(fake, SEED_NUMBER)).toHaveLength(0);

    const done = await until(plain.id, 'dispatched');
    const routedDone = await until(routed.id, 'dispatched');

    const [sent] = postsFor(fake, SEED_NUMBER);
    expect(postsFor(fake, SEED_NUMBER)).toHaveLength(1);
    expect(sent.body).toBe('{"callback_request":{"phone_number_id":1001,"requester_phone_number":"+12518717081"}}');
    expect(sent.headers.authorization).toBe(basicAuth);
    expect(sent.headers['content-type']).toMatch(/^application\/json/);
    expect(sent.at).toBeGreaterThanOrEqual(due.getTime());
    expect(sent.at - due.getTime()).toBeLessThan(1_000);

    const routedSent = postsFor(fake, '+12518717082');
    expect(routedSent).toHaveLength(1);
    expect(routedSent[0].body).toBe('{"callback_request":{"phone_number_id":1003,"requester_phone_number":"+12518717082","group_ids":[7,42]}}');
    expect(routedSent[0].headers.authorization).toBe(basicAuth);

    // The fake accepted both (201) exactly once.
    expect(fake.callbackRequests.filter((c) => c.requester_phone_number === SEED_NUMBER)).toEqual([{ phone_number_id: 1001, requester_phone_number: SEED_NUMBER }]);
    expect(fake.callbackRequests.filter((c) => c.requester_phone_number === '+12518717082')).toEqual([
      { phone_number_id: 1003, requester_phone_number: '+12518717082', group_ids: [7, 42] },
    ]);

    // The seed's 201 has a null body: the reference is ours.
    expect(done).toMatchObject({ status: 'dispatched', vendorReference: `zendesk:${plain.id}`, attemptCount: 1, lastError: null });
    expect(routedDone).toMatchObject({ status: 'dispatched', vendorReference: `zendesk:${routed.id}`, attemptCount: 1 });
    const attempts = await attemptsOf(plain.id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ number: 1, outcome: 'succeeded', httpStatus: 201, errorCode: null });
  });

  it(`keeps ${BURST_COUNT} intents due at once within the fake's ${BURST.max} per ${BURST.windowMs} ms and uses the whole allowance`, async () => {
    const due = new Date(Date.now() + 3_000);
    const phones = Array.from({ length: BURST_COUNT }, (_, i) => `+1251871${7100 + i}`);
    const ids: string[] = [];
    for (let i = 0; i < phones.length; i += 15) {
      const batch = await Promise.all(phones.slice(i, i + 15).map((phoneNumber) => create({ account: 'zd-burst', phoneNumber, scheduledAt: due.toISOString() })));
      ids.push(...batch.map((b) => b.id));
    }
    expect(Date.now()).toBeLessThan(due.getTime()); // all were in before they fell due

    const minMs = (BURST_COUNT / BURST.max - 1) * BURST.windowMs; // 28 s
    await waitFor(async () => limited.callbackRequests.length >= BURST_COUNT || limited.limitViolations > 0, minMs * 1.15 + 3_000, 100);
    // On failure, show when each callback request reached Zendesk (ms after the due time).
    const timeline = limited.requestsTo('POST', CALLBACKS).map((r) => r.at - due.getTime());
    expect({ limitViolations: limited.limitViolations, timeline }).toEqual({ limitViolations: 0, timeline: expect.any(Array) });
    const finals = await waitFor(async () => {
      const all = await Promise.all(ids.map(getIntent));
      return all.every((f) => f.status === 'dispatched') ? all : null;
    }, 3_000, 100);
    const doneAt = Date.now();

    // No 429 was caused by us, nothing was refused, nothing sent twice.
    expect(limited.limitViolations).toBe(0);
    const posts = limited.requestsTo('POST', CALLBACKS);
    expect(posts).toHaveLength(BURST_COUNT);
    expect(new Set(limited.callbackRequests.map((c) => c.requester_phone_number))).toEqual(new Set(phones));
    expect(finals.every((f) => f.attemptCount === 1 && f.lastError === null)).toBe(true);

    // Never more than 3 in any rolling 2 s, as seen by Zendesk.
    const at = posts.map((p) => p.at).sort((a, b) => a - b);
    for (let i = BURST.max; i < at.length; i++) expect(at[i] - at[i - BURST.max]).toBeGreaterThanOrEqual(BURST.windowMs);

    // In the least time the limit allows: first call on time, last ≈ 28 s after the due time (≤ +15%).
    expect(at[0] - due.getTime()).toBeGreaterThanOrEqual(0);
    expect(at[0] - due.getTime()).toBeLessThan(1_000);
    const total = at[at.length - 1] - due.getTime();
    expect(total).toBeGreaterThanOrEqual(minMs);
    expect(total).toBeLessThanOrEqual(minMs * 1.15);
    expect(doneAt - due.getTime()).toBeLessThanOrEqual(minMs * 1.15 + 2_000);
    // Without a single wasted or rate-limited attempt row.
    const rows = await Promise.all(ids.map(attemptsOf));
    for (const r of rows) expect(r.map((a) => a.outcome)).toEqual(['succeeded']);
  }, 60_000);

  it('waits out a 429 with Retry-After: 2 on that account only, without spending an attempt', async () => {
    fake.enqueue({
      match: { method: 'POST', path: CALLBACKS },
      status: 429,
      headers: { 'retry-after': '2' },
      body: { error: 'TooManyRequests', description: 'Rate limit for callback requests exceeded' },
    });
    const a1 = await create({ account: 'zd-a', phoneNumber: '+12518717201' });
    const refused = await waitFor(async () => postsFor(fake, '+12518717201')[0], 3_000);
    await waitFor(async () => (await getIntent(a1.id)).lastError?.startsWith('rate limited') || null, 2_000);

    // While zd-a waits: a second intent on zd-a waits too; zd-b goes out at once.
    const a2 = await create({ account: 'zd-a', phoneNumber: '+12518717202' });
    const bCreated = Date.now();
    const b1 = await create({ account: 'zd-b', phoneNumber: '+12518717203' });
    const bDone = await until(b1.id, 'dispatched', 1_000);
    expect(Date.now() - bCreated).toBeLessThan(1_000);
    const bSent = postsFor(fake, '+12518717203');
    expect(bSent).toHaveLength(1);
    expect(bSent[0].at - bCreated).toBeLessThan(1_000);
    expect(bSent[0].at - refused.at).toBeLessThan(2_000);
    expect(bDone.attemptCount).toBe(1);
    expect((await getIntent(a1.id)).status).toBe('scheduled');
    expect(postsFor(fake, '+12518717201')).toHaveLength(1);
    expect(postsFor(fake, '+12518717202')).toHaveLength(0);

    const a1Done = await until(a1.id, 'dispatched', 6_000);
    await until(a2.id, 'dispatched', 3_000);
    const a1Posts = postsFor(fake, '+12518717201');
    const a2Posts = postsFor(fake, '+12518717202');
    expect(a1Posts).toHaveLength(2);
    expect(a2Posts).toHaveLength(1);
    // zd-a's next call of any intent came no sooner than Retry-After.
    const nextA = Math.min(a1Posts[1].at, a2Posts[0].at);
    expect(nextA - refused.at).toBeGreaterThanOrEqual(2_000);
    expect(nextA - refused.at).toBeLessThan(3_500);

    expect(a1Done).toMatchObject({ status: 'dispatched', attemptCount: 1, lastError: null, vendorReference: `zendesk:${a1.id}` });
    const attempts = await attemptsOf(a1.id);
    expect(attempts).toHaveLength(2);
    expect(attempts[0]).toMatchObject({ number: 1, outcome: 'retryable', httpStatus: 429, errorCode: 'rate_limited' });
    expect(attempts[0].errorMessage).toContain('Rate limit for callback requests exceeded');
    expect(attempts[1]).toMatchObject({ number: 2, outcome: 'succeeded', httpStatus: 201 });
    expect(Date.parse(attempts[1].startedAt) - Date.parse(attempts[0].endedAt)).toBeGreaterThanOrEqual(1_950);
  });

  it("ends a 422 as failed with Zendesk's description in lastError, after one attempt", async () => {
    fake.enqueue({
      match: { method: 'POST', path: CALLBACKS },
      status: 422,
      body: {
        error: 'RecordInvalid',
        description: 'Record validation errors',
        details: { group_ids: [{ description: 'Group 99 is not a Talk group', error: 'InvalidValue' }] },
      },
    });
    const c = await create({ account: 'zd-a', phoneNumber: '+12518717301', routing: { groupIds: [99] } });
    const failed = await until(c.id, 'failed');
    expect(failed.lastError).toContain('Record validation errors');
    expect(failed.lastError).toContain('Group 99 is not a Talk group');
    expect(failed.lastError).toContain('422');
    expect(failed.attemptCount).toBe(1);
    const attempts = await attemptsOf(c.id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ outcome: 'permanent', httpStatus: 422, errorCode: 'RecordInvalid' });
    // No retry follows.
    await new Promise((r) => setTimeout(r, 600));
    expect(postsFor(fake, '+12518717301')).toHaveLength(1);
    expect((await getIntent(c.id)).status).toBe('failed');
  });

  it('retries two 503s with backoff and ends dispatched after 3 attempts', async () => {
    const unavailable = { match: { method: 'POST', path: CALLBACKS }, status: 503, body: 'Service Unavailable' };
    fake.enqueue(unavailable, unavailable);
    const c = await create({ account: 'zd-a', phoneNumber: '+12518717401' });
    const done = await until(c.id, 'dispatched', 8_000);
    expect(done).toMatchObject({ attemptCount: 3, lastError: null, vendorReference: `zendesk:${c.id}` });
    const attempts = await attemptsOf(c.id);
    expect(attempts.map((a) => [a.number, a.outcome, a.httpStatus])).toEqual([
      [1, 'retryable', 503],
      [2, 'retryable', 503],
      [3, 'succeeded', 201],
    ]);
    const posts = postsFor(fake, '+12518717401');
    expect(posts).toHaveLength(3);
    expect(new Set(posts.map((p) => p.body)).size).toBe(1); // the same body each time
    // Backoff 100 ms doubling, ±25% jitter.
    expect(posts[1].at - posts[0].at).toBeGreaterThanOrEqual(70);
    expect(posts[2].at - posts[1].at).toBeGreaterThanOrEqual(140);
    expect(fake.callbackRequests.filter((r) => r.requester_phone_number === '+12518717401')).toHaveLength(1);
  });

  it.each([
    [1002, 'a non-voice (SMS only) Talk number', /phone_number_id 1002 is not a voice-capable/, 'NotVoiceCapable'],
    [4242, 'an unknown Talk number', /phone_number_id 4242 was not found/, 'RecordNotFound'],
  ])('fails phone_number_id %s (%s) before any callback request is sent', async (id, _what, reason, code) => {
    const phone = `+125187175${String(id).slice(-2)}`;
    const c = await create({ account: 'zd-a', phoneNumber: phone, routing: { phoneNumberId: id } });
    const failed = await until(c.id, 'failed');
    expect(failed.lastError).toMatch(reason);
    expect(failed.lastError).toContain('no callback request was sent');
    const attempts = await attemptsOf(c.id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ outcome: 'permanent', errorCode: code });
    // The number was looked up, and nothing went to callback_requests for it.
    expect(fake.requestsTo('GET', `/api/v2/channels/voice/phone_numbers/${id}`).length).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(postsFor(fake, phone)).toHaveLength(0);
    expect(fake.callbackRequests.filter((r) => r.requester_phone_number === phone)).toHaveLength(0);
    expect(fake.requests.filter((r) => r.body.includes(phone))).toHaveLength(0);
  });
});
