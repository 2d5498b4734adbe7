/** /metrics after a create → dispatch flow: the expected counters, a lateness sample, and every series the runbook names. */
import { Reconciler } from '../../src/dispatch/reconciler';
import { startTestApp, TestApp, waitFor } from '../support/app';

describe('/metrics', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ accountsYaml: 'accounts:\n  - id: sim-b\n    vendor: simulator\n' })));
  afterAll(async () => t.close());

  const scrape = async () => {
    const res = await fetch(`${t.baseUrl}/metrics`, { headers: t.authHeaders });
    expect(res.status).toBe(200);
    return res.text();
  };
  /** The value of one sample, or undefined when the series has no such sample. */
  const sample = (text: string, line: RegExp) => {
    const m = text.split('\n').find((l) => line.test(l));
    return m === undefined ? undefined : Number(m.split(' ').pop());
  };

  it('counts a create → dispatch flow and records its lateness', async () => {
    const before = await scrape();
    const created = (k: string) => sample(k, /^callback_intents_created_total\{account="sim-b",outcome="created"\}/) ?? 0;
    const attempts = (k: string) => sample(k, /^dispatch_attempts_total\{account="sim-b",vendor="simulator",outcome="succeeded"\}/) ?? 0;
    const responses = (k: string) => sample(k, /^vendor_responses_total\{account="sim-b",vendor="simulator",status="201"\}/) ?? 0;
    const lateness = (k: string) => sample(k, /^dispatch_lateness_seconds_count\{account="sim-b"\}/) ?? 0;

    const a = await t.call('POST', '/v1/callbacks', { account: 'sim-b', phoneNumber: '+14155550951' });
    expect(a.status).toBe(201);
    const dup = await t.call('POST', '/v1/callbacks', { account: 'sim-b', phoneNumber: '+14155550952', scheduledAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect((await t.call('POST', '/v1/callbacks', { account: 'sim-b', phoneNumber: '+14155550952' })).status).toBe(409);
    expect((await t.call('POST', '/v1/callbacks', { account: 'sim-b', phoneNumber: '+14155550953', routing: { bogus: 1 } })).status).toBe(400);
    await waitFor(async () => (await t.call('GET', `/v1/callbacks/${a.body.id}`)).body.status === 'dispatched');

    const after = await scrape();
    expect(created(after) - created(before)).toBe(2);
    expect(sample(after, /^callback_intents_created_total\{account="sim-b",outcome="duplicate"\}/)).toBe(1);
    expect(sample(after, /^callback_intents_created_total\{account="sim-b",outcome="rejected"\}/)).toBe(1);
    expect(attempts(after) - attempts(before)).toBe(1);
    expect(responses(after) - responses(before)).toBe(1);
    expect(lateness(after) - lateness(before)).toBe(1);
    expect(sample(after, /^dispatch_lateness_seconds_bucket\{le="\+Inf",account="sim-b"\}/)).toBe(1);
    expect(sample(after, /^queue_jobs\{account="sim-b",state="delayed"\}/)).toBe(1); // the one due in an hour
    expect(sample(after, /^http_request_duration_seconds_count\{method="POST",route="\/v1\/callbacks",status="201"\}/)).toBeGreaterThanOrEqual(2);
    expect(sample(after, /^http_request_duration_seconds_count\{method="POST",route="\/v1\/callbacks",status="409"\}/)).toBe(1);
    expect(sample(after, /^http_request_duration_seconds_count\{method="GET",route="\/v1\/callbacks\/:id",status="200"\}/)).toBeGreaterThanOrEqual(1);
    expect(after).not.toMatch(/\+1415555095/); // no phone numbers in labels
    expect(dup.status).toBe(201);
  });

  it('exports every series the issue lists, with their labels', async () => {
    await t.app.get(Reconciler).runOnce();
    const text = await scrape();
    const series: [string, string, string[]][] = [
      ['http_request_duration_seconds', 'histogram', ['method', 'route', 'status']],
      ['callback_intents_created_total', 'counter', ['account', 'outcome']],
      ['dispatch_lateness_seconds', 'histogram', ['account']],
      ['dispatch_attempts_total', 'counter', ['account', 'vendor', 'outcome']],
      ['vendor_responses_total', 'counter', ['account', 'vendor', 'status']],
      ['queue_jobs', 'gauge', ['account', 'state']],
      ['rate_limit_waits_total', 'counter', []],
      ['reconciler_repairs_total', 'counter', ['kind']],
      ['webhook_deliveries_total', 'counter', []],
    ];
    for (const [name, type, labels] of series) {
      expect([name, text.includes(`# TYPE ${name} ${type}`)]).toEqual([name, true]);
      const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name}_count{`));
      if (labels.length) for (const l of labels) expect([name, line?.includes(`${l}="`)]).toEqual([name, true]);
    }
    for (const state of ['waiting', 'delayed', 'active', 'failed', 'completed']) {
      for (const account of ['sim', 'sim-b']) expect(text).toMatch(new RegExp(`^queue_jobs\\{account="${account}",state="${state}"\\} \\d+`, 'm'));
    }
    expect(text).toMatch(/^reconciler_repairs_total\{kind="enqueued"\} \d+/m);
  });
});
