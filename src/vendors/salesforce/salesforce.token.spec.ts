import { createPrivateKey } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, jwtVerify, type CryptoKey } from 'jose';
import { SalesforceFake } from '../../../test/fakes/salesforce.fake';
import { ManualClock } from '../../common/clock';
import { SalesforceTokenSigner, type TokenSettings } from './salesforce.token';

describe('SalesforceTokenSigner', () => {
  let publicKey: CryptoKey;
  let settings: TokenSettings;
  let clock: ManualClock;

  beforeAll(async () => {
    const keys = await SalesforceFake.generateKeys();
    publicKey = keys.publicKey;
    settings = {
      orgId: '00Dxx0000001gEH',
      callCenterApiName: 'ACME_CC',
      audience: 'https://scrt.salesforce.com',
      privateKey: createPrivateKey(keys.privateKeyPem),
      tokenTtlSeconds: 150,
      reuseToken: true,
    };
  });

  beforeEach(() => {
    clock = new ManualClock(new Date('2026-02-26T15:30:00Z'));
  });

  it('signs RS256 with the documented claims, exp within 3 minutes', async () => {
    const token = await new SalesforceTokenSigner(settings, clock).token();
    const iat = Date.parse('2026-02-26T15:30:00Z') / 1000;
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', typ: 'JWT' });
    const claims = decodeJwt(token);
    expect(claims).toEqual({
      iss: '00Dxx0000001gEH',
      sub: 'ACME_CC',
      aud: 'https://scrt.salesforce.com',
      iat,
      exp: iat + 150,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    await expect(jwtVerify(token, publicKey, { currentDate: clock.now() })).resolves.toBeDefined();
  });

  it('reuses a token while more than 60 s are left, then signs a new one with a new jti', async () => {
    const signer = new SalesforceTokenSigner(settings, clock);
    const first = await signer.token();
    clock.advance(89_000); // 61 s left
    expect(await signer.token()).toBe(first);
    clock.advance(1_000); // 60 s left: no longer a safe margin
    const second = await signer.token();
    expect(second).not.toBe(first);
    expect(decodeJwt(second).jti).not.toBe(decodeJwt(first).jti);
    expect(decodeJwt(second).iat).toBe(decodeJwt(first).iat! + 90);
  });

  it('signs one token for concurrent callers', async () => {
    const signer = new SalesforceTokenSigner(settings, clock);
    const [a, b, c] = await Promise.all([signer.token(), signer.token(), signer.token()]);
    expect(new Set([a, b, c]).size).toBe(1);
  });

  it('signs anew after invalidate() and on every call when reuse is off', async () => {
    const signer = new SalesforceTokenSigner(settings, clock);
    const first = await signer.token();
    signer.invalidate();
    expect(await signer.token()).not.toBe(first);

    const perRequest = new SalesforceTokenSigner({ ...settings, reuseToken: false }, clock);
    const jtis = new Set([decodeJwt(await perRequest.token()).jti, decodeJwt(await perRequest.token()).jti]);
    expect(jtis.size).toBe(2);
  });
});
