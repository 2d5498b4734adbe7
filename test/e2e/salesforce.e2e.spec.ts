/**
 * Salesforce Voice end to end: HTTP API → Postgres + Redis/BullMQ → SalesforceAdapter
 * → the fake Salesforce Telephony Integration API on 127.0.0.1 (test/fakes/salesforce.fake.ts).
 *
 * Accounts:
 *   sf-main    the right key, on `fake`; token reuse on (the default); retry backoff 100 ms
 *   sf-fresh   the right key, on `fake`, reuseToken: false (a new JWT, and jti, per request)
 *   sf-badkey  a private key that does not match the public key `fake` checks against
 *   sf-skewed  the right key, on `skewed`, a fake whose clock runs 200 s ahead of ours,
 *              so our exp (now + 150 s) has already passed by its clock
 * Tests run in order and share `fake`; each waits for its own requests to finish so a
 * scripted answer is never taken by another test's request.
 */
import { jwtVerify } from 'jose';
import YAML from 'yaml';
import { RecordedRequest, SalesforceFake } from '../fakes/salesforce.fake';
import { startTestApp, TestApp, waitFor } from '../support/app';

const { orgId, callCenterApiName, telephonyProviderName, audience } = SalesforceFake.defaults;
const SKEW_MS = 200_000;
const RETRY = { attempts: 5, backoffMs: 100, maxBackoffMs: 1_000, maxAgeMs: 600_000 };
const DEFAULT_RETRY_AFTER_MS = 400;

