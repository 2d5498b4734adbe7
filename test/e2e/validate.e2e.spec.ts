/**
 * POST /v1/callbacks/validate agrees with what POST /v1/callbacks then does,
 * case by case, and stores nothing (no row, no job, no Idempotency-Key record).
 * Injected ManualClock: Saturday 2026-11-21 06:00Z (00:00 in Chicago, 01:00 in New York).
 */
import { ManualClock } from '../../src/common/clock';
import { startTestApp, TestApp } from '../support/app';
import { WINDOW_ACCOUNTS } from '../support/window-accounts';

type Case = [name: string, body: unknown, headers?: Record<string, string>];

const CHI = { account: 'win', timezone: 'America/Chicago' };
const CASES: Case[] = [
  ['03:00 Chicago deferred to 08:00', { ...CHI, phoneNumber: '+12518717001', scheduledAt: '2026-11-21T03:00:00-06:00' }],
  ['noon Chicago kept', { ...CHI, phoneNumber: '+12518717002', scheduledAt: '2026-11-21T12:00:00-06:00' }],
  ['03:00 Chicago with reject', { ...CHI, phoneNumber: '+12518717003', scheduledAt: '2026-11-21T03:00:00-06:00', outsideWindow: 'reject' }],
  ['21:00 Chicago (exclusive end) to the next morning', { ...CHI, phoneNumber: '+12518717004', scheduledAt: '2026-11-21T21:00:00-06:00' }],
  ['20:59:59 Chicago kept', { ...CHI, phoneNumber: '+12518717005', scheduledAt: '2026-11-21T20:59:59-06:00' }],
  ['asap at midnight Chicago deferred', { ...CHI, phoneNumber: '+12518717006' }],
  ['asap at midnight with reject', { ...CHI, phoneNumber: '+12518717007', outsideWindow: 'reject' }],
  ['US number without a zone', { account: 'win', phoneNumber: '+12518717008', scheduledAt: '2026-11-21T15:00:00Z' }],
  ['UK number: zone from its country', { account: 'win', phoneNumber: '+442071838750' }],
  ['German number: zone from its country', { account: 'win', phoneNumber: '+4930901820', scheduledAt: '2026-11-22T06:00:00Z' }],
  ['Texas region at 20:30 (its window ends 20:00)', { account: 'win', phoneNumber: '+15125550101', scheduledAt: '2026-11-21T20:30:00-06:00' }],
  ['Texas region at 20:30 with reject', { account: 'win', phoneNumber: '+15125550102', scheduledAt: '2026-11-21T20:30:00-06:00', outsideWindow: 'reject' }],
  ['local 07:00 in Chicago', { ...CHI, phoneNumber: '+12518717009', scheduledAt: '2026-11-21T07:00' }],
  ['local time and no zone', { account: 'win', phoneNumber: '+12518717010', scheduledAt: '2026-11-21T10:00' }],
  ['local time in the past (last March)', { ...CHI, phoneNumber: '+12518717011', scheduledAt: '2026-03-08T02:30' }],
  ['Tokyo morning kept', { account: 'win', timezone: 'Asia/Tokyo', phoneNumber: '+12518717012', scheduledAt: '2026-11-22T10:00:00+09:00' }],
  ['Kolkata 02:00 to 08:00 IST', { account: 'win', timezone: 'Asia/Kolkata', phoneNumber: '+12518717013', scheduledAt: '2026-11-22T02:00:00+05:30' }],
  ['no window: 03:00 kept', { account: 'nowin', ...{ timezone: 'America/Chicago' }, phoneNumber: '+12518717014', scheduledAt: '2026-11-21T03:00:00-06:00' }],
  ['built-in sim has no window', { account: 'sim', phoneNumber: '+12518717015', scheduledAt: '2026-11-21T03:00:00-06:00' }],
  ['a past time', { account: 'nowin', phoneNumber: '+12518717016', scheduledAt: '2026-11-20T00:00:00Z' }],
  ['beyond the horizon', { account: 'nowin', phoneNumber: '+12518717017', scheduledAt: '2027-11-21T00:00:00Z' }],
  ['an invalid phone number', { account: 'nowin', phoneNumber: '+1555' }],
  ['an unknown account', { account: 'nope', phoneNumber: '+12518717018' }],
  ['an unknown time zone', { account: 'nowin', phoneNumber: '+12518717019', timezone: 'Mars/Olympus' }],
  ['a bad outsideWindow', { account: 'win', phoneNumber: '+12518717020', outsideWindow: 'maybe' }],
  ['an unknown field', { account: 'nowin', phoneNumber: '+12518717021', colour: 'blue' }],
  ['bad simulator routing', { account: 'nowin', phoneNumber: '+12518717022', routing: { simulate: 'bogus' } }],
  ['a body that is not an object', [1, 2, 3]],
  ['Thanksgiving to Friday 09:00', { account: 'hours', phoneNumber: '+12125550301', scheduledAt: '2026-11-26T10:00:00-05:00' }],
  ['Christmas with reject', { account: 'hours', phoneNumber: '+12125550302', scheduledAt: '2026-12-25T12:00:00-05:00', outsideWindow: 'reject' }],
  ['Saturday asap to Monday 09:00', { account: 'hours', phoneNumber: '+12125550303' }],
  ['Tuesday noon kept', { account: 'hours', phoneNumber: '+12125550304', scheduledAt: '2026-11-24T12:00:00-05:00' }],
  ['the vendor queues on holidays', { account: 'queues', phoneNumber: '+12125550305', scheduledAt: '2026-11-26T10:00:00-05:00' }],
  ['duplicate of a live callback', { ...CHI, phoneNumber: '+12518717002', scheduledAt: '2026-11-21T13:00:00-06:00' }],
  ['duplicate, return_existing', { ...CHI, phoneNumber: '+12518717002', onDuplicate: 'return_existing' }],
  ['duplicate, replace with a night time', { ...CHI, phoneNumber: '+12518717002', scheduledAt: '2026-11-21T23:00:00-06:00', onDuplicate: 'replace' }],
  ['a well-formed Idempotency-Key', { ...CHI, phoneNumber: '+12518717023', scheduledAt: '2026-11-21T09:00:00-06:00' }, { 'idempotency-key': 'dry-run-1' }],
  ['a malformed Idempotency-Key', { ...CHI, phoneNumber: '+12518717024' }, { 'idempotency-key': 'has spaces in it' }],
];

