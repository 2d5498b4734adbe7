/**
 * API keys: every /v1 route needs one, with the route's scope; keys are stored
 * as hashes, rotate with an overlap, and stop working when revoked or expired.
 */
import { ManualClock } from '../../src/common/clock';
import { startTestApp, TestApp } from '../support/app';

const anon = { authorization: '' };

describe('API keys (e2e)', () => {
  const clock = new ManualClock();
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ clock, env: { API_KEY_CACHE_MS: '60000' } });
  });
  afterAll(() => t.close());

  const body = (n: string) => ({ account: 'sim', phoneNumber: `+1415555${n}`, scheduledAt: new Date(clock.now().getTime() + 3_600_000).toISOString() });

  it.each([
    ['no header', {}],
    ['an empty header', anon],
    ['a malformed key', { authorization: 'Bearer hunter2' }],
    ['Basic without a key', { authorization: 'Basic Zm9v' }],
    ['an unknown key', { authorization: `Bearer cbo_0123456789ab_${'A'.repeat(43)}` }],
  ])('refuses %s with 401, the error shape and a Bearer challenge', async (_what, headers) => {
    const h = 'authorization' in headers ? headers : { authorization: '' };
    for (const [method, path] of [
      ['GET', '/v1/callbacks'],
      ['POST', '/v1/callbacks'],
      ['GET', '/v1/admin/keys'],
    ] as const) {
      const r = await t.call(method, path, method === 'POST' ? body('0701') : undefined, h);
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('unauthenticated');
      expect(r.body.error.details[0].field).toBe('authorization');
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM callback_intent`);
    expect(rows[0].n).toBe(0);
  });

  it('health, metrics and docs stay open', async () => {
    for (const p of ['/health/live', '/metrics', '/docs/json']) expect((await t.call('GET', p, undefined, anon)).status).toBe(200);
  });

  it('enforces scopes: read cannot write, write cannot administer, admin can do all', async () => {
    const read = await t.clientHeaders('reader', ['callbacks:read']);
    const write = await t.clientHeaders('writer', ['callbacks:write']);
    expect((await t.call('GET', '/v1/callbacks', undefined, read)).status).toBe(200);
    const denied = await t.call('POST', '/v1/callbacks', body('0702'), read);
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({ code: 'insufficient_scope', requiredScope: 'callbacks:write' });
    expect((await t.call('GET', '/v1/callbacks', undefined, write)).status).toBe(403);
    const created = await t.call('POST', '/v1/callbacks', body('0702'), write);
    expect(created.status).toBe(201);
    expect((await t.call('GET', '/v1/admin/keys', undefined, write)).status).toBe(403);
    expect((await t.call('POST', '/v1/admin/keys', { client: 'x', scopes: ['admin'] }, write)).status).toBe(403);
    expect((await t.call('GET', '/v1/admin/keys')).status).toBe(200);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM callback_intent WHERE client = 'reader'`);
    expect(rows[0].n).toBe(0);
  });

  it('creates a key whose secret is shown once and stored only as a hash', async () => {
    const r = await t.call('POST', '/v1/admin/keys', { client: 'billing', scopes: ['callbacks:read', 'callbacks:write'], name: 'billing-prod' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ client: 'billing', scopes: ['callbacks:read', 'callbacks:write'], status: 'active', name: 'billing-prod' });
    expect(r.body.key).toMatch(/^cbo_[0-9a-f]{12}_[\w-]{43}$/);
    const secret = r.body.key.split('_').slice(2).join('_');
    const row = await t.db.query(`SELECT * FROM api_key WHERE id = $1`, [r.body.id]);
    expect(JSON.stringify(row.rows[0])).not.toContain(secret);
    expect(row.rows[0].secret_hash).toMatch(/^[0-9a-f]{64}$/);

    const list = await t.call('GET', '/v1/admin/keys?client=billing');
    expect(list.body.items.map((k: { id: string }) => k.id)).toEqual([r.body.id]);
    expect(JSON.stringify(list.body)).not.toContain(secret);
    expect(list.body.items[0]).not.toHaveProperty('key');
    expect(list.body.items[0]).not.toHaveProperty('secretHash');
    expect((await t.call('GET', `/v1/admin/keys/${r.body.id}`)).body.id).toBe(r.body.id);

    const use = await t.call('GET', '/v1/callbacks', undefined, { authorization: `Bearer ${r.body.key}` });
    expect(use.status).toBe(200);
    // Basic auth with the key as password works too (browsers, Bull Board).
    const basic = Buffer.from(`anyone:${r.body.key}`).toString('base64');
    expect((await t.call('GET', '/v1/callbacks', undefined, { authorization: `Basic ${basic}` })).status).toBe(200);
  });

  it('names every bad field of a key request', async () => {
    const r = await t.call('POST', '/v1/admin/keys', { client: '../etc', scopes: ['callbacks:delete'], expiresAt: 'tomorrow', extra: 1 });
    expect(r.status).toBe(400);
    expect(r.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['client', 'expiresAt', 'extra', 'scopes']);
    expect((await t.call('POST', '/v1/admin/keys/zzz/revoke')).status).toBe(404);
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM api_key WHERE client = '../etc'`);
    expect(rows[0].n).toBe(0);
  });

  it('rotates with an overlap: old and new both work until the overlap ends', async () => {
    const old = (await t.call('POST', '/v1/admin/keys', { client: 'crm', scopes: ['callbacks:read'] })).body;
    const rotated = await t.call('POST', `/v1/admin/keys/${old.id}/rotate`, { overlapSeconds: 3600 });
    expect(rotated.status).toBe(201);
    expect(rotated.body).toMatchObject({ client: 'crm', scopes: ['callbacks:read'], status: 'active' });
    expect(rotated.body.key).not.toBe(old.key);
    const oldView = (await t.call('GET', `/v1/admin/keys/${old.id}`)).body;
    expect(oldView).toMatchObject({ status: 'expiring', rotatedTo: rotated.body.id });
    for (const k of [old.key, rotated.body.key]) expect((await t.call('GET', '/v1/callbacks', undefined, { authorization: `Bearer ${k}` })).status).toBe(200);
    expect((await t.call('POST', `/v1/admin/keys/${old.id}/rotate`, {})).status).toBe(409);

    clock.advance(3_600_000 + 1_000);
    await new Promise((r) => setTimeout(r, 5));
    // The cache (60 s here) does not outlive expiry: expiry is checked on every request.
    const late = await t.call('GET', '/v1/callbacks', undefined, { authorization: `Bearer ${old.key}` });
    expect(late.status).toBe(401);
    expect((await t.call('GET', '/v1/callbacks', undefined, { authorization: `Bearer ${rotated.body.key}` })).status).toBe(200);
    expect((await t.call('GET', `/v1/admin/keys/${old.id}`)).body.status).toBe('expired');
  });

  it('a revoked key is refused at once', async () => {
    const k = (await t.call('POST', '/v1/admin/keys', { client: 'temp', scopes: ['callbacks:read'] })).body;
    expect((await t.call('GET', '/v1/callbacks', undefined, { authorization: `Bearer ${k.key}` })).status).toBe(200);
    const revoked = await t.call('POST', `/v1/admin/keys/${k.id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('revoked');
    expect((await t.call('GET', '/v1/callbacks', undefined, { authorization: `Bearer ${k.key}` })).status).toBe(401);
  });

  it('sends security headers and no-store on the API', async () => {
    const r = await t.call('GET', '/v1/callbacks');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(r.headers.get('strict-transport-security')).toMatch(/max-age=/);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
  });
});