describe('Salesforce Voice through the service (fake Salesforce, real Postgres, Redis, BullMQ)', () => {
  let t: TestApp;
  let fake: SalesforceFake;
  let skewed: SalesforceFake;
  let keys: Awaited<ReturnType<typeof SalesforceFake.generateKeys>>;

  beforeAll(async () => {
    const [right, wrong] = await Promise.all([SalesforceFake.generateKeys(), SalesforceFake.generateKeys()]);
    keys = right;
    fake = await SalesforceFake.start({ publicKey: right.publicKey });
    skewed = await SalesforceFake.start({ publicKey: right.publicKey, now: () => new Date(Date.now() + SKEW_MS) });
    const entry = (id: string, baseUrl: string, keyEnv: string, extra: Record<string, unknown> = {}) => ({
      id,
      vendor: 'salesforce',
      baseUrl,
      rateLimit: { max: 100, windowMs: 60_000 },
      defaultRetryAfterMs: DEFAULT_RETRY_AFTER_MS,
      retry: RETRY,
      unknownOutcomePolicy: 'fail',
      salesforce: SalesforceFake.accountBlock(keyEnv, { timeoutMs: 2_000, ...extra }),
    });
    t = await startTestApp({
      accountsYaml: YAML.stringify({
        accounts: [
          entry('sf-main', fake.baseUrl, 'SF_JWT_KEY'),
          entry('sf-fresh', fake.baseUrl, 'SF_JWT_KEY', { reuseToken: false }),
          entry('sf-badkey', fake.baseUrl, 'SF_WRONG_KEY'),
          entry('sf-skewed', skewed.baseUrl, 'SF_JWT_KEY'),
        ],
      }),
      env: { SF_JWT_KEY: right.privateKeyPem, SF_WRONG_KEY: wrong.privateKeyPem },
    });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.stop();
    await skewed?.stop();
  });

  const create = async (body: Record<string, unknown>) => {
    const res = await t.call('POST', '/v1/callbacks', body);
    expect(res.status).toBe(201);
    return res.body as { id: string; status: string; scheduledAt: string; vendorReference: string | null };
  };
  const getIntent = async (id: string) => (await t.call('GET', `/v1/callbacks/${id}`)).body;
  const attemptsOf = async (id: string) => (await t.call('GET', `/v1/callbacks/${id}/attempts`)).body as any[];
  const until = (id: string, status: string, timeoutMs = 5_000) =>
    waitFor(async () => {
      const i = await getIntent(id);
      if (i.status !== status && ['dispatched', 'failed', 'expired', 'cancelled'].includes(i.status)) {
        throw new Error(`intent ${id} ended ${i.status} (${i.lastError}), expected ${status}`);
      }
      return i.status === status ? i : null;
    }, timeoutMs);
  const pathFor = (callId: string) => `/telephony/v1/voiceCalls/${callId}/requestCallback`;
  const requestsTo = (f: SalesforceFake, callId: string): RecordedRequest[] => f.requests.filter((r) => r.path === pathFor(callId));
  const ready = () => t.call('GET', '/health/ready');
  /** A time `ms` ahead in whole seconds, so it reaches Salesforce unchanged. */
  const ahead = (ms: number) => new Date(Math.ceil((Date.now() + ms) / 1000) * 1000);
  const wire = (d: Date) => d.toISOString().replace('.000Z', 'Z');
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** Everything Salesforce documents about the request, checked independently of the fake. */
  async function expectDocumentedRequest(r: RecordedRequest, callId: string, body: Record<string, unknown>) {
    expect(r.method).toBe('POST');
    expect(r.path).toBe(pathFor(callId));
    expect(r.headers['content-type']).toMatch(/^application\/json(;|$)/);
    expect(r.headers['telephony-provider-name']).toBe(telephonyProviderName);
    const token = /^Bearer (\S+)$/.exec(r.headers.authorization)?.[1];
    expect(token).toBeDefined();
    const { payload, protectedHeader } = await jwtVerify(token!, keys.publicKey, {
      algorithms: ['RS256'],
      issuer: orgId,
      subject: callCenterApiName,
      audience,
      currentDate: r.receivedAt,
    });
    expect(protectedHeader).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(payload.aud).toBe(audience);
    const sentAt = r.receivedAt.getTime() / 1000;
    expect(payload.exp! - sentAt).toBeGreaterThan(0);
    expect(payload.exp! - sentAt).toBeLessThanOrEqual(180);
    expect(payload.iat!).toBeLessThanOrEqual(Math.ceil(sentAt));
    expect(payload.jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(JSON.parse(r.rawBody)).toEqual(body);
    expect(r.refusal).toBeUndefined();
    expect(r.status).toBe(200);
    return { token: token!, jti: payload.jti as string };
  }

  it('sends due and 2-minutes-ahead intents with a valid JWT, the documented headers and body, and ends dispatched with the recordId', async () => {
    expect((await ready()).body.details.accounts.status).toBe('up');

    const nowCall = '0LQxx0000004CXoGAM';
    const laterCall = 'a3c1e2f0-5b7d-4c8e-9f10-112233445566';
    const due = ahead(2 * 60_000);
    const createdAt = Date.now();
    const asap = await create({ account: 'sf-main', phoneNumber: '+18445791189', routing: { voiceCallId: nowCall } });
    const later = await create({
      account: 'sf-main', phoneNumber: '+12518717081', scheduledAt: due.toISOString(), routing: { voiceCallId: laterCall, isPreviewCallback: true },
    });
    expect(later).toMatchObject({ status: 'scheduled', scheduledAt: due.toISOString(), vendorReference: null });

    const asapDone = await until(asap.id, 'dispatched');
    // Due in 2 minutes, inside the 5-minute hand-over lead: handed over at once, not at its due time.
    const laterDone = await until(later.id, 'dispatched');
    expect(Date.now() - createdAt).toBeLessThan(5_000);

    const [sentNow] = requestsTo(fake, nowCall);
    const [sentLater] = requestsTo(fake, laterCall);
    expect(requestsTo(fake, nowCall)).toHaveLength(1);
    expect(requestsTo(fake, laterCall)).toHaveLength(1);
    expect(sentNow.receivedAt.getTime() - createdAt).toBeLessThan(2_000);
    const a = await expectDocumentedRequest(sentNow, nowCall, { callbackNumber: '+18445791189', isPreviewCallback: false });
    const b = await expectDocumentedRequest(sentLater, laterCall, {
      callbackNumber: '+12518717081', isPreviewCallback: true, scheduledRoutingDateTime: wire(due),
    });
    expect(sentLater.receivedAt.getTime()).toBeLessThan(due.getTime() - 100_000);

    // The ContactRequests the fake created are what the intents now reference.
    const recordOf = (callId: string) => fake.callbacks.filter((c) => c.callId === callId);
    expect(recordOf(nowCall)).toHaveLength(1);
    expect(recordOf(laterCall)).toHaveLength(1);
    expect(recordOf(nowCall)[0].recordId).toMatch(/^0Tz/);
    expect(asapDone).toMatchObject({ status: 'dispatched', vendorReference: recordOf(nowCall)[0].recordId, attemptCount: 1, lastError: null });
    expect(laterDone).toMatchObject({
      status: 'dispatched', vendorReference: recordOf(laterCall)[0].recordId, attemptCount: 1, lastError: null, scheduledAt: due.toISOString(),
    });
    expect(asapDone.vendorReference).not.toBe(laterDone.vendorReference);
    expect(await attemptsOf(asap.id)).toEqual([expect.objectContaining({ number: 1, outcome: 'succeeded', httpStatus: 200, errorCode: null })]);
    const laterAttempts = await attemptsOf(later.id);
    expect(laterAttempts).toEqual([expect.objectContaining({ number: 1, outcome: 'succeeded', httpStatus: 200 })]);
    expect(laterAttempts[0].errorMessage).toContain(wire(due));

    // jti: a token signed anew always carries a new jti. sf-fresh signs one per request.
    const freshCalls = ['fresh-call-1', 'fresh-call-2'];
    const fresh = await Promise.all(freshCalls.map((c, i) => create({ account: 'sf-fresh', phoneNumber: `+1415555010${i}`, routing: { voiceCallId: c } })));
    await Promise.all(fresh.map((f) => until(f.id, 'dispatched')));
    const signed = [a, b];
    for (const [i, c] of freshCalls.entries()) {
      expect(requestsTo(fake, c)).toHaveLength(1);
      signed.push(await expectDocumentedRequest(requestsTo(fake, c)[0], c, { callbackNumber: `+1415555010${i}`, isPreviewCallback: false }));
    }
    const tokensByJti = new Map<string, Set<string>>();
    for (const s of signed) tokensByJti.set(s.jti, (tokensByJti.get(s.jti) ?? new Set()).add(s.token));
    for (const tokens of tokensByJti.values()) expect(tokens.size).toBe(1);
    const distinctTokens = new Set(signed.map((s) => s.token)).size;
    expect(distinctTokens).toBeGreaterThanOrEqual(3);
    expect(tokensByJti.size).toBe(distinctTokens);
  });

  it('fails an intent whose JWT is signed with the wrong key as a misconfigured account, once, and readiness reports the account', async () => {
    const callId = 'badkey-call-1';
    const intent = await create({ account: 'sf-badkey', phoneNumber: '+14155550111', routing: { voiceCallId: callId } });
    const failed = await until(intent.id, 'failed');
    expect(failed.lastError).toContain('sf-badkey');
    expect(failed.lastError).toContain('misconfigured');
    expect(failed.lastError).toContain('SF_WRONG_KEY');
    expect(failed.lastError).not.toMatch(/PRIVATE KEY/);
    expect(failed.vendorReference).toBeNull();

    // The fake refused it for its signature, and nothing was created.
    const sent = requestsTo(fake, callId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ status: 401 });
    expect(sent[0].refusal).toMatch(/signature/i);
    expect(sent[0].jwt?.claims).toMatchObject({ iss: orgId, sub: callCenterApiName, aud: audience });
    expect(fake.callbacks.filter((c) => c.callId === callId)).toHaveLength(0);
    const attempts = await attemptsOf(intent.id);
    expect(attempts).toEqual([expect.objectContaining({ number: 1, outcome: 'permanent', httpStatus: 401, errorCode: 'INVALID_AUTH' })]);

    const r = await ready();
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('degraded');
    expect(r.body.details).toMatchObject({ postgres: { status: 'up' }, redis: { status: 'up' } });
    expect(Object.keys(r.body.error)).toEqual(['accounts']);
    expect(r.body.error.accounts.status).toBe('down');
    expect(r.body.error.accounts.message).toContain('sf-badkey');
    expect(r.body.error.accounts.message).toContain('misconfigured');
    expect(r.body.error.accounts.message).not.toContain('sf-main');

    // Permanent: no retry reaches the fake afterwards.
    await pause(500);
    expect(requestsTo(fake, callId)).toHaveLength(1);
  });

  it('fails an intent whose JWT has expired by Salesforce\'s clock as a misconfigured account, and readiness reports it too', async () => {
    const callId = 'skewed-call-1';
    const intent = await create({ account: 'sf-skewed', phoneNumber: '+14155550112', routing: { voiceCallId: callId } });
    const failed = await until(intent.id, 'failed');
    expect(failed.lastError).toContain('sf-skewed');
    expect(failed.lastError).toContain('misconfigured');

    const sent = requestsTo(skewed, callId);
    expect(sent).toHaveLength(1);
    expect(sent[0].status).toBe(401);
    expect(sent[0].refusal).toMatch(/"exp"/);
    // Signed correctly (it verifies by our clock), but its exp lies behind the fake's clock.
    const { payload } = await jwtVerify(sent[0].jwt!.token, keys.publicKey, { issuer: orgId, subject: callCenterApiName, audience });
    expect(payload.exp! * 1000).toBeLessThan(sent[0].receivedAt.getTime());
    expect(skewed.callbacks).toHaveLength(0);
    expect(await attemptsOf(intent.id)).toEqual([expect.objectContaining({ outcome: 'permanent', httpStatus: 401 })]);

    const r = await ready();
    expect(r.body.status).toBe('degraded');
    expect(r.body.error.accounts.status).toBe('down');
    expect(r.body.error.accounts.message).toContain('sf-skewed');
    expect(r.body.error.accounts.message).toContain('sf-badkey');
    expect(r.body.error.accounts.message).toContain('misconfigured');
    await pause(300);
    expect(requestsTo(skewed, callId)).toHaveLength(1);
  });

  it('refuses an intent without routing.voiceCallId at creation with a 400 naming the field, and writes nothing', async () => {
    const count = async (table: string) => Number((await t.db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n);
    const tables = ['callback_intent', 'dispatch_attempt', 'idempotency_record'];
    const countAll = async () => {
      const out: number[] = [];
      for (const table of tables) out.push(await count(table)); // one pg client: one query at a time
      return out;
    };
    const before = await countAll();
    const requestsBefore = fake.requests.length;
    const phone = '+14155550113';

    for (const routing of [undefined, {}, { isPreviewCallback: true }, { voiceCallId: '' }]) {
      const res = await t.call(
        'POST', '/v1/callbacks', { account: 'sf-main', phoneNumber: phone, ...(routing && { routing }) }, { 'Idempotency-Key': 'sf-missing-call-id' },
      );
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'routing.voiceCallId', message: expect.stringContaining('required') })]);
      expect(typeof res.body.requestId).toBe('string');
    }

    expect(await countAll()).toEqual(before);
    expect((await t.db.query('SELECT count(*)::int AS n FROM callback_intent WHERE phone_number = $1', [phone])).rows[0].n).toBe(0);
    const listed = await t.call('GET', '/v1/callbacks?account=sf-main');
    expect(listed.status).toBe(200);
    expect(listed.body.items.some((i: { phoneNumber: string }) => i.phoneNumber === phone)).toBe(false);
    await pause(300);
    expect(fake.requests.length).toBe(requestsBefore);

    // The Idempotency-Key was not kept either: the corrected request is created, not answered with the 400.
    const fixed = await t.call('POST', '/v1/callbacks', { account: 'sf-main', phoneNumber: phone, routing: { voiceCallId: 'fixed-call-1' } }, { 'Idempotency-Key': 'sf-missing-call-id' });
    expect(fixed.status).toBe(201);
    await until(fixed.body.id, 'dispatched');
  });

  it('retries 429 (waiting Retry-After, or the account default) and 503 from Salesforce, then ends dispatched with one ContactRequest', async () => {
    const callId = 'retry-call-1';
    fake.enqueue(SalesforceFake.answers.rateLimited('1'), SalesforceFake.answers.unavailable(503), SalesforceFake.answers.rateLimited());
    const intent = await create({ account: 'sf-main', phoneNumber: '+14155550114', routing: { voiceCallId: callId } });
    const done = await until(intent.id, 'dispatched', 10_000);

    const sent = requestsTo(fake, callId);
    expect(sent.map((r) => r.status)).toEqual([429, 503, 429, 200]);
    // Every try is a full, documented request (the last with a valid JWT).
    await expectDocumentedRequest(sent[3], callId, { callbackNumber: '+14155550114', isPreviewCallback: false });
    for (const r of sent) expect(JSON.parse(r.rawBody)).toEqual({ callbackNumber: '+14155550114', isPreviewCallback: false });

    const created = fake.callbacks.filter((c) => c.callId === callId);
    expect(created).toHaveLength(1);
    // 429s do not spend an attempt; the 503 does.
    expect(done).toMatchObject({ status: 'dispatched', vendorReference: created[0].recordId, attemptCount: 2 });

    const attempts = await attemptsOf(intent.id);
    expect(attempts.map((x) => [x.outcome, x.httpStatus, x.errorCode])).toEqual([
      ['retryable', 429, 'rate_limited'],
      ['retryable', 503, 'SERVER_ERROR'],
      ['retryable', 429, 'rate_limited'],
      ['succeeded', 200, null],
    ]);
    const gap = (i: number) => Date.parse(attempts[i + 1].startedAt) - Date.parse(attempts[i].endedAt);
    expect(gap(0)).toBeGreaterThanOrEqual(950); // Retry-After: 1 (second)
    expect(gap(1)).toBeGreaterThanOrEqual(70); // backoff 100 ms ±25%
    expect(gap(2)).toBeGreaterThanOrEqual(DEFAULT_RETRY_AFTER_MS - 50); // no Retry-After: the account's default
  });
});
