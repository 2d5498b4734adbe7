import { startTestApp, TestApp } from '../support/app';

/** Every bad request is a 4xx naming the problem, and leaves nothing in Postgres or Redis. */
describe('bad input', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp({ env: { BODY_LIMIT_BYTES: '2048' } })));
  afterAll(async () => t.close());

  const good = () => ({ account: 'sim', phoneNumber: '+12518717081', scheduledAt: new Date(Date.now() + 60_000).toISOString() });

  const cases: Array<[string, () => { body: unknown; headers?: Record<string, string> }, number, string]> = [
    ['an invalid phone number', () => ({ body: { ...good(), phoneNumber: '+1555' } }), 400, 'phoneNumber'],
    ['a national-format phone number', () => ({ body: { ...good(), phoneNumber: '251 871 7081' } }), 400, 'phoneNumber'],
    ['an unknown time zone', () => ({ body: { ...good(), timezone: 'Mars/Olympus' } }), 400, 'timezone'],
    ['a past time', () => ({ body: { ...good(), scheduledAt: new Date(Date.now() - 3_600_000).toISOString() } }), 400, 'scheduledAt'],
    ['a time beyond the horizon', () => ({ body: { ...good(), scheduledAt: new Date(Date.now() + 100 * 86_400_000).toISOString() } }), 400, 'scheduledAt'],
    ['a time without an offset', () => ({ body: { ...good(), scheduledAt: '2030-01-01T10:00:00' } }), 400, 'scheduledAt'],
    ['an unknown account', () => ({ body: { ...good(), account: 'nope' } }), 400, 'account'],
    ['an unknown field', () => ({ body: { ...good(), priority: 'high' } }), 400, 'priority'],
    ['a bad routing field for the account', () => ({ body: { ...good(), routing: { simulate: 'explode' } } }), 400, 'routing.simulate'],
    ['a bad onDuplicate', () => ({ body: { ...good(), onDuplicate: 'merge' } }), 400, 'onDuplicate'],
    ['malformed JSON', () => ({ body: '{"account": "sim",' }), 400, 'body'],
    ['a JSON array body', () => ({ body: '[1,2]' }), 400, ''],
    ['an oversized body', () => ({ body: { ...good(), notes: 'x'.repeat(1_900), metadata: { pad: 'y'.repeat(500) } } }), 413, 'body'],
    ['a non-JSON content type', () => ({ body: 'account=sim', headers: { 'content-type': 'text/plain' } }), 415, 'content-type'],
    ['a bad Idempotency-Key', () => ({ body: good(), headers: { 'idempotency-key': 'x'.repeat(300) } }), 400, 'Idempotency-Key'],
  ];

  it.each(cases)('refuses %s', async (_name, make, status, field) => {
    // BullMQ's own housekeeping keys (stalled-check) come and go on their own.
    const queueKeys = async () => (await t.redis.keys(`${t.prefix}:*`)).filter((k) => !k.endsWith(':stalled-check')).sort();
    const before = await queueKeys();
    const { body, headers } = make();
    const res = await t.call('POST', '/v1/callbacks', body, { 'idempotency-key': 'k-1', ...headers });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toEqual(expect.any(String));
    expect(res.body.error.message).toEqual(expect.any(String));
    expect(res.body.requestId).toEqual(expect.any(String));
    if (field) expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    const rows = await t.db.query('SELECT (SELECT count(*) FROM callback_intent) AS i, (SELECT count(*) FROM idempotency_record) AS k');
    expect(rows.rows[0]).toEqual({ i: '0', k: '0' });
    expect(await queueKeys()).toEqual(before);
  });

  it('uses the one error shape for unknown routes too', async () => {
    const res = await t.call('GET', '/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: expect.objectContaining({ code: 'not_found', details: [] }), requestId: expect.any(String) });
  });

  it('echoes a caller X-Request-Id', async () => {
    const res = await t.call('GET', '/v1/callbacks', undefined, { 'x-request-id': 'trace-abc-123' });
    expect(res.headers.get('x-request-id')).toBe('trace-abc-123');
  });
});
