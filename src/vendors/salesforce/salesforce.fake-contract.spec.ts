/**
 * The fake Salesforce must be as strict as the contract, or the adapter specs
 * prove nothing: hand-made tokens and bodies that break one rule each are refused.
 */
import { randomUUID } from 'node:crypto';
import { importPKCS8, SignJWT, type CryptoKey } from 'jose';
import { request } from 'undici';
import { SalesforceFake } from '../../../test/fakes/salesforce.fake';

describe('SalesforceFake enforces the contract', () => {
  let fake: SalesforceFake;
  let signingKey: CryptoKey;
  const good = { iss: '00Dxx0000001gEH', sub: 'ACME_CC', aud: 'https://scrt.salesforce.com' };
  const path = '/telephony/v1/voiceCalls/call-1/requestCallback';
  const body = '{"callbackNumber":"+12518717081","isPreviewCallback":false}';

  beforeAll(async () => {
    const keys = await SalesforceFake.generateKeys();
    signingKey = await importPKCS8(keys.privateKeyPem, 'RS256');
    fake = await SalesforceFake.start({ publicKey: keys.publicKeyPem });
  });

  afterAll(() => fake.stop());

  beforeEach(() => fake.reset());

  async function jwt(claims: Record<string, unknown> = {}, expIn = 120): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ ...good, jti: randomUUID(), exp: now + expIn, ...claims }).setProtectedHeader({ alg: 'RS256' }).sign(signingKey);
  }

  async function post(token: string, opts: { body?: string; headers?: Record<string, string>; path?: string } = {}) {
    const res = await request(`${fake.baseUrl}${opts.path ?? path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'telephony-provider-name': 'Acme Telephony', ...opts.headers },
      body: opts.body ?? body,
    });
    return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
  }

  it('accepts a request that follows every rule and answers a recordId', async () => {
    const res = await post(await jwt());
    expect(res).toEqual({ status: 200, json: { recordId: expect.stringMatching(/^0Tz[A-Za-z0-9]{15}$/) } });
    expect(fake.callbacks).toEqual([{ recordId: res.json.recordId, callId: 'call-1', body: JSON.parse(body) }]);
  });

  it.each([
    ['a wrong issuer', { iss: '00Dxx0000009999' }, /unexpected "iss" claim value/],
    ['a wrong subject', { sub: 'OTHER_CC' }, /unexpected "sub" claim value/],
    ['a wrong audience', { aud: 'https://login.salesforce.com' }, /unexpected "aud" claim value/],
    ['no jti', { jti: undefined }, /missing required "jti" claim/],
  ])('refuses a token with %s', async (_what, claims, reason) => {
    const res = await post(await jwt(claims));
    expect(res.status).toBe(401);
    expect(fake.requests[0].refusal).toMatch(reason);
  });

  it('refuses an expired token and one whose exp is more than 3 minutes ahead', async () => {
    expect((await post(await jwt({}, -5))).status).toBe(401);
    expect((await post(await jwt({}, 200))).status).toBe(401);
    expect(fake.requests.map((r) => r.refusal)).toEqual([expect.stringMatching(/"exp" claim timestamp check failed/), expect.stringMatching(/more than 3 minutes/)]);
  });

  it('accepts the same token twice but refuses its jti on another token', async () => {
    const jti = randomUUID();
    const token = await jwt({ jti });
    expect((await post(token)).status).toBe(200);
    expect((await post(token)).status).toBe(200);
    const res = await post(await jwt({ jti, exp: Math.floor(Date.now() / 1000) + 100 }));
    expect(res).toEqual({ status: 401, json: { errorCode: 'INVALID_AUTH', message: `JWT refused: jti ${jti} was already used` } });
  });

  it('refuses a missing token, a wrong Content-Type, a wrong provider name and an unknown route', async () => {
    expect((await post('')).status).toBe(401);
    expect((await post(await jwt(), { headers: { 'content-type': 'text/plain' } })).status).toBe(400);
    expect((await post(await jwt(), { headers: { 'telephony-provider-name': 'Someone Else' } })).status).toBe(400);
    expect((await post(await jwt(), { path: '/telephony/v1/voiceCalls/call-1/callback' })).status).toBe(404);
  });

  it.each([
    ['an extra field', '{"callbackNumber":"+12518717081","priority":1}', 'Unrecognized field: priority'],
    ['no callbackNumber', '{"isPreviewCallback":true}', 'callbackNumber is required and must be a phone number in E.164 format'],
    ['a non-boolean preview flag', '{"callbackNumber":"+12518717081","isPreviewCallback":"true"}', 'isPreviewCallback must be a boolean'],
    ['a bad date', '{"callbackNumber":"+12518717081","scheduledRoutingDateTime":"tomorrow"}', 'scheduledRoutingDateTime must be an ISO 8601 date and time'],
    ['invalid JSON', '{', 'The request body is not valid JSON'],
  ])('refuses a body with %s', async (_what, raw, message) => {
    expect(await post(await jwt(), { body: raw })).toEqual({ status: 400, json: { errorCode: 'INVALID_INPUT', message } });
  });

  it('plays scripted answers in order, then answers normally again', async () => {
    fake.enqueue(SalesforceFake.answers.rateLimited('3'), SalesforceFake.answers.notFound('gone'));
    const token = await jwt();
    const a = await request(`${fake.baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body });
    expect([a.statusCode, a.headers['retry-after']]).toEqual([429, '3']);
    await a.body.dump();
    expect(await post(token)).toEqual({ status: 404, json: { errorCode: 'NOT_FOUND', message: 'gone' } });
    expect((await post(token)).status).toBe(200);
    expect(fake.requests.map((r) => r.status)).toEqual([429, 404, 200]);
  });
});
