import { startTestApp, TestApp, waitFor } from '../support/app';

describe('reschedule and cancel', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(async () => t.close());

  const create = async (phoneNumber: string, inMs: number) =>
    (await t.call('POST', '/v1/callbacks', { account: 'sim', phoneNumber, scheduledAt: new Date(Date.now() + inMs).toISOString() })).body;
  const status = async (id: string) => (await t.call('GET', `/v1/callbacks/${id}`)).body.status;

  it('moves the dispatch to the new time when rescheduled before due (later and earlier)', async () => {
    const later = await create('+14155550201', 1_500);
    const newDue = new Date(Date.now() + 3_000);
    const patched = await t.call('PATCH', `/v1/callbacks/${later.id}`, { scheduledAt: newDue.toISOString(), notes: 'moved' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ scheduledAt: newDue.toISOString(), notes: 'moved', status: 'scheduled', version: 2 });

    const earlier = await create('+14155550202', 30_000);
    const soon = new Date(Date.now() + 1_000);
    expect((await t.call('PATCH', `/v1/callbacks/${earlier.id}`, { scheduledAt: soon.toISOString() })).status).toBe(200);

    await new Promise((r) => setTimeout(r, 2_200));
    expect(await status(later.id)).toBe('scheduled'); // its old time passed without a dispatch
    const e = t.sim.received.find((d) => d.intentId === earlier.id);
    expect(e).toBeDefined();
    expect(e!.receivedAt.getTime() - soon.getTime()).toBeLessThan(1_000);

    await waitFor(async () => t.sim.received.find((d) => d.intentId === later.id), 3_000);
    const l = t.sim.received.find((d) => d.intentId === later.id)!;
    expect(l.receivedAt.getTime()).toBeGreaterThanOrEqual(newDue.getTime());
    expect(l.receivedAt.getTime() - newDue.getTime()).toBeLessThan(1_000);
  });

  it('never dispatches a callback cancelled before due', async () => {
    const c = await create('+14155550203', 1_000);
    const res = await t.call('POST', `/v1/callbacks/${c.id}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 1_800));
    expect(t.sim.calls.get(c.id)).toBeUndefined();
    expect(await status(c.id)).toBe('cancelled');
    // The job is gone from Redis, not merely skipped.
    const job = await t.redis.exists(`${t.prefix}:dispatch-sim:intent-${c.id}`);
    expect(job).toBe(0);
  });

  it('answers 409 naming the current status to a cancel or reschedule after dispatch', async () => {
    const c = (await t.call('POST', '/v1/callbacks', { account: 'sim', phoneNumber: '+14155550204' })).body;
    await waitFor(async () => (await status(c.id)) === 'dispatched');
    const cancel = await t.call('POST', `/v1/callbacks/${c.id}/cancel`);
    expect(cancel.status).toBe(409);
    expect(cancel.body.error).toMatchObject({ code: 'invalid_transition', currentStatus: 'dispatched' });
    expect(cancel.body.error.message).toContain('dispatched');
    const patch = await t.call('PATCH', `/v1/callbacks/${c.id}`, { scheduledAt: new Date(Date.now() + 60_000).toISOString() });
    expect(patch.status).toBe(409);
    expect(patch.body.error.currentStatus).toBe('dispatched');
    // A cancelled one is 409 too.
    const d = await create('+14155550205', 60_000);
    await t.call('POST', `/v1/callbacks/${d.id}/cancel`);
    const again = await t.call('PATCH', `/v1/callbacks/${d.id}`, { notes: 'x' });
    expect(again.status).toBe(409);
    expect(again.body.error.currentStatus).toBe('cancelled');
  });

  it('404s for an unknown id and for another client\'s callback', async () => {
    const mine = await create('+14155550206', 60_000);
    expect((await t.call('GET', `/v1/callbacks/${mine.id}`, undefined, await t.clientHeaders('someone-else'))).status).toBe(404);
    expect((await t.call('GET', '/v1/callbacks/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await t.call('GET', '/v1/callbacks/not-a-uuid')).status).toBe(404);
  });

  it('lists with filters and cursor pages', async () => {
    const client = await t.clientHeaders('lister');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await t.call('POST', '/v1/callbacks', { account: 'sim', phoneNumber: `+1415555030${i}`, scheduledAt: new Date(Date.now() + 3_600_000 * (i + 1)).toISOString() }, client);
      ids.push(r.body.id);
    }
    await t.call('POST', `/v1/callbacks/${ids[0]}/cancel`, undefined, client);
    const p1 = await t.call('GET', '/v1/callbacks?limit=2', undefined, client);
    expect(p1.body.items).toHaveLength(2);
    const p2 = await t.call('GET', `/v1/callbacks?limit=2&cursor=${p1.body.nextCursor}`, undefined, client);
    const p3 = await t.call('GET', `/v1/callbacks?limit=2&cursor=${p2.body.nextCursor}`, undefined, client);
    expect(p3.body.nextCursor).toBeNull();
    const all = [...p1.body.items, ...p2.body.items, ...p3.body.items].map((i: { id: string }) => i.id);
    expect(all).toEqual([...ids].reverse());
    const scheduled = await t.call('GET', '/v1/callbacks?status=scheduled', undefined, client);
    expect(scheduled.body.items).toHaveLength(4);
    const byPhone = await t.call('GET', `/v1/callbacks?phoneNumber=${encodeURIComponent('+14155550302')}`, undefined, client);
    expect(byPhone.body.items.map((i: { id: string }) => i.id)).toEqual([ids[2]]);
    const window = await t.call(
      'GET',
      `/v1/callbacks?dueFrom=${encodeURIComponent(new Date(Date.now() + 1.5 * 3_600_000).toISOString())}&dueTo=${encodeURIComponent(new Date(Date.now() + 3.5 * 3_600_000).toISOString())}`,
      undefined,
      client,
    );
    expect(window.body.items.map((i: { id: string }) => i.id).sort()).toEqual([ids[1], ids[2]].sort());
    const bad = await t.call('GET', '/v1/callbacks?status=bogus&limit=1000', undefined, client);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['limit', 'status']);
    // Other clients see none of these.
    expect((await t.call('GET', '/v1/callbacks', undefined, await t.clientHeaders('other'))).body.items).toHaveLength(0);
  });
});
