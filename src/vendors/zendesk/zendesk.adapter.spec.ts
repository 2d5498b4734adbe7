import { Test } from '@nestjs/testing';
import { CALLBACKS, FAKE_EMAIL, FAKE_TOKEN, ZendeskFake } from '../../../test/fakes/zendesk.fake';
import { Clock, ManualClock } from '../../common/clock';
import type { DispatchRequest } from '../vendor-adapter';
import {
  VendorMisconfiguredError,
  VendorOutcomeUnknownError,
  VendorPermanentError,
  VendorRateLimitedError,
  VendorRetryableError,
} from '../vendor.errors';
import { ZendeskAdapter } from './zendesk.adapter';

const SHOW_1001 = '/api/v2/channels/voice/phone_numbers/1001';

function request(over: Partial<DispatchRequest> = {}): DispatchRequest {
  return {
    intentId: 'cb_01HZX', phoneNumber: '+12518717081', dueAt: null, timezone: null, notes: null, routing: {}, attempt: 1, previousOutcomeUnknown: false, ...over,
  };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the promise to reject');
}

describe('ZendeskAdapter against the fake Zendesk', () => {
  let fake: ZendeskFake;
  let adapter: ZendeskAdapter;
  let clock: ManualClock;

  beforeEach(async () => {
    fake = await ZendeskFake.start();
    clock = new ManualClock(new Date('2026-03-01T10:00:00Z'));
    adapter = new ZendeskAdapter(clock);
  });
  afterEach(async () => {
    await adapter.onModuleDestroy();
    await fake.stop();
  });

  it('declares what Zendesk can do and its callback limit', () => {
    expect(adapter.vendor).toBe('zendesk');
    expect(adapter.capabilities).toMatchObject({ nativeScheduling: false, canUpdate: false, canCancel: false, canLookup: false });
    expect(adapter.defaultRateLimit).toEqual({ max: 30, windowMs: 600_000 });
  });

  it('sends the seed body bytes with Basic {email}/token:{api_token}', async () => {
    const result = await adapter.dispatch(fake.account(), request());
    const posts = fake.requestsTo('POST', CALLBACKS);
    expect(posts).toHaveLength(1);
    expect(posts[0].url).toBe(CALLBACKS);
    expect(posts[0].body).toBe('{"callback_request":{"phone_number_id":1001,"requester_phone_number":"+12518717081"}}');
    expect(posts[0].headers.authorization).toBe(`Basic ${Buffer.from(`${FAKE_EMAIL}/token:${FAKE_TOKEN}`).toString('base64')}`);
    expect(posts[0].headers['content-type']).toBe('application/json');
    expect(result).toEqual({ vendorRef: 'zendesk:cb_01HZX', httpStatus: 201, note: 'Zendesk rate limit remaining 700 of 700' });
    expect(fake.callbackRequests).toEqual([{ phone_number_id: 1001, requester_phone_number: '+12518717081' }]);
  });

  it('checks the number first (GET show), then uses routing phoneNumberId and groupIds', async () => {
    fake.store.numbers.set(2002, { ...fake.store.numbers.get(1001)!, id: 2002 });
    await adapter.dispatch(fake.account(), request({ routing: { phoneNumberId: 2002, groupIds: [7, 9] } }));
    expect(fake.requests.map((r) => `${r.method} ${r.url}`)).toEqual([`GET /api/v2/channels/voice/phone_numbers/2002`, `POST ${CALLBACKS}`]);
    expect(fake.requests[1].body).toBe('{"callback_request":{"phone_number_id":2002,"requester_phone_number":"+12518717081","group_ids":[7,9]}}');
  });

  it('caches the number check per account and number for phoneNumberCacheMs', async () => {
    const account = fake.account({}, { phoneNumberCacheMs: 60_000 });
    await adapter.dispatch(account, request());
    await adapter.dispatch(account, request({ intentId: 'cb_2' }));
    expect(fake.requestsTo('GET', SHOW_1001)).toHaveLength(1);
    clock.advance(60_000);
    await adapter.dispatch(account, request({ intentId: 'cb_3' }));
    expect(fake.requestsTo('GET', SHOW_1001)).toHaveLength(2);
    expect(fake.requestsTo('POST', CALLBACKS)).toHaveLength(3);
  });

  it('uses the created id as vendorRef when the answer carries one', async () => {
    const withId = await ZendeskFake.start({ callbackAnswer: 'with-id' });
    try {
      expect((await adapter.dispatch(withId.account({ id: 'zd-2' }), request())).vendorRef).toBe('5000');
    } finally {
      await withId.stop();
    }
  });

  it('fails a non-voice number with no callback request sent', async () => {
    const e = await rejection(adapter.dispatch(fake.account(), request({ routing: { phoneNumberId: 1002 } })));
    expect(e).toBeInstanceOf(VendorPermanentError);
    expect(e.message).toContain('phone_number_id 1002 is not a voice-capable Talk number');
    expect(fake.requestsTo('POST', CALLBACKS)).toHaveLength(0);
  });

  it('fails an unknown number with no callback request sent', async () => {
    const e = await rejection(adapter.dispatch(fake.account(), request({ routing: { phoneNumberId: 4242 } })));
    expect(e).toBeInstanceOf(VendorPermanentError);
    expect(e).not.toBeInstanceOf(VendorMisconfiguredError);
    expect(e.message).toContain('phone_number_id 4242 was not found in Zendesk Talk (RecordNotFound: Not found)');
    expect(fake.requestsTo('POST', CALLBACKS)).toHaveLength(0);
  });

  it('turns a timeout on the number check into retryable (a GET changes nothing)', async () => {
    fake.enqueue({ match: { path: SHOW_1001 }, delayMs: 1_000, status: 200 });
    const e = await rejection(adapter.dispatch(fake.account({}, { timeoutMs: 150 }), request()));
    expect(e).toBeInstanceOf(VendorRetryableError);
    expect(fake.requestsTo('POST', CALLBACKS)).toHaveLength(0);
  });

  it('skips the check when verifyPhoneNumber is false', async () => {
    await adapter.dispatch(fake.account({}, { verifyPhoneNumber: false }), request());
    expect(fake.requests.map((r) => r.method)).toEqual(['POST']);
  });

  it('refuses wrong credentials as misconfigured (401)', async () => {
    const wrong = await ZendeskFake.start({ apiToken: 'another-token' });
    try {
      const e = await rejection(adapter.dispatch(fake.account({ id: 'zd-wrong', baseUrl: wrong.baseUrl }, { verifyPhoneNumber: false }), request()));
      expect(e).toBeInstanceOf(VendorMisconfiguredError);
      expect(e.message).toContain("Zendesk 401 on callback request: Couldn't authenticate you");
      expect(wrong.callbackRequests).toHaveLength(0);
    } finally {
      await wrong.stop();
    }
  });

  describe('answers to the callback request', () => {
    const post = { match: { method: 'POST', path: CALLBACKS } };
    const dispatch = () => rejection(adapter.dispatch(fake.account(), request()));

    it('403 → misconfigured', async () => {
      fake.enqueue({ ...post, status: 403, body: { error: { title: 'Forbidden', message: 'You do not have access to this page' } } });
      const e = await dispatch();
      expect(e).toBeInstanceOf(VendorMisconfiguredError);
      expect((e as VendorMisconfiguredError).info).toEqual({ httpStatus: 403, vendorCode: 'Forbidden' });
    });

    it('404 → permanent', async () => {
      fake.enqueue({ ...post, status: 404, body: { error: 'RecordNotFound', description: 'Phone number not found' } });
      const e = await dispatch();
      expect(e).toBeInstanceOf(VendorPermanentError);
      expect(e.message).toBe('Zendesk 404 RecordNotFound on callback request: Phone number not found');
    });

    it('422 → permanent, with Zendesk description and field details', async () => {
      fake.enqueue({
        ...post,
        status: 422,
        body: { error: 'RecordInvalid', description: 'Record validation errors', details: { requester_phone_number: [{ description: 'Requester phone number is invalid', error: 'InvalidValue' }] } },
      });
      const e = await dispatch();
      expect(e).toBeInstanceOf(VendorPermanentError);
      expect(e.message).toBe('Zendesk 422 RecordInvalid on callback request: Record validation errors (requester_phone_number: Requester phone number is invalid)');
    });

    it("the fake's own 404 for an unknown phone_number_id (check skipped) reaches us the same way", async () => {
      const e = await rejection(adapter.dispatch(fake.account({}, { verifyPhoneNumber: false }), request({ routing: { phoneNumberId: 4242 } })));
      expect(e).toBeInstanceOf(VendorPermanentError);
      expect(e.message).toBe('Zendesk 404 RecordNotFound on callback request: Phone number not found');
    });

    it('refuses a number that is not E.164 without sending anything', async () => {
      const e = await rejection(adapter.dispatch(fake.account(), request({ phoneNumber: '2518717081' })));
      expect(e).toBeInstanceOf(VendorPermanentError);
      expect(e.message).toContain('E.164');
      expect(fake.requests).toHaveLength(0);
    });

    it('429 with Retry-After: 2 → rate limited 2000 ms', async () => {
      fake.enqueue({ ...post, status: 429, headers: { 'retry-after': '2' }, body: { error: 'TooManyRequests' } });
      const e = await dispatch();
      expect(e).toBeInstanceOf(VendorRateLimitedError);
      expect((e as VendorRateLimitedError).retryAfterMs).toBe(2_000);
    });

    it('429 without Retry-After → the account default', async () => {
      fake.enqueue({ ...post, status: 429, body: { error: 'TooManyRequests' } });
      const e = await rejection(adapter.dispatch(fake.account({ defaultRetryAfterMs: 42_000 }), request()));
      expect((e as VendorRateLimitedError).retryAfterMs).toBe(42_000);
    });

    it('429 with a text/plain body → the account default', async () => {
      fake.enqueue({ ...post, status: 429, body: 'Too Many Requests' });
      const e = await rejection(adapter.dispatch(fake.account({ defaultRetryAfterMs: 42_000 }), request()));
      expect(e).toBeInstanceOf(VendorRateLimitedError);
      expect((e as VendorRateLimitedError).retryAfterMs).toBe(42_000);
      expect(e.message).toContain('Too Many Requests');
    });

    it('503 → retryable', async () => {
      fake.enqueue({ ...post, status: 503, body: { error: 'ServiceUnavailable', description: 'Maintenance' } });
      const e = await dispatch();
      expect(e).toBeInstanceOf(VendorRetryableError);
      expect((e as VendorRetryableError).info.httpStatus).toBe(503);
    });

    it('no answer within timeoutMs → outcome unknown', async () => {
      fake.enqueue({ ...post, delayMs: 1_500, passThrough: true });
      const e = await rejection(adapter.dispatch(fake.account({}, { timeoutMs: 200 }), request()));
      expect(e).toBeInstanceOf(VendorOutcomeUnknownError);
      expect(fake.requestsTo('POST', CALLBACKS)).toHaveLength(1);
    });

    it('connection reset after sending → outcome unknown', async () => {
      fake.enqueue({ ...post, reset: true });
      expect(await dispatch()).toBeInstanceOf(VendorOutcomeUnknownError);
    });
  });

  it('reads the rate limit headers of every answer', async () => {
    const account = fake.account();
    expect(adapter.rateLimitStatus(account.id)).toBeNull();
    fake.enqueue({ match: { method: 'POST' }, status: 201, headers: { 'x-rate-limit': '30', 'x-rate-limit-remaining': '4' }, body: null });
    const r = await adapter.dispatch(account, request());
    expect(adapter.rateLimitStatus(account.id)).toMatchObject({ limit: 30, remaining: 4, retryAfter: null });
    expect(r.note).toBe('Zendesk rate limit remaining 4 of 30');
  });

  it('says when it resends after an unknown outcome', async () => {
    const r = await adapter.dispatch(fake.account(), request({ attempt: 2, previousOutcomeUnknown: true }));
    expect(r.note).toContain('sent again after an attempt with unknown outcome');
  });
});

