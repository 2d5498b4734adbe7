import { startTestApp, TestApp } from '../support/app';

describe('dedupe on phone number and Idempotency-Key', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(async () => t.close());

  const later = (ms: number) => new Date(Date.now() + ms).toISOString();
  const count = async (phone: string) => Number((await t.db.query('SELECT count(*) FROM callback_intent WHERE phone_number = $1', [phone])).rows[0].count);

  it('refuses a second live intent with 409 and the live id; return_existing and replace behave as named', async () => {
    const phone = '+14155550401';
    const first = await t.call('POST', '/v1/callbacks', { account: 'sim', phoneNumber: phone, scheduledAt: later(60_000) });
    expect(first.status).toBe(201);
    const dup = await t.call('POST', '/v1/callbacks', { account: 'sim', phoneNumber: phone, scheduledAt: later(120_000) });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: 'duplicate_live_callback', existingId: first.body.id });

    const existing = await t.call('POST', '/v1/callbacks', { account: 'sim', phoneNumber: phone, scheduledAt: later(120_000), onDuplicate: 'return_existing' });
    expect(existing.status).toBe(200);
    expect(existing.body).toEqual(first.body);

    const newTime = later(180_000);
    const replaced = await t.call('POST', '/v1/callbacks', { account: 'sim', phoneNumber: phone, scheduledAt: newTime, notes: 'new', onDuplicate: 'replace' });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ id: first.body.id, scheduledAt: newTime, notes: 'new', version: 2 });
    const job = await t.redis.hget(`${t.prefix}:dispatch-sim:intent-${first.body.id}`, 'delay');
    expect(Number(job)).toBeGreaterThan(170_000);
    expect(await count(phone)).toBe(1);

    // Once the live one ends, the number is free again; a different account never collides.
    await t.call('POST', `/v1/callbacks/${first.body.id}/cancel`);
    expect((await t.call('POST', '/v1/callbacks', { account: 'sim', phoneNumber: phone, scheduledAt: later(60_000) })).status).toBe(201);
  });

  it('keeps exactly one intent when 20 requests for one number arrive at once', async () => {
    const phone = '+14155550402';
    const results = await Promise.all(
      Array.from({ length: 20 }, () => t.call('POST', '/v1/callbacks', { account: 'sim', phoneNumber: phone, scheduledAt: later(60_000) })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const winner = results.find((r) => r.status === 201)!.body.id;
    expect(results.filter((r) => r.status === 409).every((r) => r.body.error.existingId === winner)).toBe(true);
    expect(await count(phone)).toBe(1);

    const again = await Promise.all(
      Array.from({ length: 20 }, () => t.call('POST', '/v1/callbacks', { account: 'sim', phoneNumber: '+14155550403', onDuplicate: 'return_existing', scheduledAt: later(60_000) })),
    );
    expect(new Set(again.map((r) => r.body.id)).size).toBe(1);
    expect(again.filter((r) => r.status === 201)).toHaveLength(1);
    expect(await count('+14155550403')).toBe(1);
  });

  it('replays the first response for the same key and body, and refuses a different body with 422', async () => {
    const body = { account: 'sim', phoneNumber: '+14155550404', scheduledAt: later(60_000), metadata: { a: 1, b: 2 } };
    const headers = { 'idempotency-key': 'order-1042-callback' };
    const first = await t.call('POST', '/v1/callbacks', body, headers);
    expect(first.status).toBe(201);
    // Same body with keys in another order is the same request.
    const replay = await t.call('POST', '/v1/callbacks', { metadata: { b: 2, a: 1 }, scheduledAt: body.scheduledAt, phoneNumber: body.phoneNumber, account: 'sim' }, headers);
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await count(body.phoneNumber)).toBe(1);

    const different = await t.call('POST', '/v1/callbacks', { ...body, notes: 'changed' }, headers);
    expect(different.status).toBe(422);
    expect(different.body.error.code).toBe('idempotency_key_reused');
    // The key is per client: another client may use it.
    const other = await t.call('POST', '/v1/callbacks', { ...body, phoneNumber: '+14155550405' }, { ...headers, ...(await t.clientHeaders('billing')) });
    expect(other.status).toBe(201);
    // The record lives exactly IDEMPOTENCY_TTL_HOURS (default 24) from when it was taken.
    const rec = await t.db.query(`SELECT EXTRACT(EPOCH FROM expires_at - created_at)::float8 AS ttl FROM idempotency_record WHERE key = $1 AND client = 'default'`, [headers['idempotency-key']]);
    expect(rec.rows[0].ttl).toBe(24 * 3600);
  });

  it('concurrent requests with one key create one intent and all get its response', async () => {
    const body = { account: 'sim', phoneNumber: '+14155550406', scheduledAt: later(60_000) };
    const results = await Promise.all(Array.from({ length: 10 }, () => t.call('POST', '/v1/callbacks', body, { 'idempotency-key': 'burst-1' })));
    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(await count(body.phoneNumber)).toBe(1);
  });

  it('an expired key is taken over by a new request, and a live one is not', async () => {
    const headers = { 'idempotency-key': 'expiring-key-1' };
    const first = await t.call('POST', '/v1/callbacks', { account: 'sim', phoneNumber: '+14155550407', scheduledAt: later(60_000) }, headers);
    expect(first.status).toBe(201);
    await t.db.query(`UPDATE idempotency_record SET expires_at = now() - interval '1 second' WHERE key = 'expiring-key-1'`);
    const second = await t.call('POST', '/v1/callbacks', { account: 'sim', phoneNumber: '+14155550408', scheduledAt: later(60_000) }, headers);
    expect(second.status).toBe(201);
    expect(second.body.id).not.toBe(first.body.id);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    const reused = await t.call('POST', '/v1/callbacks', { account: 'sim', phoneNumber: '+14155550409', scheduledAt: later(60_000) }, headers);
    expect(reused.status).toBe(422);
    expect(await count('+14155550409')).toBe(0);
  });
});
