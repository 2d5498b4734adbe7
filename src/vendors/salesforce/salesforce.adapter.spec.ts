/**
 * The adapter against the fake Salesforce (test/fakes/salesforce.fake.ts),
 * which verifies the JWT signature and every claim, the headers and the body.
 * Keys are generated at run time; the fake shares the adapter's test clock.
 */
import { jwtVerify } from 'jose';
import { SalesforceFake } from '../../../test/fakes/salesforce.fake';
import { ManualClock } from '../../common/clock';
import { DEFAULT_RETRY, type Account } from '../../config/accounts';
import type { DispatchRequest } from '../vendor-adapter';
import {
  VendorMisconfiguredError,
  VendorOutcomeUnknownError,
  VendorPermanentError,
  VendorRateLimitedError,
  VendorRetryableError,
} from '../vendor.errors';
import { HAND_OVER_AHEAD_MS, SalesforceAdapter } from './salesforce.adapter';
import type { SalesforceSettings } from './salesforce.types';

/** The error a dispatch failed with; fails the test if it succeeded. */
async function failure(p: Promise<unknown>): Promise<Error> {
  const outcome = await p.then(
    (value) => ({ value }),
    (error: Error) => ({ error }),
  );
  if ('value' in outcome) throw new Error(`expected the dispatch to fail, it returned ${JSON.stringify(outcome.value)}`);
  return outcome.error;
}

type Keys = Awaited<ReturnType<typeof SalesforceFake.generateKeys>>;
const CALL_ID = '89328b83-ff42-4c85-a2af-e948124365de';

