/**
 * The served OpenAPI document is complete enough to generate a working client:
 * openapi-typescript generates types from /docs/json, tsc typechecks a client
 * program against them (and refuses a misuse), and the program drives
 * create → get → cancel through openapi-fetch against the app.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { startTestApp, TestApp } from '../support/app';

const ROOT = path.resolve(__dirname, '../..');
const STATUSES = ['scheduled', 'dispatching', 'dispatched', 'failed', 'cancelled', 'expired'];

describe('OpenAPI document → generated client', () => {
  let t: TestApp;
  let spec: any;
  // Inside the repo, so the generated code resolves openapi-fetch from node_modules.
  const dir = path.join(ROOT, '.tmp', `openapi-${randomBytes(4).toString('hex')}`);

  beforeAll(async () => {
    t = await startTestApp();
    const res = await fetch(`${t.baseUrl}/docs/json`, { headers: t.authHeaders });
    expect(res.status).toBe(200);
    spec = await res.json();
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'openapi.json'), JSON.stringify(spec));
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/openapi-typescript/bin/cli.js'), path.join(dir, 'openapi.json'), '-o', path.join(dir, 'api.ts')], { stdio: 'pipe' });
    for (const f of ['client-flow.ts', 'client-misuse.ts']) fs.copyFileSync(path.join(__dirname, 'openapi', f), path.join(dir, f));
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const tsc = (file: string) =>
    spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', '--module', 'esnext', '--moduleResolution', 'bundler', '--types', 'node', path.join(dir, file)], {
      encoding: 'utf8',
      cwd: ROOT,
    });

  it('documents every route with its body, answers, the one error schema and examples', () => {
    const ops = Object.entries(spec.paths as Record<string, Record<string, any>>).flatMap(([p, item]) => Object.entries(item).map(([m, op]) => ({ route: `${m.toUpperCase()} ${p}`, op })));
    expect(ops.map((o) => o.route).sort()).toEqual(
      [
        'GET /health/live', 'GET /health/ready', 'GET /metrics',
        'POST /v1/callbacks', 'GET /v1/callbacks', 'GET /v1/callbacks/{id}', 'PATCH /v1/callbacks/{id}', 'POST /v1/callbacks/{id}/cancel', 'GET /v1/callbacks/{id}/attempts',
        'POST /v1/callbacks/validate', 'POST /v1/admin/keys', 'GET /v1/admin/keys', 'GET /v1/admin/keys/{id}', 'POST /v1/admin/keys/{id}/rotate', 'POST /v1/admin/keys/{id}/revoke',
        'POST /v1/webhooks', 'GET /v1/webhooks', 'GET /v1/webhooks/{id}', 'DELETE /v1/webhooks/{id}', 'POST /v1/webhooks/{id}/rotate-secret', 'GET /v1/webhooks/{id}/deliveries',
      ].sort(),
    );
    for (const { route, op } of ops.filter((o) => o.route.includes('/v1/'))) {
      expect([route, op.summary]).toEqual([route, expect.any(String)]);
      expect([route, op.responses['400']?.content['application/json'].schema]).toEqual([route, { $ref: '#/components/schemas/ErrorResponse' }]);
      expect([route, op.responses['400'].content['application/json'].example.error.code]).toEqual([route, expect.any(String)]);
      const ok = Object.keys(op.responses).filter((s) => s.startsWith('2'));
      expect([route, ok.length]).toEqual([route, expect.any(Number)]);
      expect(ok.length).toBeGreaterThan(0);
    }
    expect(spec.components.schemas.ErrorResponse.required).toEqual(['error', 'requestId']);
    expect(spec.components.schemas.CallbackView.properties.status.enum).toEqual(STATUSES);
    expect(spec.components.schemas.CreateCallbackDto.required).toEqual(['account', 'phoneNumber']);
    expect(spec.components.schemas.CreateCallbackDto.properties.phoneNumber.example).toBe('+12518717081');
    // A schema `default` makes generators (openapi-typescript) treat an optional field as required: none anywhere.
    expect(JSON.stringify(spec.components.schemas)).not.toMatch(/"default":/);
  });

  it('generates types that a client program typechecks against, and that refuse a misuse', () => {
    const ok = tsc('client-flow.ts');
    expect(ok.stdout + ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const bad = tsc('client-misuse.ts');
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toContain("Property 'phoneNumber' is missing");
    expect(bad.stdout).toContain("Property 'id' is missing");
    expect(bad.stdout).toMatch(/Type '"scheduled" \| "dispatching" .*' is not assignable to type 'number \| undefined'/);
  });

  it('drives create → get → cancel through openapi-fetch', async () => {
    // The typechecked program itself (test/e2e/openapi is left out of the project's tsc: it needs the generated api.ts).
    const { flow } = require(path.join(dir, 'client-flow.ts')) as { flow: (base: string, headers: Record<string, string>, phone: string) => Promise<Record<string, unknown> & { id: string }> };
    const r = await flow(t.baseUrl, t.authHeaders, '+14155550901');
    expect(r).toEqual({
      createdStatus: 201,
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      fetchedStatus: 'scheduled',
      fetchedNotes: 'from the generated client',
      cancelledStatus: 'cancelled',
      againHttp: 409,
      againCode: 'invalid_transition',
      againCurrentStatus: 'cancelled',
      invalidHttp: 400,
      invalidField: 'phoneNumber',
      listedIds: [r.id],
    });
    const stored = await t.db.query('SELECT status FROM callback_intent WHERE id = $1', [r.id]);
    expect(stored.rows[0].status).toBe('cancelled');
  });
});
