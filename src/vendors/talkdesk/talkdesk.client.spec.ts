/** Auth (tokens, single flight, the one refresh) and error mapping, end to end against the fake. */
import { TalkdeskFake, TalkdeskFakeOptions } from '../../../test/fakes/talkdesk.fake';
import { Clock } from '../../common/clock';
import { Account, parseAccounts } from '../../config/accounts';
import { VendorHttp } from '../http/vendor-http';
import type { DispatchRequest } from '../vendor-adapter';
import {
  VendorError,
  VendorMisconfiguredError,
  VendorOutcomeUnknownError,
  VendorPermanentError,
  VendorRateLimitedError,
  VendorRetryableError,
} from '../vendor.errors';
import { TalkdeskAdapter } from './talkdesk.adapter';
import type { TalkdeskSettings } from './talkdesk.types';

class ShiftedClock extends Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

let fake: TalkdeskFake;
let adapter: TalkdeskAdapter;
let account: Account<TalkdeskSettings>;
let clock: ShiftedClock;
let sharedHttp: VendorHttp | undefined;

async function setup(fakeOpts: TalkdeskFakeOptions = {}, opts: { block?: Record<string, unknown>; env?: Record<string, string>; http?: VendorHttp } = {}) {
  fake = await TalkdeskFake.start(fakeOpts);
  clock = new ShiftedClock();
  sharedHttp = opts.http;
  adapter = new TalkdeskAdapter(clock, opts.http);
  const doc = { accounts: [{ ...fake.accountEntry('td', opts.block), defaultRetryAfterMs: 45_000 }] };
  const env = { ...fake.env(), ...opts.env };
  account = parseAccounts(doc, { file: null, adapters: new Map([['talkdesk' as const, adapter]]), env, allowInsecureUrls: true })[0] as Account<TalkdeskSettings>;
}

afterEach(async () => {
  await adapter?.onModuleDestroy();
  adapter = undefined as unknown as TalkdeskAdapter;
  await sharedHttp?.close();
  await fake?.stop();
  fake = undefined as unknown as TalkdeskFake;
});

let n = 0;
const req = (over: Partial<DispatchRequest> = {}): DispatchRequest => ({
  intentId: `cb_${++n}`, phoneNumber: '+12518717081', dueAt: new Date(Date.now() + 600_000), timezone: 'UTC', notes: null,
  routing: { assignmentType: 'ANY_ELIGIBLE_AGENT', callerId: '+14155550100' }, attempt: 1, previousOutcomeUnknown: false, ...over,
});
const fail = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a rejection'); }, (e: VendorError) => e);

describe('Talkdesk tokens', () => {
  it('50 concurrent dispatches share one token request', async () => {
    await setup();
    const phones = Array.from({ length: 50 }, (_, i) => `+1415555${String(1000 + i)}`);
    const results = await Promise.all(phones.map((phoneNumber) => adapter.dispatch(account, req({ phoneNumber }))));
    expect(new Set(results.map((r) => r.vendorRef)).size).toBe(50);
    expect(fake.tokenRequests).toHaveLength(1);
    expect(fake.callbacks.size).toBe(50);
  });

  it('reuses the token until shortly before expires_in, then fetches a new one', async () => {
    await setup({ expiresIn: 3600 });
    await adapter.dispatch(account, req());
    clock.offsetMs = 3_539_000; // refresh is due 60 s before expiry
    await adapter.dispatch(account, req({ phoneNumber: '+14155550123' }));
    expect(fake.tokenRequests).toHaveLength(1);
    clock.offsetMs = 3_541_000;
    await adapter.dispatch(account, req({ phoneNumber: '+14155550124' }));
    expect(fake.tokenRequests).toHaveLength(2);
  });

  it('refreshes an expired (revoked) token once and the call succeeds', async () => {
    await setup();
    await adapter.dispatch(account, req());
    fake.expireTokens();
    const result = await adapter.dispatch(account, req({ phoneNumber: '+14155550123' }));
    expect(result.httpStatus).toBe(201);
    expect(fake.tokenRequests).toHaveLength(2);
    const after = fake.apiRequests.slice(3).map((q) => `${q.method} ${q.path}`);
    expect(after).toEqual(['GET /schedule-callbacks', 'GET /schedule-callbacks', 'GET /schedule-callbacks', 'POST /schedule-callbacks']);
  });

  it('many jobs hitting the same 401 cause one refresh', async () => {
    await setup();
    await adapter.dispatch(account, req());
    fake.expireTokens();
    const phones = Array.from({ length: 10 }, (_, i) => `+1415555${String(2000 + i)}`);
    await Promise.all(phones.map((phoneNumber) => adapter.dispatch(account, req({ phoneNumber }))));
    expect(fake.tokenRequests).toHaveLength(2);
  });

  it('a 401 after the one refresh means the account is misconfigured', async () => {
    await setup();
    const unauthorized = { match: { method: 'GET' }, status: 401, body: { code: '3600010', message: 'Unauthorized' } };
    fake.enqueue(unauthorized, unauthorized);
    const err = await fail(adapter.dispatch(account, req()));
    expect(err).toBeInstanceOf(VendorMisconfiguredError);
    expect(err.message).toBe('Talkdesk list callbacks answered 401 3600010: Unauthorized');
    expect(fake.tokenRequests).toHaveLength(2);
    expect(fake.apiRequests).toHaveLength(2);
  });

  it('wrong client credentials are a misconfigured account', async () => {
    await setup({}, { env: { TD_FAKE_SECRET: 'wrong' } });
    const err = await fail(adapter.dispatch(account, req()));
    expect(err).toBeInstanceOf(VendorMisconfiguredError);
    expect(err.message).toBe('Talkdesk token request refused (401 invalid_client): Client authentication failed');
  });

  it.each([
    [{ status: 503 }, VendorRetryableError],
    [{ status: 429, headers: { 'retry-after': '3' } }, VendorRateLimitedError],
    [{ drop: true }, VendorRetryableError],
  ])('token endpoint answering %j → %p', async (answer, kind) => {
    await setup();
    fake.enqueue({ match: { path: '/oauth/token' }, ...answer });
    expect(await fail(adapter.dispatch(account, req()))).toBeInstanceOf(kind);
    expect(fake.apiRequests).toHaveLength(0);
  });
});

