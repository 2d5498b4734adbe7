import { DomainError } from '../common/errors';
import { regionsFor } from './callee-zone';
import { DEFAULT_CALLING_WINDOW, parseBusinessHours, parseCallingWindow } from './policy';
import { ResolveInput, resolveSchedule } from './schedule-resolver';

const NOW = new Date('2026-11-20T12:00:00Z'); // a Friday
const hours = parseBusinessHours(
  { zone: 'America/New_York', weekly: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] }, holidays: ['2026-12-25', '2026-11-26'] },
  null,
);
const texas = parseCallingWindow({ regions: [{ name: 'us-tx', prefixes: ['+1512'], end: '20:00', maxAttemptsPer24h: 3, timezone: 'America/Chicago' }] }, DEFAULT_CALLING_WINDOW);

function run(over: Partial<ResolveInput>) {
  const input: ResolveInput = {
    now: NOW,
    phoneNumber: '+12518717081',
    requested: { kind: 'asap' },
    timezone: 'America/Chicago',
    callingWindow: DEFAULT_CALLING_WINDOW,
    businessHours: null,
    accountDefaultZone: null,
    outsideWindow: 'defer',
    limits: { clockSkewMs: 5_000, horizonDays: 90 },
    ...over,
  };
  return resolveSchedule(input, regionsFor(input.callingWindow, input.phoneNumber));
}
const raw = (value: string) => ({ kind: 'raw' as const, value });