describe('POST /v1/callbacks/validate', () => {
  let t: TestApp;
  const clock = new ManualClock(new Date('2026-11-21T06:00:00Z'));
  beforeAll(async () => (t = await startTestApp({ accountsYaml: WINDOW_ACCOUNTS, clock, env: { CALLING_WINDOW_DEFAULT: '08:00-21:00' } })));
  afterAll(async () => t.close());

  const stored = async () => {
    const q = async (sql: string) => Number((await t.db.query(sql)).rows[0].n);
    return {
      intents: await q('SELECT count(*) AS n FROM callback_intent'),
      versions: await q('SELECT coalesce(sum(version), 0) AS n FROM callback_intent'),
      idempotency: await q('SELECT count(*) AS n FROM idempotency_record'),
      jobs: (await t.redis.keys(`${t.prefix}:dispatch-*:intent-*`)).filter((k) => !/:(logs|lock)$/.test(k)).length,
    };
  };

  it(`agrees with create for ${CASES.length} cases, and stores nothing itself`, async () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    const seen = { accepted: 0, rejected: 0, moved: 0 };
    for (const [name, body, headers] of CASES) {
      const before = await stored();
      const v = await t.call('POST', '/v1/callbacks/validate', body, headers);
      expect({ name, status: v.status }).toEqual({ name, status: 200 });
      expect({ name, stored: await stored() }).toEqual({ name, stored: before });

      const c = await t.call('POST', '/v1/callbacks', body, headers);
      const d = v.body;
      expect({ name, status: d.status, accepted: d.accepted }).toEqual({ name, status: c.status, accepted: c.status < 300 });
      if (d.accepted) {
        seen.accepted++;
        if (d.outcome === 'return_existing') {
          expect({ name, id: d.existingId }).toEqual({ name, id: c.body.id });
          continue;
        }
        if (d.outcome === 'replace') expect({ name, id: d.existingId }).toEqual({ name, id: c.body.id });
        const { requestedAt, scheduledAt, asap, schedule } = c.body;
        expect({ name, requestedAt: d.requestedAt, scheduledAt: d.scheduledAt, asap: d.asap, schedule: d.schedule }).toEqual({ name, requestedAt, scheduledAt, asap, schedule });
        if (scheduledAt !== requestedAt) seen.moved++;
      } else {
        seen.rejected++;
        expect({ name, error: d.error }).toEqual({ name, error: { ...c.body.error } });
      }
    }
    // The table exercises every kind of answer.
    expect(seen.accepted).toBeGreaterThanOrEqual(12);
    expect(seen.rejected).toBeGreaterThanOrEqual(12);
    expect(seen.moved).toBeGreaterThanOrEqual(8);
    // The "stored nothing" probes do see what create stores.
    expect(await stored()).toMatchObject({ idempotency: 1 });
    expect((await stored()).jobs).toBeGreaterThanOrEqual(seen.accepted - 2);
  });
});
