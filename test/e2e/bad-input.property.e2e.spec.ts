/**
 * Property-based bad-input suite (fast-check): thousands of malformed,
 * oversized, wrongly typed and hostile requests at every write endpoint.
 * Each answer is a 4xx in the one error shape; nothing is written anywhere.
 */
import fc from 'fast-check';
import { startTestApp, TestApp } from '../support/app';

const RUNS = Number(process.env.BAD_INPUT_RUNS ?? 800);

const HOSTILE = [
  "'; DROP TABLE callback_intent; --",
  "' OR '1'='1",
  '{{7*7}}${7*7}<%= 7*7 %>',
  '<script>alert(1)</script>',
  '${jndi:ldap://x/a}',
  '../../../../etc/passwd',
  '\u0000',
  '\ud800',
  '\u202e1807178152+',
  '+1\u200b4155550100',
  '＋１４１５５５５０１００',
  '+１４１５５５５０１００',
  '𝟏𝟒𝟏𝟓𝟓𝟓𝟓𝟎𝟏𝟎𝟎',
  'ᅟ',
  '%00%27',
  '__proto__',
  'constructor',
  'NaN',
  '1e309',
  '-0',
  ' ',
  '',
];

const anyJson = fc.jsonValue({ maxDepth: 3 });
const hostileString = fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 40 }));
// null is absent for optional fields (valid), so it is never a corruption here.
const notString = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }));
const notObject = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.array(anyJson, { maxLength: 3 }));
/** Nesting deep enough to pass 4 KB, the metadata limit (routing refuses any unknown key). */
const deep = fc.integer({ min: 700, max: 2_000 }).map((n) => {
  let v: unknown = { leaf: true };
  for (let i = 0; i < n; i++) v = { a: v };
  return v;
});
const hugeArray = fc.integer({ min: 1_000, max: 200_000 }).map((n) => Array.from({ length: n }, (_, i) => i));

/** Values that are wrong for each create field (never a valid value). */
const badCreateField: Record<string, fc.Arbitrary<unknown>> = {
  account: fc.oneof(notString, hostileString.filter((s) => !/^[a-z0-9][a-z0-9_-]{0,62}$/.test(s) || s !== 'sim'), fc.constant('nope')),
  phoneNumber: fc.oneof(notString, hostileString, fc.stringMatching(/^\+0\d{3,20}$/), fc.constant('+1555')),
  scheduledAt: fc.oneof(notString, hostileString, fc.constant('1999-01-01T00:00:00Z'), fc.constant('2026-13-45T99:99:99Z')),
  timezone: fc.oneof(notString, hostileString, fc.constant('Mars/Olympus')),
  notes: fc.oneof(notString, fc.string({ minLength: 2_001, maxLength: 3_000 })),
  routing: fc.oneof(notObject, deep, fc.constant({ simulate: 'explode' })),
  metadata: fc.oneof(notObject, deep, hugeArray),
  onDuplicate: fc.oneof(notString, hostileString),
  outsideWindow: fc.oneof(notString, hostileString),
  [HOSTILE[0]]: anyJson,
  __proto__: fc.constant({ admin: true }),
  constructor: anyJson,
};

const errorShape = (body: any) =>
  body &&
  typeof body.error?.code === 'string' &&
  typeof body.error?.message === 'string' &&
  Array.isArray(body.error?.details) &&
  typeof body.requestId === 'string';

