import { DEFAULT_RETRY, type Account } from '../../config/accounts';
import type { VendorResponse } from '../http/vendor-http';
import {
  VendorMisconfiguredError,
  VendorOutcomeUnknownError,
  VendorPermanentError,
  VendorRateLimitedError,
  VendorRetryableError,
} from '../vendor.errors';
import { buildCallbackCall, readProblem, toDispatchResult, toSalesforceDateTime, toVendorError } from './salesforce.mapper';
import type { SalesforceSettings } from './salesforce.types';

const now = new Date('2026-02-26T15:30:00.000Z');

function response(status: number, body: unknown, headers: Record<string, string> = {}): VendorResponse {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { status, headers, text, json: typeof body === 'string' ? undefined : body };
}

describe('buildCallbackCall', () => {
  it('asks for an immediate callback when there is no due time', () => {
    const call = buildCallbackCall('+18445791189', null, { voiceCallId: 'call-1' }, now);
    expect(JSON.stringify(call.body)).toBe('{"callbackNumber":"+18445791189","isPreviewCallback":false}');
    expect(call).toMatchObject({ callId: 'call-1', scheduledFor: null });
  });

  it('hands a future due time over as scheduledRoutingDateTime, in the documented field order', () => {
    const due = new Date('2026-02-26T15:40:52.000Z');
    const call = buildCallbackCall('+18445791189', due, { voiceCallId: 'c', isPreviewCallback: true }, now);
    expect(JSON.stringify(call.body)).toBe(
      '{"callbackNumber":"+18445791189","isPreviewCallback":true,"scheduledRoutingDateTime":"2026-02-26T15:40:52Z"}',
    );
    expect(call.scheduledFor).toEqual(due);
  });

  it('leaves out a due time that has already passed, so Omni-Channel routes at once', () => {
    const call = buildCallbackCall('+18445791189', new Date(now.getTime() - 1_000), { voiceCallId: 'c' }, now);
    expect(call.body.scheduledRoutingDateTime).toBeUndefined();
    expect(call.scheduledFor).toBeNull();
  });

  it('rounds up to whole seconds so the customer is never routed early', () => {
    expect(toSalesforceDateTime(new Date('2026-02-26T15:40:52.001Z'))).toBe('2026-02-26T15:40:53Z');
    expect(toSalesforceDateTime(new Date('2026-02-26T15:40:52.000Z'))).toBe('2026-02-26T15:40:52Z');
  });
});

describe('readProblem', () => {
  it('reads the shapes Salesforce APIs use, and masks phone numbers', () => {
    expect(readProblem(response(400, { errorCode: 'INVALID_INPUT', message: 'bad +12518717081' }))).toEqual({
      code: 'INVALID_INPUT',
      message: 'bad +1251•••7081',
    });
    expect(readProblem(response(404, [{ errorCode: 'NOT_FOUND', message: 'no such call' }]))).toEqual({ code: 'NOT_FOUND', message: 'no such call' });
    expect(readProblem(response(401, { error: 'invalid_grant', error_description: 'bad jwt' }))).toEqual({ code: 'invalid_grant', message: 'bad jwt' });
    expect(readProblem(response(502, '<html>Bad gateway</html>'))).toEqual({ code: undefined, message: '<html>Bad gateway</html>' });
    expect(readProblem(response(500, ''))).toEqual({ code: undefined, message: 'HTTP 500' });
  });
});

describe('toVendorError', () => {
  const account = {
    id: 'sf-main', vendor: 'salesforce', baseUrl: null, rateLimit: null, defaultRetryAfterMs: 45_000, retry: DEFAULT_RETRY,
    unknownOutcomePolicy: 'fail', defaultTimezone: null, allowedClients: null,
    settings: { privateKeyEnv: 'SF_JWT_KEY', orgId: '00Dxx0000001gEH', callCenterApiName: 'ACME_CC' },
  } as unknown as Account<SalesforceSettings>;
  const map = (status: number, body: unknown = { errorCode: 'X', message: 'said so' }, headers: Record<string, string> = {}) =>
    toVendorError(response(status, body, headers), account, now);

  it('makes 401 and 403 a misconfigured account, naming it and what to check', () => {
    for (const status of [401, 403]) {
      const err = map(status, { errorCode: 'INVALID_AUTH', message: 'Invalid JWT' });
      expect(err).toBeInstanceOf(VendorMisconfiguredError);
      expect(err.message).toContain('Salesforce account sf-main is misconfigured');
      expect(err.message).toContain('Invalid JWT');
      expect(err.message).toContain('SF_JWT_KEY');
      expect(err.info).toEqual({ httpStatus: status, vendorCode: 'INVALID_AUTH' });
    }
  });

  it('keeps Salesforce’s message on permanent refusals', () => {
    for (const status of [400, 404, 409, 422]) {
      const err = map(status);
      expect(err).toBeInstanceOf(VendorPermanentError);
      expect(err).not.toBeInstanceOf(VendorMisconfiguredError);
      expect(err.message).toBe(`Salesforce refused the callback (${status} X: said so)`);
    }
  });

  it('waits Retry-After on 429, or the account default without one', () => {
    expect((map(429, {}, { 'retry-after': '12' }) as VendorRateLimitedError).retryAfterMs).toBe(12_000);
    expect((map(429, 'Too many') as VendorRateLimitedError).retryAfterMs).toBe(45_000);
  });

  it('retries 408 and 5xx', () => {
    for (const status of [408, 500, 502, 503, 504]) expect(map(status)).toBeInstanceOf(VendorRetryableError);
  });
});

describe('toDispatchResult', () => {
  const asap = buildCallbackCall('+18445791189', null, { voiceCallId: 'c' }, now);

  it('takes recordId as the vendor reference', () => {
    expect(toDispatchResult(response(200, { recordId: '0TzLT00000000w50AA' }), asap)).toEqual({ vendorRef: '0TzLT00000000w50AA', httpStatus: 200 });
  });

  it('reports the time Salesforce will route a scheduled callback', () => {
    const call = buildCallbackCall('+18445791189', new Date('2026-02-26T15:40:52Z'), { voiceCallId: 'c' }, now);
    expect(toDispatchResult(response(201, { recordId: 'r1' }), call)).toEqual({
      vendorRef: 'r1',
      httpStatus: 201,
      scheduledFor: new Date('2026-02-26T15:40:52Z'),
      note: 'scheduled at Salesforce for 2026-02-26T15:40:52Z',
    });
  });

  it('treats a success without recordId as an unknown outcome', () => {
    expect(() => toDispatchResult(response(200, {}), asap)).toThrow(VendorOutcomeUnknownError);
  });
});
