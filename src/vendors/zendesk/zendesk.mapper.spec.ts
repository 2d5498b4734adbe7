import type { VendorResponse } from '../http/vendor-http';
import {
  VendorMisconfiguredError,
  VendorPermanentError,
  VendorRateLimitedError,
  VendorRetryableError,
} from '../vendor.errors';
import { buildCallbackRequestBody, describeZendeskError, readVendorRef, toVendorError } from './zendesk.mapper';

function res(status: number, body: unknown, headers: Record<string, string> = {}): VendorResponse {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { status, headers, text, json: typeof body === 'string' ? undefined : body };
}

describe('buildCallbackRequestBody', () => {
  it('produces the seed body byte for byte', () => {
    expect(buildCallbackRequestBody({ phoneNumberId: 1001, requesterPhoneNumber: '+12518717081' })).toBe(
      '{"callback_request":{"phone_number_id":1001,"requester_phone_number":"+12518717081"}}',
    );
  });
  it('adds group_ids last, only when given', () => {
    expect(buildCallbackRequestBody({ phoneNumberId: 1001, requesterPhoneNumber: '+12518717081', groupIds: [7, 9] })).toBe(
      '{"callback_request":{"phone_number_id":1001,"requester_phone_number":"+12518717081","group_ids":[7,9]}}',
    );
    expect(buildCallbackRequestBody({ phoneNumberId: 1, requesterPhoneNumber: '+12518717081', groupIds: [] })).not.toContain('group_ids');
  });
});

describe('readVendorRef', () => {
  it('falls back to zendesk:<intentId> for the seed null body', () => {
    expect(readVendorRef(null, 'int_1')).toBe('zendesk:int_1');
    expect(readVendorRef(undefined, 'int_1')).toBe('zendesk:int_1');
  });
  it('uses an id when the answer carries one', () => {
    expect(readVendorRef({ callback_request: { id: 5000 } }, 'int_1')).toBe('5000');
    expect(readVendorRef({ id: 'abc-1' }, 'int_1')).toBe('abc-1');
    expect(readVendorRef({ callback_request: { id: { nested: true } } }, 'int_1')).toBe('zendesk:int_1');
  });
});

describe('describeZendeskError', () => {
  it('joins the description and field details, masking phone numbers', () => {
    const d = describeZendeskError(
      res(422, {
        error: 'RecordInvalid',
        description: 'Record validation errors',
        details: { requester_phone_number: [{ description: 'Requester phone number +12518717081 is invalid', error: 'InvalidValue' }] },
      }),
    );
    expect(d.code).toBe('RecordInvalid');
    expect(d.message).toBe('Record validation errors (requester_phone_number: Requester phone number +1251•••7081 is invalid)');
  });
  it('reads a sentence in error, an error object, the errors list and plain text', () => {
    expect(describeZendeskError(res(401, { error: "Couldn't authenticate you" }))).toEqual({ code: undefined, message: "Couldn't authenticate you" });
    expect(describeZendeskError(res(403, { error: { title: 'Forbidden', message: 'You do not have access' } }))).toEqual({ code: 'Forbidden', message: 'You do not have access' });
    expect(describeZendeskError(res(400, { errors: [{ code: 'InvalidParam', title: 'Bad', detail: 'country is invalid' }] }))).toEqual({ code: 'InvalidParam', message: 'HTTP 400 (country is invalid)' });
    expect(describeZendeskError(res(502, '<html>Bad gateway</html>')).message).toBe('<html>Bad gateway</html>');
  });
});

describe('toVendorError', () => {
  it('maps auth failures to misconfigured', () => {
    for (const s of [401, 403]) {
      const e = toVendorError(res(s, { error: "Couldn't authenticate you" }), 'callback request', 60_000);
      expect(e).toBeInstanceOf(VendorMisconfiguredError);
      expect(e.info.httpStatus).toBe(s);
    }
  });
  it('maps 404, 422 and other 4xx to permanent with Zendesk code and description', () => {
    const e = toVendorError(res(404, { error: 'RecordNotFound', description: 'Not found' }), 'callback request', 60_000);
    expect(e).toBeInstanceOf(VendorPermanentError);
    expect(e).not.toBeInstanceOf(VendorMisconfiguredError);
    expect(e.message).toBe('Zendesk 404 RecordNotFound on callback request: Not found');
    expect(e.info).toEqual({ httpStatus: 404, vendorCode: 'RecordNotFound' });
    expect(toVendorError(res(409, {}), 'x', 1)).toBeInstanceOf(VendorPermanentError);
    expect(toVendorError(res(302, ''), 'x', 1)).toBeInstanceOf(VendorPermanentError);
  });
  it('maps 429 with Retry-After seconds, else the account fallback', () => {
    const withHeader = toVendorError(res(429, {}, { 'retry-after': '2' }), 'x', 60_000) as VendorRateLimitedError;
    expect(withHeader).toBeInstanceOf(VendorRateLimitedError);
    expect(withHeader.retryAfterMs).toBe(2_000);
    expect((toVendorError(res(429, {}), 'x', 45_000) as VendorRateLimitedError).retryAfterMs).toBe(45_000);
    expect((toVendorError(res(429, {}, { 'retry-after': 'later' }), 'x', 45_000) as VendorRateLimitedError).retryAfterMs).toBe(45_000);
    expect((toVendorError(res(429, 'Too Many Requests', { 'content-type': 'text/plain' }), 'x', 45_000) as VendorRateLimitedError).retryAfterMs).toBe(45_000);
  });
  it('maps 5xx and 408 to retryable', () => {
    for (const s of [408, 500, 502, 503, 504]) expect(toVendorError(res(s, {}), 'x', 1)).toBeInstanceOf(VendorRetryableError);
  });
});
