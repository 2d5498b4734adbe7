import { exportPKCS8, generateKeyPair } from 'jose';
import { SalesforceFake } from '../../../test/fakes/salesforce.fake';
import { parseSalesforceSettings, validateSalesforceRouting } from './salesforce.validation';

describe('parseSalesforceSettings', () => {
  let pem: string;
  const block = (extra: Record<string, unknown> = {}) => SalesforceFake.accountBlock('SF_JWT_KEY', extra);

  beforeAll(async () => {
    pem = (await SalesforceFake.generateKeys()).privateKeyPem;
  });

  it('reads the block, resolves the key from the named variable and applies defaults', () => {
    const s = parseSalesforceSettings(block(), { SF_JWT_KEY: pem });
    expect(s).toMatchObject({
      myDomain: 'acme',
      orgId: '00Dxx0000001gEH',
      callCenterApiName: 'ACME_CC',
      telephonyProviderName: 'Acme Telephony',
      privateKeyEnv: 'SF_JWT_KEY',
      audience: 'https://scrt.salesforce.com',
      tokenTtlSeconds: 150,
      reuseToken: true,
      timeoutMs: 10_000,
    });
    expect(s.privateKey.asymmetricKeyType).toBe('rsa');
    // The key never shows up when settings are logged or serialised.
    expect(JSON.stringify(s)).not.toContain('PRIVATE KEY');
  });

  it('accepts a one-line PEM with literal \\n, as secrets are often stored', () => {
    const oneLine = pem.trim().replace(/\n/g, '\\n');
    expect(parseSalesforceSettings(block(), { SF_JWT_KEY: oneLine }).privateKey.type).toBe('private');
  });

  it('names the missing environment variable', () => {
    expect(() => parseSalesforceSettings(block(), {})).toThrow('privateKeyEnv: environment variable SF_JWT_KEY is not set');
  });

  it('names the variable whose value is not a PEM key, without echoing the value', () => {
    let message = '';
    try {
      parseSalesforceSettings(block(), { SF_JWT_KEY: 'not-a-key-s3cret' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe('privateKeyEnv: SF_JWT_KEY does not hold a PEM private key');
    expect(() => parseSalesforceSettings(block(), { SF_JWT_KEY: '-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----' })).toThrow(
      'privateKeyEnv: SF_JWT_KEY does not hold a readable, unencrypted PEM private key',
    );
  });

  it('refuses a key that cannot sign RS256', async () => {
    const ec = await generateKeyPair('ES256', { extractable: true });
    const ecPem = await exportPKCS8(ec.privateKey);
    expect(() => parseSalesforceSettings(block(), { SF_JWT_KEY: ecPem })).toThrow('must hold an RSA key');
  });

  it('names a missing or malformed field and an unknown key', () => {
    const env = { SF_JWT_KEY: pem };
    expect(() => parseSalesforceSettings({ ...block(), orgId: undefined }, env)).toThrow('orgId is required');
    expect(() => parseSalesforceSettings(block({ orgId: '12345' }), env)).toThrow('orgId must be a Salesforce org id');
    expect(() => parseSalesforceSettings(block({ myDomain: 'acme.my.salesforce-scrt.com/x' }), env)).toThrow('myDomain must be');
    expect(() => parseSalesforceSettings(block({ callCenterApiName: 'ACME CC' }), env)).toThrow('callCenterApiName must be');
    expect(() => parseSalesforceSettings(block({ telephonyProviderName: 'Acme\r\nX-Evil: 1' }), env)).toThrow('telephonyProviderName must be');
    expect(() => parseSalesforceSettings(block({ tokenTtlSeconds: 300 }), env)).toThrow('tokenTtlSeconds must be an integer from 10 to 180');
    expect(() => parseSalesforceSettings(block({ reuseToken: 'yes' }), env)).toThrow('reuseToken must be true or false');
    expect(() => parseSalesforceSettings(block({ apiToken: 'x' }), env)).toThrow('unknown key "apiToken"');
  });

  it('takes the optional knobs', () => {
    const s = parseSalesforceSettings(
      block({ myDomain: 'acme--uat.sandbox', audience: 'https://scrt.example.test', tokenTtlSeconds: 60, reuseToken: false, timeoutMs: 2_000 }),
      { SF_JWT_KEY: pem },
    );
    expect(s).toMatchObject({ myDomain: 'acme--uat.sandbox', audience: 'https://scrt.example.test', tokenTtlSeconds: 60, reuseToken: false, timeoutMs: 2_000 });
  });
});

describe('validateSalesforceRouting', () => {
  it('accepts a call id and a preview flag', () => {
    expect(validateSalesforceRouting({ voiceCallId: '89328b83-ff42-4c85-a2af-e948124365de', isPreviewCallback: true })).toEqual([]);
    expect(validateSalesforceRouting({ voiceCallId: '0LQxx0000004CmHGAU' })).toEqual([]);
  });

  it('names routing.voiceCallId when it is missing', () => {
    const problems = validateSalesforceRouting({ isPreviewCallback: false });
    expect(problems).toEqual([{ field: 'routing.voiceCallId', message: expect.stringContaining('is required') }]);
  });

  it('names malformed and unknown fields', () => {
    const problems = validateSalesforceRouting({ voiceCallId: '../admin', isPreviewCallback: 'yes', queue: 'x' });
    expect(problems.map((p) => p.field).sort()).toEqual(['routing.isPreviewCallback', 'routing.queue', 'routing.voiceCallId']);
  });
});