describe('SalesforceAdapter against the fake Salesforce', () => {
  let keys: Keys;
  let wrongKeys: Keys;
  let clock: ManualClock;
  let fake: SalesforceFake;
  let adapter: SalesforceAdapter;

  beforeAll(async () => {
    [keys, wrongKeys] = await Promise.all([SalesforceFake.generateKeys(), SalesforceFake.generateKeys()]);
  });

  beforeEach(async () => {
    clock = new ManualClock(new Date(Math.floor(Date.now() / 1000) * 1000));
    fake = await SalesforceFake.start({ publicKey: keys.publicKey, now: () => clock.now() });
    adapter = new SalesforceAdapter(clock);
  });

  afterEach(async () => {
    await adapter.onModuleDestroy();
    await fake.stop();
  });

  function account(opts: { pem?: string; block?: Record<string, unknown>; baseUrl?: string; on?: SalesforceAdapter } = {}): Account<SalesforceSettings> {
    const settings = (opts.on ?? adapter).validateAccount(SalesforceFake.accountBlock('SF_JWT_KEY', opts.block), {
      SF_JWT_KEY: opts.pem ?? keys.privateKeyPem,
    });
    return {
      id: 'sf-test', vendor: 'salesforce', baseUrl: opts.baseUrl ?? fake.baseUrl, rateLimit: null, defaultRetryAfterMs: 30_000,
      retry: DEFAULT_RETRY, unknownOutcomePolicy: 'fail', defaultTimezone: null, allowedClients: null, settings,
    };
  }

  function request(over: Partial<DispatchRequest> = {}): DispatchRequest {
    return {
      intentId: 'cb_1', phoneNumber: '+12518717081', dueAt: null, timezone: null, notes: null,
      routing: { voiceCallId: CALL_ID }, attempt: 1, previousOutcomeUnknown: false, ...over,
    };
  }

  it('declares native scheduling, handed over 5 minutes ahead, without update or cancel', () => {
    expect(adapter.capabilities).toEqual({
      nativeScheduling: true, minLeadMs: 0, handOverAheadMs: 5 * 60_000, canUpdate: false, canCancel: false, canLookup: false,
    });
  });

  it('sends an immediate callback with a valid JWT, the right headers and body, and returns recordId', async () => {
    const result = await adapter.dispatch(account(), request());

    expect(fake.callbacks).toHaveLength(1);
    expect(result).toEqual({ vendorRef: fake.callbacks[0].recordId, httpStatus: 200 });
    const [sent] = fake.requests;
    expect(sent.refusal).toBeUndefined();
    expect(sent.status).toBe(200);
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe(`/telephony/v1/voiceCalls/${CALL_ID}/requestCallback`);
    expect(sent.headers['content-type']).toBe('application/json');
    expect(sent.headers['telephony-provider-name']).toBe('Acme Telephony');
    expect(sent.headers.authorization).toBe(`Bearer ${sent.jwt!.token}`);
    expect(sent.rawBody).toBe('{"callbackNumber":"+12518717081","isPreviewCallback":false}');
    // The fake checked the signature and claims; check them here too, independently.
    const { payload, protectedHeader } = await jwtVerify(sent.jwt!.token, keys.publicKey, { currentDate: clock.now() });
    expect(protectedHeader.alg).toBe('RS256');
    const nowSec = clock.now().getTime() / 1000;
    expect(payload).toMatchObject({ iss: '00Dxx0000001gEH', sub: 'ACME_CC', aud: 'https://scrt.salesforce.com', iat: nowSec, exp: nowSec + 150 });
    expect(typeof payload.jti).toBe('string');
  });

  it('hands a scheduled intent over with scheduledRoutingDateTime and the preview flag', async () => {
    const dueAt = new Date(clock.now().getTime() + HAND_OVER_AHEAD_MS - 30_000);
    const result = await adapter.dispatch(account(), request({ dueAt, routing: { voiceCallId: CALL_ID, isPreviewCallback: true } }));

    const due = dueAt.toISOString().replace('.000Z', 'Z');
    expect(fake.requests[0].rawBody).toBe(`{"callbackNumber":"+12518717081","isPreviewCallback":true,"scheduledRoutingDateTime":"${due}"}`);
    expect(result).toEqual({ vendorRef: fake.callbacks[0].recordId, httpStatus: 200, scheduledFor: dueAt, note: `scheduled at Salesforce for ${due}` });
  });

  it('sends a due time that has passed (late retry) without scheduledRoutingDateTime', async () => {
    await adapter.dispatch(account(), request({ dueAt: new Date(clock.now().getTime() - 60_000) }));
    expect(JSON.parse(fake.requests[0].rawBody)).toEqual({ callbackNumber: '+12518717081', isPreviewCallback: false });
  });

  it('reuses the token within the margin and signs a new one after', async () => {
    const acc = account();
    await adapter.dispatch(acc, request());
    clock.advance(60_000);
    await adapter.dispatch(acc, request({ intentId: 'cb_2', phoneNumber: '+12518717082' }));
    clock.advance(30_000); // 60 s left on the first token: not enough
    await adapter.dispatch(acc, request({ intentId: 'cb_3', phoneNumber: '+12518717083' }));

    const [a, b, c] = fake.requests;
    expect([a, b, c].map((r) => r.status)).toEqual([200, 200, 200]);
    expect(b.headers.authorization).toBe(a.headers.authorization);
    expect(c.headers.authorization).not.toBe(a.headers.authorization);
    expect(c.jwt!.claims.jti).not.toBe(a.jwt!.claims.jti);
  });

  it('signs one token per request when reuseToken is off (for a single-use jti)', async () => {
    await fake.stop();
    fake = await SalesforceFake.start({ publicKey: keys.publicKeyPem, now: () => clock.now(), singleUseJti: true });
    const acc = account({ block: { reuseToken: false } });
    await adapter.dispatch(acc, request());
    await adapter.dispatch(acc, request({ intentId: 'cb_2' }));
    expect(fake.requests.map((r) => r.status)).toEqual([200, 200]);
    expect(fake.requests[1].jwt!.claims.jti).not.toBe(fake.requests[0].jwt!.claims.jti);
  });

  it('surfaces a JWT signed with the wrong key as a misconfigured account, and checkAuth reports it until a success', async () => {
    const err = await failure(adapter.dispatch(account({ pem: wrongKeys.privateKeyPem }), request()));

    expect(err).toBeInstanceOf(VendorMisconfiguredError);
    expect(err.message).toContain('Salesforce account sf-test is misconfigured');
    expect(err.message).toContain('SF_JWT_KEY');
    expect(fake.requests[0].refusal).toMatch(/signature verification failed/);
    expect(fake.requests).toHaveLength(1); // no retry inside the adapter
    await expect(adapter.checkAuth({ id: 'sf-test' })).resolves.toEqual({ ok: false, reason: err.message });

    await adapter.dispatch(account(), request());
    await expect(adapter.checkAuth({ id: 'sf-test' })).resolves.toEqual({ ok: true });
  });

  it('surfaces an expired JWT (signer clock behind) as a misconfigured account', async () => {
    const lateAdapter = new SalesforceAdapter(new ManualClock(new Date(clock.now().getTime() - 10 * 60_000)));
    try {
      const err = await failure(lateAdapter.dispatch(account({ on: lateAdapter }), request()));
      expect(err).toBeInstanceOf(VendorMisconfiguredError);
      expect(err.message).toContain('sf-test is misconfigured');
      expect(fake.requests[0].refusal).toMatch(/"exp" claim timestamp check failed/);
      await expect(lateAdapter.checkAuth({ id: 'sf-test' })).resolves.toMatchObject({ ok: false });
    } finally {
      await lateAdapter.onModuleDestroy();
    }
  });

  it('surfaces an exp more than 3 minutes ahead (signer clock ahead) as a misconfigured account', async () => {
    const earlyAdapter = new SalesforceAdapter(new ManualClock(new Date(clock.now().getTime() + 2 * 60_000)));
    try {
      await expect(earlyAdapter.dispatch(account({ on: earlyAdapter }), request())).rejects.toBeInstanceOf(VendorMisconfiguredError);
      expect(fake.requests[0].refusal).toMatch(/more than 3 minutes/);
    } finally {
      await earlyAdapter.onModuleDestroy();
    }
  });

  it('treats 403 as a misconfigured account too', async () => {
    fake.enqueue(SalesforceFake.answers.forbidden('Call center not authorised'));
    const err = await failure(adapter.dispatch(account(), request()));
    expect(err).toBeInstanceOf(VendorMisconfiguredError);
    expect(err.message).toContain('403 FORBIDDEN: Call center not authorised');
  });

  it('makes 400 permanent with Salesforce’s message (a wrong Telephony-Provider-Name here)', async () => {
    const err = await failure(adapter.dispatch(account({ block: { telephonyProviderName: 'Other Telephony' } }), request()));
    expect(err).toBeInstanceOf(VendorPermanentError);
    expect(err).not.toBeInstanceOf(VendorMisconfiguredError);
    expect(err.message).toBe('Salesforce refused the callback (400 INVALID_HEADER: Telephony-Provider-Name must be Acme Telephony)');
    await expect(adapter.checkAuth({ id: 'sf-test' })).resolves.toEqual({ ok: true });
  });

  it('makes 404 permanent with Salesforce’s message (an unknown call)', async () => {
    await fake.stop();
    fake = await SalesforceFake.start({ publicKey: keys.publicKey, now: () => clock.now(), voiceCallIds: ['0LQxx0000004CmHGAU'] });
    const err = await failure(adapter.dispatch(account(), request()));
    expect(err).toBeInstanceOf(VendorPermanentError);
    expect(err.message).toBe(`Salesforce refused the callback (404 NOT_FOUND: The VoiceCall ${CALL_ID} was not found)`);
    expect((err as VendorPermanentError).info).toEqual({ httpStatus: 404, vendorCode: 'NOT_FOUND' });
  });

  it('maps 429 to rate limited with Retry-After, or the account default without it', async () => {
    fake.enqueue(SalesforceFake.answers.rateLimited('7'), SalesforceFake.answers.rateLimited());
    const first = await failure(adapter.dispatch(account(), request()));
    const second = await failure(adapter.dispatch(account(), request()));
    expect(first).toBeInstanceOf(VendorRateLimitedError);
    expect((first as VendorRateLimitedError).retryAfterMs).toBe(7_000);
    expect((second as VendorRateLimitedError).retryAfterMs).toBe(30_000);
  });

  it('maps 500 and 503 to retryable', async () => {
    fake.enqueue(SalesforceFake.answers.unavailable(500), SalesforceFake.answers.unavailable(503));
    await expect(adapter.dispatch(account(), request())).rejects.toBeInstanceOf(VendorRetryableError);
    await expect(adapter.dispatch(account(), request())).rejects.toBeInstanceOf(VendorRetryableError);
    expect(fake.requests).toHaveLength(2);
  });

  it('maps an answer slower than the timeout to an unknown outcome', async () => {
    // undici checks its headers timeout on a ~1 s tick, so the fake waits well past it.
    fake.enqueue(SalesforceFake.answers.slow(5_000));
    const err = await failure(adapter.dispatch(account({ block: { timeoutMs: 200 } }), request()));
    expect(err).toBeInstanceOf(VendorOutcomeUnknownError);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0].status).toBeUndefined(); // we hung up before Salesforce answered
  });

  it('maps a refused connection (request never sent) to retryable', async () => {
    await expect(adapter.dispatch(account({ baseUrl: 'http://127.0.0.1:1' }), request())).rejects.toBeInstanceOf(VendorRetryableError);
  });

  it('names routing.voiceCallId when it is missing, at creation and at dispatch', async () => {
    expect(adapter.validateRouting({})).toEqual([{ field: 'routing.voiceCallId', message: expect.stringContaining('is required') }]);
    await expect(adapter.dispatch(account(), request({ routing: {} }))).rejects.toThrow(/^routing\.voiceCallId is required/);
    expect(fake.requests).toHaveLength(0);
  });
});