describe('bad input, property-based (e2e)', () => {
  let t: TestApp;
  let live: { id: string; version: number };
  let counts: () => Promise<Record<string, number>>;
  let before: Record<string, number>;

  beforeAll(async () => {
    t = await startTestApp();
    live = (await t.call('POST', '/v1/callbacks', { account: 'sim', phoneNumber: '+14155550990', scheduledAt: new Date(Date.now() + 86_400_000).toISOString() })).body;
    counts = async () => {
      const { rows } = await t.db.query(`SELECT
        (SELECT count(*) FROM callback_intent)::int AS intents,
        (SELECT count(*) FROM dispatch_attempt)::int AS attempts,
        (SELECT count(*) FROM idempotency_record)::int AS idempotency,
        (SELECT count(*) FROM api_key)::int AS keys,
        (SELECT count(*) FROM webhook_subscription)::int AS webhooks,
        (SELECT count(*) FROM webhook_event)::int AS events,
        (SELECT max(version) FROM callback_intent)::int AS version`);
      return { ...rows[0], redisKeys: (await t.redis.keys(`${t.prefix}:*`)).filter((k) => !k.includes(':throttle:')).length };
    };
    before = await counts();
  }, 60_000);
  afterAll(() => t.close());

  /** Sends and checks the answer; returns the status. */
  const probe = async (method: string, path: string, body: unknown, headers: Record<string, string> = {}) => {
    const r = await t.call(method, path, body, headers);
    if (r.status >= 500 || r.status < 400 || !errorShape(r.body)) {
      throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(r.body)?.slice(0, 300)} for ${JSON.stringify(body)?.slice(0, 300)}`);
    }
    return r.status;
  };

  const corruptedCreate = fc
    .tuple(
      fc.record({ account: fc.constant('sim'), phoneNumber: fc.constant('+14155550991'), scheduledAt: fc.constant(new Date(Date.now() + 3_600_000).toISOString()) }),
      fc.uniqueArray(fc.constantFrom(...Object.keys(badCreateField)), { minLength: 1, maxLength: 3 }),
      fc.option(fc.record({ notes: hostileString, metadata: fc.dictionary(hostileString, hostileString, { maxKeys: 4 }) }), { nil: undefined }),
    )
    .chain(([base, fields, extra]) =>
      fc.tuple(...fields.map((f) => badCreateField[f].map((v) => [f, v] as const))).map((pairs) => {
        const body: Record<string, unknown> = { ...base, ...extra };
        for (const [f, v] of pairs) Object.defineProperty(body, f, { value: v, enumerable: true, writable: true, configurable: true });
        return body;
      }),
    );

  it(`POST /v1/callbacks: ${RUNS} corrupted bodies`, async () => {
    await fc.assert(fc.asyncProperty(corruptedCreate, async (body) => void (await probe('POST', '/v1/callbacks', body))), { numRuns: RUNS });
  }, 600_000);

  it(`POST /v1/callbacks/validate: ${RUNS} corrupted bodies`, async () => {
    await fc.assert(fc.asyncProperty(corruptedCreate, async (body) => void (await probe('POST', '/v1/callbacks/validate', body).catch(async (e) => {
      // validate answers 200 with the error for a well-formed request that create would refuse; never a 5xx.
      const r = await t.call('POST', '/v1/callbacks/validate', body);
      if (r.status !== 200 || r.body.accepted !== false) throw e;
    }))), { numRuns: RUNS });
  }, 600_000);

  it(`raw bodies: ${RUNS} malformed, mistyped and oversized payloads on every write route`, async () => {
    const raw = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.constantFrom('{', '{"account":', '[]', 'null', 'true', '42', '"x"', '{"a":1}{"b":2}', '\ufeff{}', '{"__proto__":{"isAdmin":true}}'),
      fc.integer({ min: 70_000, max: 300_000 }).map((n) => JSON.stringify({ account: 'sim', phoneNumber: '+14155550992', notes: 'x'.repeat(n) })),
      hugeArray.map((a) => JSON.stringify(a)),
      deep.map((d) => JSON.stringify({ account: 'sim', phoneNumber: 'bad', metadata: d })),
    );
    const contentType = fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset=utf-8');
    const route = fc.constantFrom(
      ['POST', '/v1/callbacks'],
      ['POST', '/v1/callbacks/validate'],
      ['PATCH', `/v1/callbacks/${'{id}'}`],
      // Cancel and rotate take no meaningful body: aim them at ids that do not exist, so a
      // well-formed body gets a 404 and nothing changes.
      ['POST', '/v1/callbacks/00000000-0000-4000-8000-000000000000/cancel'],
      ['POST', '/v1/admin/keys'],
      ['POST', '/v1/admin/keys/ffffffffffff/rotate'],
      ['POST', '/v1/webhooks'],
      ['POST', '/v1/webhooks/00000000-0000-4000-8000-000000000000/rotate-secret'],
    );
    await fc.assert(
      fc.asyncProperty(route, raw, contentType, async ([method, path], body, ct) => {
        const p = path.replace('{id}', live.id);
        const r = await t.call(method, p, body, { 'content-type': ct });
        // validate answers 200 to any well-formed object (accepted or not) and stores nothing.
        if (r.status === 200 && p.endsWith('/validate')) return;
        if (r.status >= 500 || r.status < 400 || !errorShape(r.body)) throw new Error(`${method} ${p} [${ct}] → ${r.status} ${JSON.stringify(r.body)?.slice(0, 200)}`);
      }),
      { numRuns: RUNS },
    );
  }, 600_000);

  it(`POST /v1/webhooks: ${RUNS} corrupted registrations`, async () => {
    const badHook = fc.oneof(
      fc.record({ url: fc.oneof(notString, hostileString, fc.constantFrom('http://10.0.0.1/x', 'https://127.0.0.1/x', 'https://[::1]/x', 'https://169.254.169.254/latest', 'ftp://example.com', 'javascript:alert(1)')), events: fc.constant(['dispatched']) }),
      fc.record({ url: fc.constant('https://hooks.example.com/x'), events: fc.oneof(notString, fc.array(hostileString, { minLength: 1, maxLength: 3 }), fc.constant([])) }),
      fc.record({ url: fc.constant('https://hooks.example.com/x'), events: fc.constant(['dispatched']), secret: anyJson, admin: fc.boolean() }),
      notObject,
    );
    await fc.assert(fc.asyncProperty(badHook, async (body) => void (await probe('POST', '/v1/webhooks', body))), { numRuns: RUNS });
  }, 600_000);

  it(`PATCH /v1/callbacks/{id}: ${RUNS} corrupted reschedules leave the callback unchanged`, async () => {
    const badPatch = fc.oneof(
      fc.record({ scheduledAt: badCreateField.scheduledAt }),
      fc.record({ timezone: badCreateField.timezone }),
      fc.record({ notes: badCreateField.notes }),
      fc.record({ outsideWindow: badCreateField.outsideWindow }),
      fc.record({ phoneNumber: fc.constant('+14155550000') }),
      fc.record({ status: fc.constantFrom('dispatched', 'cancelled') }),
      fc.dictionary(hostileString.filter((k) => !['scheduledAt', 'timezone', 'notes', 'outsideWindow'].includes(k)), anyJson, { minKeys: 1, maxKeys: 3 }),
      notObject,
    );
    await fc.assert(fc.asyncProperty(badPatch, async (body) => void (await probe('PATCH', `/v1/callbacks/${live.id}`, body))), { numRuns: RUNS });
    const after = await t.call('GET', `/v1/callbacks/${live.id}`);
    expect(after.body.version).toBe(live.version);
  }, 600_000);

  it(`hostile ids, keys and headers: ${RUNS} cases`, async () => {
    const id = fc.oneof(hostileString, fc.uuid(), fc.string({ maxLength: 300 })).map((s) => {
      try {
        return encodeURIComponent(s) || 'x';
      } catch {
        return 'x'; // lone surrogates cannot be put in a URL at all
      }
    });
    const header = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 400 });
    await fc.assert(
      fc.asyncProperty(id, header, fc.constantFrom('PATCH', 'CANCEL', 'ROTATE', 'REVOKE', 'CREATE'), async (i, h, what) => {
        if (what === 'PATCH') await probe('PATCH', `/v1/callbacks/${i}`, { notes: 'x' });
        else if (what === 'CANCEL') await probe('POST', `/v1/callbacks/${i}/cancel`, undefined);
        else if (what === 'ROTATE') await probe('POST', `/v1/admin/keys/${i}x/rotate`, {});
        else if (what === 'REVOKE') await probe('POST', `/v1/admin/keys/${i}x/revoke`, undefined);
        else await probe('POST', '/v1/callbacks', { account: 'sim', phoneNumber: 'bad' }, { 'idempotency-key': h });
      }),
      { numRuns: RUNS },
    );
  }, 600_000);

  it('wrote nothing: no intent, attempt, idempotency record, key, version change or Redis key', async () => {
    expect(await counts()).toEqual(before);
  });
});
