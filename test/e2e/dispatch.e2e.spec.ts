import { startTestApp, TestApp, waitFor } from '../support/app';

describe('dispatch to the simulator (real Postgres, Redis, BullMQ)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(async () => t.close());

  const getIntent = async (id: string) => (await t.call('GET', `/v1/callbacks/${id}`)).body;

  it('dispatches a callback due in 3 s within 1 s after its due time, once, with one attempt', async () => {
    const due = new Date(Date.now() + 3_000);
    const res = await t.call('POST', '/v1/callbacks', { account: 'sim', phoneNumber: '+12518717081', scheduledAt: due.toISOString() });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'scheduled', account: 'sim', phoneNumber: '+12518717081', asap: false, scheduledAt: due.toISOString() });
    const id = res.body.id;

    await new Promise((r) => setTimeout(r, 2_000));
    expect((await getIntent(id)).status).toBe('scheduled');
    expect(t.sim.received.filter((d) => d.intentId === id)).toHaveLength(0);

    const done = await waitFor(async () => {
      const i = await getIntent(id);
      return i.status === 'dispatched' ? i : null;
    }, 5_000);
    const delivery = t.sim.received.filter((d) => d.intentId === id);
    expect(delivery).toHaveLength(1);
    const late = delivery[0].receivedAt.getTime() - due.getTime();
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(1_000);
    expect(done.vendorReference).toBe(delivery[0].vendorRef);
    expect(done.attemptCount).toBe(1);

    const attempts = (await t.call('GET', `/v1/callbacks/${id}/attempts`)).body;
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ number: 1, outcome: 'succeeded', httpStatus: 201 });

    // Nothing more arrives later.
    await new Promise((r) => setTimeout(r, 500));
    expect(t.sim.calls.get(id)).toBe(1);
  });

  it('dispatches an intent with no scheduledAt within 1 s of creation', async () => {
    const created = Date.now();
    const res = await t.call('POST', '/v1/callbacks', { account: 'sim', phoneNumber: '+14155550123' });
    expect(res.status).toBe(201);
    expect(res.body.asap).toBe(true);
    await waitFor(async () => t.sim.received.find((d) => d.intentId === res.body.id), 2_000);
    const d = t.sim.received.find((x) => x.intentId === res.body.id)!;
    expect(d.receivedAt.getTime() - created).toBeLessThan(1_000);
    expect(d.dueAt).toBeNull();
    await waitFor(async () => (await getIntent(res.body.id)).status === 'dispatched');
  });

  it('retries a retryable failure with backoff, then dispatches', async () => {
    const res = await t.call('POST', '/v1/callbacks', {
      account: 'sim',
      phoneNumber: '+14155550124',
      routing: { simulate: 'retryable', failTimes: 2 },
    });
    expect(res.status).toBe(201);
    const id = res.body.id;
    const done = await waitFor(async () => {
      const i = await getIntent(id);
      return i.status === 'dispatched' ? i : null;
    }, 10_000);
    expect(done.attemptCount).toBe(3);
    const attempts = (await t.call('GET', `/v1/callbacks/${id}/attempts`)).body;
    expect(attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['retryable', 'retryable', 'succeeded']);
    expect(attempts[0].httpStatus).toBe(503);
    // Backoff: the second retry waits longer than the first (base 200 ms, doubling, ±25%).
    const gap1 = Date.parse(attempts[1].startedAt) - Date.parse(attempts[0].endedAt);
    const gap2 = Date.parse(attempts[2].startedAt) - Date.parse(attempts[1].endedAt);
    expect(gap1).toBeGreaterThanOrEqual(140);
    expect(gap2).toBeGreaterThanOrEqual(290);
    expect(t.sim.calls.get(id)).toBe(3);
  });

  it('ends a permanent failure as failed with the reason, without further attempts', async () => {
    const res = await t.call('POST', '/v1/callbacks', { account: 'sim', phoneNumber: '+14155550125', routing: { simulate: 'permanent' } });
    const id = res.body.id;
    const failed = await waitFor(async () => {
      const i = await getIntent(id);
      return i.status === 'failed' ? i : null;
    });
    expect(failed.lastError).toContain('simulated permanent failure');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(t.sim.calls.get(id)).toBe(1);
    const attempts = (await t.call('GET', `/v1/callbacks/${id}/attempts`)).body;
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ outcome: 'permanent', httpStatus: 422, errorCode: 'SimulatedInvalid' });
  });

  it('waits out a vendor rate limit without spending an attempt', async () => {
    const res = await t.call('POST', '/v1/callbacks', {
      account: 'sim',
      phoneNumber: '+14155550126',
      routing: { simulate: 'rate_limited', failTimes: 1, retryAfterMs: 700 },
    });
    const id = res.body.id;
    const done = await waitFor(async () => {
      const i = await getIntent(id);
      return i.status === 'dispatched' ? i : null;
    });
    expect(done.attemptCount).toBe(1);
    const attempts = (await t.call('GET', `/v1/callbacks/${id}/attempts`)).body;
    expect(attempts.map((a: { errorCode: string | null }) => a.errorCode)).toEqual(['rate_limited', null]);
    expect(Date.parse(attempts[1].startedAt) - Date.parse(attempts[0].endedAt)).toBeGreaterThanOrEqual(650);
  });

  it('counts what happened in /metrics, and /health/ready says every dependency is up', async () => {
    const res = await fetch(`${t.baseUrl}/metrics`);
    const text = await res.text();
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(text).toMatch(/callback_intents_created_total\{account="sim",outcome="created"\} [1-9]/);
    expect(text).toMatch(/dispatch_attempts_total\{account="sim",vendor="simulator",outcome="succeeded"\} [1-9]/);
    expect(text).toMatch(/dispatch_attempts_total\{account="sim",vendor="simulator",outcome="permanent"\} 1/);
    expect(text).toMatch(/rate_limit_waits_total\{account="sim",source="vendor"\} 1/);
    expect(text).toMatch(/dispatch_lateness_seconds_bucket\{le="1",account="sim"\} [1-9]/);
    expect(text).toMatch(/queue_jobs\{account="sim",state="delayed"\} \d+/);
    expect(text).toMatch(/http_request_duration_seconds_count\{method="POST",route="\/v1\/callbacks",status="201"\} [1-9]/);
    expect(text).not.toMatch(/\+1\d{6,}/);
    const ready = await t.call('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok', error: {}, details: { postgres: { status: 'up' }, migrations: { status: 'up' }, redis: { status: 'up' }, accounts: { status: 'up' } } });
  });
});