describe('resolveSchedule', () => {
  it.each<[string, Partial<ResolveInput>, string, string[]]>([
    ['03:00 local → 08:00 local the same day', { requested: raw('2026-11-21T03:00:00-06:00') }, '2026-11-21T14:00:00.000Z', ['outside_calling_window']],
    ['20:59 local stays', { requested: raw('2026-11-21T20:59:00-06:00') }, '2026-11-22T02:59:00.000Z', []],
    ['21:00 local (the end is exclusive) → 08:00 next day', { requested: raw('2026-11-21T21:00:00-06:00') }, '2026-11-22T14:00:00.000Z', ['outside_calling_window']],
    ['asap at 06:00 local → 08:00', { now: new Date('2026-11-20T12:00:00Z') }, '2026-11-20T14:00:00.000Z', ['outside_calling_window']],
    ['a local scheduledAt is read in the callee zone', { requested: raw('2026-11-21T09:15') }, '2026-11-21T15:15:00.000Z', []],
    ['spring-forward gap: 02:30 → 03:00 EDT (window off)', { timezone: 'America/New_York', callingWindow: null, now: new Date('2026-03-01T00:00:00Z'), requested: raw('2026-03-08T02:30') }, '2026-03-08T07:00:00.000Z', ['local_time_in_gap']],
    ['fall-back overlap: 01:30 → 01:30 EDT (window off)', { timezone: 'America/New_York', callingWindow: null, now: new Date('2026-10-30T00:00:00Z'), requested: raw('2026-11-01T01:30') }, '2026-11-01T05:30:00.000Z', ['local_time_ambiguous']],
    ['spring-forward day, window on: 02:30 → 08:00 EDT', { timezone: 'America/New_York', now: new Date('2026-03-01T00:00:00Z'), requested: raw('2026-03-08T02:30') }, '2026-03-08T12:00:00.000Z', ['local_time_in_gap', 'outside_calling_window']],
    ['business hours: Friday 17:30 NY → Monday 09:00 NY', { timezone: 'America/New_York', businessHours: hours, requested: raw('2026-11-20T17:30:00-05:00') }, '2026-11-23T14:00:00.000Z', ['outside_business_hours']],
    ['holiday: Thanksgiving 10:00 → Friday 09:00', { timezone: 'America/New_York', businessHours: hours, requested: raw('2026-11-26T10:00:00-05:00') }, '2026-11-27T14:00:00.000Z', ['holiday']],
    ['vendorQueuesWhenClosed: hours not applied', { timezone: 'America/New_York', businessHours: { ...hours!, vendorQueuesWhenClosed: true }, requested: raw('2026-11-26T10:00:00-05:00') }, '2026-11-26T15:00:00.000Z', []],
    ['callee in London, contact center in New York: both must be open', { timezone: 'Europe/London', businessHours: hours, requested: raw('2026-11-23T21:30:00Z') }, '2026-11-24T14:00:00.000Z', ['outside_calling_window', 'outside_business_hours']],
    ['region +1512: window ends 20:00 Chicago and gives the zone', { timezone: null, phoneNumber: '+15125550100', callingWindow: texas, requested: raw('2026-11-21T20:30:00-06:00') }, '2026-11-22T14:00:00.000Z', ['outside_calling_window']],
    ['a single-zone country gives the zone (+44 → Europe/London)', { timezone: null, phoneNumber: '+442071838750', requested: raw('2026-11-21T07:00:00Z') }, '2026-11-21T08:00:00.000Z', ['outside_calling_window']],
    ['zones that keep the same time count as one (+49 → Berlin)', { timezone: null, phoneNumber: '+4930901820', requested: raw('2026-11-21T06:00:00Z') }, '2026-11-21T07:00:00.000Z', ['outside_calling_window']],
    ["the account's defaultTimezone when the country has several", { timezone: null, accountDefaultZone: 'America/Los_Angeles', requested: raw('2026-11-21T15:00:00Z') }, '2026-11-21T16:00:00.000Z', ['outside_calling_window']],
  ])('%s', (_name, over, effective, reasons) => {
    const r = run(over);
    if (!r.ok) throw r.error;
    expect(r.effectiveAt.toISOString()).toBe(effective);
    expect(r.schedule.reasons.map((x) => x.code)).toEqual(reasons);
    expect(r.asap).toBe(over.requested === undefined && reasons.length === 0);
  });

  it('caps calls per 24 h for a region: the next call waits until the oldest of the last 3 is 24 h old, then for the window', () => {
    const recentCalls = ['2026-11-20T01:00:00Z', '2026-11-20T03:00:00Z', '2026-11-20T11:00:00Z'].map((s) => new Date(s));
    const r = run({ timezone: null, phoneNumber: '+15125550100', callingWindow: texas, recentCalls });
    if (!r.ok) throw r.error;
    // 2026-11-21T01:00Z is 19:00 in Chicago on the 20th, inside 08:00–20:00.
    expect(r.effectiveAt.toISOString()).toBe('2026-11-21T01:00:00.000Z');
    expect(r.schedule.attemptLimit).toEqual({ maxPer24h: 3, recent: 3 });
    const two = run({ timezone: null, phoneNumber: '+15125550100', callingWindow: texas, recentCalls: recentCalls.slice(1), requested: raw('2026-11-20T15:00:00Z') });
    expect(two.ok && two.effectiveAt.toISOString()).toBe('2026-11-20T15:00:00.000Z');
  });

  it.each<[string, Partial<ResolveInput>, number, string, string]>([
    ['reject outside the window names the window', { requested: raw('2026-11-21T03:00:00-06:00'), outsideWindow: 'reject' }, 422, 'outside_calling_window', '08:00–21:00 America/Chicago'],
    ['reject on a holiday', { timezone: 'America/New_York', businessHours: hours, requested: raw('2026-12-25T10:00:00-05:00'), outsideWindow: 'reject' }, 422, 'outside_business_hours', 'holiday'],
    ['several zones and no hint → timezone required', { timezone: null }, 422, 'timezone_required', 'timezone is required'],
    ['no overlap between window and hours → no_opening', { timezone: 'America/New_York', businessHours: parseBusinessHours({ zone: 'America/New_York', weekly: { mon: [['02:00', '03:00']] } }, null) }, 422, 'no_opening', 'no time'],
    ['callee in Tokyo, contact center 09–17 New York never overlap → no_opening', { timezone: 'Asia/Tokyo', businessHours: hours }, 422, 'no_opening', 'no time'],
    ['a past time', { requested: raw('2026-11-20T11:00:00Z') }, 400, 'validation_failed', 'in the past'],
    ['beyond the horizon', { requested: raw('2027-06-01T12:00:00Z') }, 400, 'validation_failed', 'days ahead'],
    ['a local time with no zone to read it in', { timezone: null, callingWindow: null, requested: raw('2026-11-21T10:00') }, 400, 'validation_failed', 'no offset'],
  ])('%s', (_name, over, status, code, text) => {
    const r = run(over);
    expect(r.ok).toBe(false);
    const e = (r as { error: DomainError }).error;
    expect([e.status, e.code]).toEqual([status, code]);
    expect(JSON.stringify([e.message, e.details])).toContain(text);
  });
});
