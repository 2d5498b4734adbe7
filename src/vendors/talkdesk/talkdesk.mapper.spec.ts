import type { VendorResponse } from '../http/vendor-http';
import {
  VendorMisconfiguredError,
  VendorPermanentError,
  VendorRateLimitedError,
  VendorRetryableError,
} from '../vendor.errors';
import {
  errorFromResponse,
  findOpenCallback,
  parseCallbackPage,
  planNote,
  planTimeToCall,
  toCreateBody,
  toPatchOps,
} from './talkdesk.mapper';

const now = new Date('2026-03-01T12:00:00.250Z');

describe('planTimeToCall', () => {
  it('keeps a due time Talkdesk accepts, in whole seconds', () => {
    expect(planTimeToCall(new Date('2026-03-01T12:10:00Z'), now)).toEqual({ at: new Date('2026-03-01T12:10:00Z'), adjusted: null });
    // Rounded up, never earlier than the customer asked.
    expect(planTimeToCall(new Date('2026-03-01T12:10:00.400Z'), now).at).toEqual(new Date('2026-03-01T12:10:01Z'));
  });

  it('sends ASAP with the earliest accepted time: now + 60 s lead + 15 s margin', () => {
    const plan = planTimeToCall(null, now);
    expect(plan).toEqual({ at: new Date('2026-03-01T12:01:16Z'), adjusted: 'asap' });
    expect(planNote(plan, null)).toBe('as soon as possible: sent with the earliest time Talkdesk accepts (2026-03-01T12:01:16Z)');
  });

  it('moves a due time closer than the lead (or past) to the earliest accepted time and says so', () => {
    const due = new Date('2026-03-01T12:00:30Z');
    const plan = planTimeToCall(due, now);
    expect(plan).toEqual({ at: new Date('2026-03-01T12:01:16Z'), adjusted: 'short_lead' });
    expect(planNote(plan, due)).toBe(
      "due 2026-03-01T12:00:30.000Z is closer than Talkdesk's 1-minute lead: sent with the earliest time it accepts (2026-03-01T12:01:16Z)",
    );
    expect(planTimeToCall(new Date('2026-03-01T11:00:00Z'), now).adjusted).toBe('short_lead');
  });
});

describe('wire bodies', () => {
  const plan = { at: new Date('2026-03-01T12:10:00Z'), adjusted: null };
  const routing = { assignmentType: 'SPECIFIC_AGENT', assignees: ['agent-7'], callerId: '+14155550100' };

  it('builds the create body in a fixed key order', () => {
    const body = toCreateBody('+12518717081', plan, 'Europe/Lisbon', { ...routing, interactionId: 'i-1' }, 'wants billing');
    expect(JSON.stringify(body)).toBe(
      '{"phoneNumber":"+12518717081","timeToCall":"2026-03-01T12:10:00Z","timezone":"Europe/Lisbon","assignmentType":"SPECIFIC_AGENT",' +
        '"assignees":["agent-7"],"callerId":"+14155550100","dialingMode":"PREVIEW","interactionId":"i-1","notes":"wants billing"}',
    );
  });

  it('leaves out what is absent', () => {
    const body = toCreateBody('+12518717081', plan, 'UTC', { assignmentType: 'ANY_ELIGIBLE_AGENT', assignees: [], callerId: '+14155550100' }, null);
    expect(Object.keys(body)).toEqual(['phoneNumber', 'timeToCall', 'timezone', 'assignmentType', 'callerId', 'dialingMode']);
  });

  it('builds replace ops for a reschedule', () => {
    expect(toPatchOps(plan, 'America/Toronto')).toEqual([
      { op: 'replace', path: '/timeToCall', value: '2026-03-01T12:10:00Z' },
      { op: 'replace', path: '/timezone', value: 'America/Toronto' },
    ]);
  });
});

describe('list pages', () => {
  it('reads HAL callbacks and the next page from _links or total_pages', () => {
    const cb = { id: 'a', status: 'UNATTEMPTED' };
    expect(parseCallbackPage({ _embedded: { callbacks: [cb] }, _links: { next: { href: 'x' } } }, 1)).toEqual({ callbacks: [cb], hasNext: true });
    expect(parseCallbackPage({ _embedded: { callbacks: [cb] }, page: 1, total_pages: 2 }, 1).hasNext).toBe(true);
    expect(parseCallbackPage({ _embedded: { callbacks: [cb] }, page: 2, total_pages: 2 }, 2).hasNext).toBe(false);
    expect(parseCallbackPage({}, 1)).toEqual({ callbacks: [], hasNext: false });
  });

  it('finds only an open callback for the same number', () => {
    const list = [
      { id: 1, status: 'SUCCESS', phoneNumber: '+12518717081' },
      { id: 2, status: 'UNATTEMPTED', phoneNumber: '+14155550123' },
      { id: 3, status: 'TO_BE_RETRIED', phoneNumber: '+12518717081' },
    ];
    expect(findOpenCallback(list, '+12518717081')?.id).toBe(3);
    expect(findOpenCallback(list.slice(0, 2), '+12518717081')).toBeNull();
  });
});

describe('errorFromResponse', () => {
  const res = (status: number, json?: unknown, headers: Record<string, string> = {}): VendorResponse => ({
    status,
    headers,
    json,
    text: json === undefined ? '' : JSON.stringify(json),
  });
  const talkdesk = {
    code: '0360001',
    message: 'Invalid scheduled callback',
    description: 'See fields',
    fields: [{ name: 'callerId', description: 'is not a number of this account' }],
  };

  it.each([400, 404, 409, 422])('%i is permanent and carries Talkdesk message and fields', (status) => {
    const err = errorFromResponse(res(status, talkdesk), 'create callback', 30_000);
    expect(err).toBeInstanceOf(VendorPermanentError);
    expect(err).not.toBeInstanceOf(VendorMisconfiguredError);
    expect(err.message).toBe(
      `Talkdesk create callback answered ${status} 0360001: Invalid scheduled callback (See fields); callerId: is not a number of this account`,
    );
    expect(err.vendorMessage).toBe('Invalid scheduled callback (See fields)');
    expect(err.details).toEqual([{ field: 'callerId', message: 'is not a number of this account' }]);
    expect(err.info).toEqual({ httpStatus: status, vendorCode: '0360001' });
  });

  it.each([401, 403])('%i means the account is misconfigured', (status) => {
    expect(errorFromResponse(res(status, { code: 'x', message: 'no' }), 'list callbacks', 1)).toBeInstanceOf(VendorMisconfiguredError);
  });

  it('429 is rate limited for Retry-After, or the account default without it', () => {
    const withHeader = errorFromResponse(res(429, undefined, { 'retry-after': '7' }), 'create callback', 30_000);
    expect(withHeader).toBeInstanceOf(VendorRateLimitedError);
    expect(withHeader).toMatchObject({ retryAfterMs: 7_000 });
    expect(errorFromResponse(res(429), 'create callback', 30_000)).toMatchObject({ retryAfterMs: 30_000 });
  });

  it.each([500, 502, 503, 504, 408])('%i is retryable', (status) => {
    const err = errorFromResponse(res(status), 'create callback', 1);
    expect(err).toBeInstanceOf(VendorRetryableError);
    expect(err.message).toBe(`Talkdesk create callback answered ${status}: HTTP ${status}`);
  });

  it('masks phone numbers Talkdesk echoes back', () => {
    const err = errorFromResponse(res(400, { code: '1', message: 'Number +12518717081 is blocked' }), 'create callback', 1);
    expect(err.message).not.toContain('+12518717081');
    expect(err.message).toContain('+1251•••7081');
  });
});