describe('ZendeskFake rolling-window limit', () => {
  it('answers 429 with Retry-After past max per window and counts violations', async () => {
    const fake = await ZendeskFake.start({ limit: { max: 3, windowMs: 2_000 } });
    const adapter = new ZendeskAdapter();
    try {
      const account = fake.account({}, { verifyPhoneNumber: false });
      for (let i = 0; i < 3; i++) await adapter.dispatch(account, request({ intentId: `cb_${i}` }));
      const e = await rejection(adapter.dispatch(account, request({ intentId: 'cb_4' })));
      expect(e).toBeInstanceOf(VendorRateLimitedError);
      expect((e as VendorRateLimitedError).retryAfterMs).toBeGreaterThanOrEqual(1_000);
      expect((e as VendorRateLimitedError).retryAfterMs).toBeLessThanOrEqual(2_000);
      expect(fake.limitViolations).toBe(1);
      expect(fake.callbackRequests).toHaveLength(3);
    } finally {
      await adapter.onModuleDestroy();
      await fake.stop();
    }
  });
});

describe('ZendeskAdapter in Nest DI', () => {
  it('resolves without a Clock provider, and uses one when given', async () => {
    const plain = await Test.createTestingModule({ providers: [ZendeskAdapter] }).compile();
    expect(plain.get(ZendeskAdapter)).toBeInstanceOf(ZendeskAdapter);
    await plain.close();
    const clock = new ManualClock(new Date('2026-03-01T10:00:00Z'));
    const withClock = await Test.createTestingModule({ providers: [ZendeskAdapter, { provide: Clock, useValue: clock }] }).compile();
    const fake = await ZendeskFake.start();
    const adapter = withClock.get(ZendeskAdapter);
    try {
      await adapter.dispatch(fake.account(), request());
      expect(adapter.rateLimitStatus('zendesk-fake')?.at).toEqual(clock.now());
    } finally {
      await withClock.close();
      await fake.stop();
    }
  });
});