describe('Talkdesk error mapping on create', () => {
  const talkdeskError = { code: '3600001', message: 'Invalid caller id', fields: [{ name: 'callerId', description: 'not a number of this account' }] };

  it.each([400, 404, 409, 422])('%i is permanent with Talkdesk message', async (status) => {
    await setup();
    fake.enqueue({ match: { method: 'POST' }, status, body: talkdeskError });
    const err = await fail(adapter.dispatch(account, req()));
    expect(err).toBeInstanceOf(VendorPermanentError);
    expect(err).not.toBeInstanceOf(VendorMisconfiguredError);
    expect(err.message).toBe(`Talkdesk create callback answered ${status} 3600001: Invalid caller id; callerId: not a number of this account`);
    expect(err.info).toEqual({ httpStatus: status, vendorCode: '3600001' });
  });

  it('403 (missing write scope) is a misconfigured account', async () => {
    await setup({ grantedScopes: ['schedule-callbacks:read'] }, { block: { scopes: ['schedule-callbacks:read'] } });
    const err = await fail(adapter.dispatch(account, req()));
    expect(err).toBeInstanceOf(VendorMisconfiguredError);
    expect(err.message).toBe('Talkdesk create callback answered 403 3600030: Forbidden; scope: requires schedule-callbacks:write');
  });

  it('429 waits Retry-After, or the account default without it', async () => {
    await setup();
    fake.enqueue({ match: { method: 'POST' }, status: 429, headers: { 'retry-after': '12' }, body: 'Too Many Requests' });
    const first = await fail(adapter.dispatch(account, req()));
    expect(first).toBeInstanceOf(VendorRateLimitedError);
    expect((first as VendorRateLimitedError).retryAfterMs).toBe(12_000);
    fake.enqueue({ match: { method: 'GET' }, status: 429 });
    expect(((await fail(adapter.dispatch(account, req()))) as VendorRateLimitedError).retryAfterMs).toBe(45_000);
  });

  it.each([500, 502, 503])('%i is retryable', async (status) => {
    await setup();
    fake.enqueue({ match: { method: 'POST' }, status, body: { code: `${status}0000`, message: 'Internal error' } });
    expect(await fail(adapter.dispatch(account, req()))).toBeInstanceOf(VendorRetryableError);
  });

  it('a lost answer to create is an unknown outcome; to a list it is retryable', async () => {
    await setup();
    fake.enqueue({ match: { method: 'POST' }, drop: true });
    expect(await fail(adapter.dispatch(account, req()))).toBeInstanceOf(VendorOutcomeUnknownError);
    fake.enqueue({ match: { method: 'GET' }, drop: true });
    expect(await fail(adapter.dispatch(account, req()))).toBeInstanceOf(VendorRetryableError);
  });

  it('an answer slower than the timeout is an unknown outcome', async () => {
    await setup({}, { http: new VendorHttp({ timeoutMs: 200 }) });
    // undici checks its timeouts about once a second, so the answer comes well after that.
    fake.enqueue({ match: { method: 'POST' }, delayMs: 1_800 });
    expect(await fail(adapter.dispatch(account, req()))).toBeInstanceOf(VendorOutcomeUnknownError);
  });
});
