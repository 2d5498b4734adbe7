/** `npm run keys` (node dist/main.js keys …) against the app's database. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { startTestApp, TestApp } from '../support/app';

const ROOT = path.resolve(__dirname, '../..');

describe('keys command (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { API_KEY_CACHE_MS: '0' } });
  });
  afterAll(() => t.close());

  const keys = (...args: string[]) => {
    const r = spawnSync(process.execPath, ['dist/main.js', 'keys', ...args], { cwd: ROOT, env: { PATH: process.env.PATH, DATABASE_URL: t.databaseUrl }, encoding: 'utf8' });
    return { code: r.status, out: r.stdout ? JSON.parse(r.stdout) : null, err: r.stderr };
  };

  it('creates, lists, rotates and revokes keys that the running API honours', async () => {
    const created = keys('create', '--client', 'billing', '--scopes', 'callbacks:read,callbacks:write', '--name', 'billing-prod');
    expect(created.code).toBe(0);
    expect(created.out).toMatchObject({ client: 'billing', scopes: ['callbacks:read', 'callbacks:write'], status: 'active' });
    const auth = (k: string) => ({ authorization: `Bearer ${k}` });
    expect((await t.call('GET', '/v1/callbacks', undefined, auth(created.out.key))).status).toBe(200);

    const listed = keys('list', '--client', 'billing');
    expect(listed.out.items).toHaveLength(1);
    expect(JSON.stringify(listed.out)).not.toContain(created.out.key.slice(17));

    const rotated = keys('rotate', created.out.id, '--overlap-seconds', '600');
    expect(rotated.code).toBe(0);
    expect((await t.call('GET', '/v1/callbacks', undefined, auth(created.out.key))).status).toBe(200);
    expect((await t.call('GET', '/v1/callbacks', undefined, auth(rotated.out.key))).status).toBe(200);

    expect(keys('revoke', created.out.id).out.status).toBe('revoked');
    expect((await t.call('GET', '/v1/callbacks', undefined, auth(created.out.key))).status).toBe(401);
    expect((await t.call('GET', '/v1/callbacks', undefined, auth(rotated.out.key))).status).toBe(200);
  });

  it('names what is wrong and exits non-zero', () => {
    const bad = keys('create', '--client', 'billing', '--scopes', 'callbacks:delete');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/scopes: unknown scope "callbacks:delete"/);
    const unknown = keys('frobnicate');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/unknown command "frobnicate"[\s\S]*usage: npm run keys/);
    expect(keys('revoke', '000000000000').err).toMatch(/API key 000000000000 was not found/);
  });
});
