/**
 * Calling windows, business hours, holidays and DST through the API and the
 * worker, on an injected ManualClock (issue 11). Accounts: test/support/window-accounts.ts.
 */
import { ManualClock } from '../../src/common/clock';
import { DispatchQueues } from '../../src/dispatch/dispatch-queues';
import { jobId } from '../../src/dispatch/queues';
import { startTestApp, TestApp, waitFor } from '../support/app';
import { WINDOW_ACCOUNTS } from '../support/window-accounts';

describe('calling windows and business hours', () => {
  let t: TestApp;
  const clock = new ManualClock(new Date('2026-11-21T06:00:00Z'));
  beforeAll(async () => (t = await startTestApp({ accountsYaml: WINDOW_ACCOUNTS, clock, env: { CALLING_WINDOW_DEFAULT: '08:00-21:00' } })));
  afterAll(async () => t.close());

  const post = (body: Record<string, unknown>) => t.call('POST', '/v1/callbacks', body);
  const rows = async (phone: string) => (await t.db.query('SELECT due_at, requested_at, schedule FROM callback_intent WHERE phone_number = $1', [phone])).rows;

  it('moves a request for 03:00 local to 08:00 local the same day, and stores both times and why', async () => {
    clock.set(new Date('2026-11-21T06:00:00Z')); // midnight in Chicago
    const res = await post({ account: 'win', phoneNumber: '+12518717081', timezone: 'America/Chicago', scheduledAt: '2026-11-21T03:00:00-06:00' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ requestedAt: '2026-11-21T09:00:00.000Z', scheduledAt: '2026-11-21T14:00:00.000Z', asap: false });
    expect(res.body.schedule).toMatchObject({
      timezone: { zone: 'America/Chicago', source: 'request' },
      callingWindow: { start: '08:00', end: '21:00', zone: 'America/Chicago', regions: [] },
      reasons: [{ code: 'outside_calling_window' }],
    });
    expect(res.body.schedule.reasons[0].message).toContain('08:00–21:00 America/Chicago');
    expect((await t.call('GET', `/v1/callbacks/${res.body.id}`)).body).toMatchObject({ requestedAt: '2026-11-21T09:00:00.000Z', scheduledAt: '2026-11-21T14:00:00.000Z' });
    const [row] = await rows('+12518717081');
    expect([row.due_at.toISOString(), row.requested_at.toISOString()]).toEqual(['2026-11-21T14:00:00.000Z', '2026-11-21T09:00:00.000Z']);
    // The job waits for the effective time (by the injected clock), not the requested one.
    const job = await t.app.get(DispatchQueues).forAccount('win').getJob(jobId(res.body.id));
    expect(job!.delay).toBe(Date.parse('2026-11-21T14:00:00Z') - clock.now().getTime());
  });

  it("answers a reject request with 422 naming the window and the next opening, and stores nothing", async () => {
    clock.set(new Date('2026-11-21T06:00:00Z'));
    const res = await post({ account: 'win', phoneNumber: '+12518717082', timezone: 'America/Chicago', scheduledAt: '2026-11-21T03:00:00-06:00', outsideWindow: 'reject' });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'outside_calling_window', nextOpening: '2026-11-21T14:00:00.000Z', details: [{ field: 'scheduledAt' }] });
    expect(res.body.error.message).toContain('outside the calling window 08:00–21:00 America/Chicago');
    expect(await rows('+12518717082')).toHaveLength(0);
  });

  it('reads the callee zone from the request, a region, or a one-zone country; else 422 naming timezone', async () => {
    clock.set(new Date('2026-11-21T06:00:00Z'));
    const asap = await post({ account: 'win', phoneNumber: '+442071838750' }); // London: 06:00 local
    expect(asap.body).toMatchObject({ requestedAt: '2026-11-21T06:00:00.000Z', scheduledAt: '2026-11-21T08:00:00.000Z', asap: false });
    expect(asap.body.schedule.timezone).toEqual({ zone: 'Europe/London', source: 'phone_country' });
    const tx = await post({ account: 'win', phoneNumber: '+15125550100', scheduledAt: '2026-11-21T20:30:00-06:00' });
    expect(tx.body).toMatchObject({ scheduledAt: '2026-11-22T14:00:00.000Z' });
    expect(tx.body.schedule).toMatchObject({ timezone: { zone: 'America/Chicago', source: 'region' }, callingWindow: { end: '20:00', regions: ['us-tx'] } });
    const none = await post({ account: 'win', phoneNumber: '+12518717083', scheduledAt: '2026-11-21T15:00:00Z' });
    expect(none.status).toBe(422);
    expect(none.body.error).toMatchObject({ code: 'timezone_required', details: [{ field: 'timezone' }] });
    expect(await rows('+12518717083')).toHaveLength(0);
  });

  it('resolves a local time in a spring-forward gap and in a fall-back overlap to the documented instants', async () => {
    clock.set(new Date('2026-03-01T12:00:00Z'));
    const gap = await post({ account: 'nowin', phoneNumber: '+12125550101', timezone: 'America/New_York', scheduledAt: '2026-03-08T02:30' });
    expect(gap.status).toBe(201);
    // 02:30 does not exist that night: the first valid instant after the gap, 03:00 EDT.
    expect(gap.body).toMatchObject({ requestedAt: '2026-03-08T07:00:00.000Z', scheduledAt: '2026-03-08T07:00:00.000Z' });
    expect(gap.body.schedule).toMatchObject({ requestedLocal: '2026-03-08T02:30', reasons: [{ code: 'local_time_in_gap' }] });
    // With the window on, the same request then waits for 08:00 EDT (12:00Z, not 13:00Z).
    const gapWin = await post({ account: 'win', phoneNumber: '+12125550102', timezone: 'America/New_York', scheduledAt: '2026-03-08T02:30' });
    expect(gapWin.body.scheduledAt).toBe('2026-03-08T12:00:00.000Z');
    expect(gapWin.body.schedule.reasons.map((r: { code: string }) => r.code)).toEqual(['local_time_in_gap', 'outside_calling_window']);

    clock.set(new Date('2026-10-25T12:00:00Z'));
    const overlap = await post({ account: 'nowin', phoneNumber: '+12125550103', timezone: 'America/New_York', scheduledAt: '2026-11-01T01:30' });
    // 01:30 happens twice: the earlier instant, 01:30 EDT.
    expect(overlap.body).toMatchObject({ requestedAt: '2026-11-01T05:30:00.000Z', scheduledAt: '2026-11-01T05:30:00.000Z' });
    expect(overlap.body.schedule.reasons).toMatchObject([{ code: 'local_time_ambiguous' }]);
    // The second 01:30 (06:30Z, EST) under the window opens at 08:00 EST = 13:00Z.
    const overlapWin = await post({ account: 'win', phoneNumber: '+12125550104', timezone: 'America/New_York', scheduledAt: '2026-11-01T06:30:00Z' });
    expect(overlapWin.body.scheduledAt).toBe('2026-11-01T13:00:00.000Z');
  });

  it("moves an intent due on a holiday of its account to the next open hour", async () => {
    clock.set(new Date('2026-11-21T06:00:00Z'));
    const thanksgiving = await post({ account: 'hours', phoneNumber: '+12125550201', scheduledAt: '2026-11-26T10:00:00-05:00' });
    expect(thanksgiving.status).toBe(201);
    expect(thanksgiving.body).toMatchObject({ requestedAt: '2026-11-26T15:00:00.000Z', scheduledAt: '2026-11-27T14:00:00.000Z' });
    expect(thanksgiving.body.schedule).toMatchObject({ businessHours: { zone: 'America/New_York', applied: true }, reasons: [{ code: 'holiday' }] });
    expect(thanksgiving.body.schedule.reasons[0].message).toContain('2026-11-26 is a holiday');
    const christmas = await post({ account: 'hours', phoneNumber: '+12125550202', scheduledAt: '2026-12-25T12:00:00Z' }); // a Friday: next open hour is Monday 09:00
    expect(christmas.body.scheduledAt).toBe('2026-12-28T14:00:00.000Z');
    const evening = await post({ account: 'hours', phoneNumber: '+12125550203', scheduledAt: '2026-11-24T17:00:00-05:00' });
    expect(evening.body).toMatchObject({ scheduledAt: '2026-11-25T14:00:00.000Z', schedule: { reasons: [{ code: 'outside_business_hours' }] } });
    // Where the vendor queues callbacks itself and the account says so, the holiday does not hold it back.
    const queued = await post({ account: 'queues', phoneNumber: '+12125550204', scheduledAt: '2026-11-26T10:00:00-05:00' });
    expect(queued.body).toMatchObject({ scheduledAt: '2026-11-26T15:00:00.000Z', schedule: { businessHours: { applied: false }, reasons: [] } });
  });

  it('reschedules (PATCH) through the same resolver', async () => {
    clock.set(new Date('2026-11-21T06:00:00Z'));
    const c = (await post({ account: 'win', phoneNumber: '+12518717090', timezone: 'America/Chicago', scheduledAt: '2026-11-21T12:00:00-06:00' })).body;
    expect(c.schedule.reasons).toEqual([]);
    const moved = await t.call('PATCH', `/v1/callbacks/${c.id}`, { scheduledAt: '2026-11-22T03:00:00-06:00' });
    expect(moved.body).toMatchObject({ requestedAt: '2026-11-22T09:00:00.000Z', scheduledAt: '2026-11-22T14:00:00.000Z', schedule: { reasons: [{ code: 'outside_calling_window' }] } });
    const refused = await t.call('PATCH', `/v1/callbacks/${c.id}`, { scheduledAt: '2026-11-22T22:00:00-06:00', outsideWindow: 'reject' });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('outside_calling_window');
    // A new zone re-reads the requested time: 03:00 Chicago is 04:00 New York, still closed until 08:00 New York.
    const zone = await t.call('PATCH', `/v1/callbacks/${c.id}`, { timezone: 'America/New_York' });
    expect(zone.body).toMatchObject({ requestedAt: '2026-11-22T09:00:00.000Z', scheduledAt: '2026-11-22T13:00:00.000Z', timezone: 'America/New_York' });
  });

  it('defers a call when a region has had its calls for 24 h', async () => {
    clock.set(new Date('2026-11-21T16:00:00Z')); // 10:00 in Chicago
    const phone = '+15125550177';
    for (let i = 0; i < 3; i++) {
      const c = (await post({ account: 'win', phoneNumber: phone })).body;
      expect(c.scheduledAt).toBe('2026-11-21T16:00:00.000Z');
      await waitFor(async () => (await t.call('GET', `/v1/callbacks/${c.id}`)).body.status === 'dispatched');
    }
    const fourth = await post({ account: 'win', phoneNumber: phone });
    expect(fourth.body).toMatchObject({ requestedAt: '2026-11-21T16:00:00.000Z', scheduledAt: '2026-11-22T16:00:00.000Z', asap: false });
    expect(fourth.body.schedule).toMatchObject({ attemptLimit: { maxPer24h: 3, recent: 3 }, reasons: [{ code: 'attempt_limit' }] });
  });

  it('does not ring when a retry lands outside the window: the due time moves to the next opening, no attempt spent', async () => {
    // 20:58:59 in Chicago; due a second later, the first attempt fails and BullMQ retries 2.25–3.75 s later.
    clock.set(new Date('2030-01-10T02:58:59Z'));
    const c = (await post({ account: 'win', phoneNumber: '+12518717095', timezone: 'America/Chicago', scheduledAt: '2030-01-10T02:59:00Z', routing: { simulate: 'retryable', failTimes: 1 } })).body;
    expect(c.scheduledAt).toBe('2030-01-10T02:59:00.000Z');
    clock.set(new Date('2030-01-10T02:59:00Z'));
    await waitFor(async () => (await t.call('GET', `/v1/callbacks/${c.id}/attempts`)).body[0]?.outcome === 'retryable');
    clock.set(new Date('2030-01-10T03:05:00Z')); // 21:05 in Chicago when the retry fires
    const deferred = await waitFor(async () => {
      const b = (await t.call('GET', `/v1/callbacks/${c.id}`)).body;
      return b.scheduledAt !== c.scheduledAt ? b : null;
    });
    expect(deferred).toMatchObject({ status: 'scheduled', scheduledAt: '2030-01-10T14:00:00.000Z', requestedAt: '2030-01-10T02:59:00.000Z', attemptCount: 1 });
    expect(deferred.schedule.reasons.map((r: { code: string }) => r.code)).toEqual(['dispatch_outside_window', 'outside_calling_window']);
    expect(t.sim.calls.get(c.id)).toBe(1);
    const job = await t.app.get(DispatchQueues).forAccount('win').getJob(jobId(c.id));
    expect(await job!.getState()).toBe('delayed');
    expect(job!.attemptsMade).toBe(1);
  });

  it('documents the dry run, the two times and the schedule in OpenAPI', async () => {
    const doc = (await t.call('GET', '/docs/json')).body;
    expect(doc.paths['/v1/callbacks/validate'].post.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/ValidationView');
    expect(doc.components.schemas.CallbackView.required).toEqual(expect.arrayContaining(['requestedAt', 'scheduledAt']));
    expect(doc.components.schemas.CallbackView.properties.schedule).toBeDefined();
    expect(doc.components.schemas.ScheduleView.properties.reasons.items.$ref).toBe('#/components/schemas/ScheduleReasonView');
    expect(doc.components.schemas.CreateCallbackDto.properties.outsideWindow.enum).toEqual(['defer', 'reject']);
  });
});
