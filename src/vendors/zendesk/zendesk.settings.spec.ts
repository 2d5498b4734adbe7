import { inspect } from 'node:util';
import type { Account } from '../../config/accounts';
import { ZendeskAdapter } from './zendesk.adapter';
import { resolveZendeskRouting, validateZendeskAccount, validateZendeskRouting, zendeskBaseUrl } from './zendesk.settings';
import type { ZendeskSettings } from './zendesk.types';

const env = { ZD_TOKEN: 'secret-token-123' };
const block = { email: 'ops@acme.example', apiTokenEnv: 'ZD_TOKEN' };

function account(settings: ZendeskSettings, baseUrl: string | null = null): Account<ZendeskSettings> {
  return {
    id: 'zendesk-main', vendor: 'zendesk', baseUrl, rateLimit: null, defaultRetryAfterMs: 60_000,
    retry: { attempts: 5, backoffMs: 2_000, maxBackoffMs: 300_000, maxAgeMs: 1 }, unknownOutcomePolicy: 'resend',
    defaultTimezone: null, allowedClients: null, settings,
  };
}

describe('validateZendeskAccount', () => {
  it('resolves the token from the named variable and applies defaults', () => {
    const s = validateZendeskAccount({ ...block, subdomain: 'Acme', defaultPhoneNumberId: 1001 }, env);
    expect(s).toMatchObject({ subdomain: 'acme', email: 'ops@acme.example', apiTokenEnv: 'ZD_TOKEN', defaultPhoneNumberId: 1001, timeoutMs: 10_000, verifyPhoneNumber: true, phoneNumberCacheMs: 300_000 });
    expect(s.apiToken.reveal()).toBe('secret-token-123');
  });

  it('never prints the token when the settings are logged or serialised', () => {
    const s = validateZendeskAccount(block, env);
    expect(JSON.stringify(s)).not.toContain('secret-token-123');
    expect(inspect(s)).not.toContain('secret-token-123');
  });

  it('names the missing environment variable', () => {
    expect(() => validateZendeskAccount({ ...block, apiTokenEnv: 'ZENDESK_MAIN_TOKEN' }, {})).toThrow('environment variable ZENDESK_MAIN_TOKEN (apiTokenEnv) is not set');
    expect(() => validateZendeskAccount({ ...block, apiTokenEnv: 'ZENDESK_MAIN_TOKEN' }, { ZENDESK_MAIN_TOKEN: '  ' })).toThrow('ZENDESK_MAIN_TOKEN');
  });

  it('names the wrong field', () => {
    expect(() => validateZendeskAccount({ apiTokenEnv: 'ZD_TOKEN' }, env)).toThrow(/^email is required/);
    expect(() => validateZendeskAccount({ email: 'a@b.co' }, env)).toThrow(/^apiTokenEnv is required/);
    expect(() => validateZendeskAccount({ ...block, subdomain: 'acme.zendesk.com' }, env)).toThrow(/^subdomain must be the bare/);
    expect(() => validateZendeskAccount({ ...block, defaultPhoneNumberId: '1001' }, env)).toThrow(/^defaultPhoneNumberId/);
    expect(() => validateZendeskAccount({ ...block, timeoutMs: 10 }, env)).toThrow(/^timeoutMs must be an integer from 50/);
    expect(() => validateZendeskAccount({ ...block, apiToken: 'inline' }, env)).toThrow('unknown key "apiToken"');
  });

  it('is what the adapter uses at boot', () => {
    expect(() => new ZendeskAdapter().validateAccount({ ...block, apiTokenEnv: 'NOPE' }, env)).toThrow('NOPE');
  });
});

describe('zendeskBaseUrl', () => {
  const s = validateZendeskAccount({ ...block, subdomain: 'acme' }, env);
  it('uses the subdomain, or the baseUrl override first', () => {
    expect(zendeskBaseUrl(account(s))).toBe('https://acme.zendesk.com');
    expect(zendeskBaseUrl(account(s, 'https://acme-sandbox.zendesk.com/'))).toBe('https://acme-sandbox.zendesk.com');
  });
  it('is null when neither is set', () => {
    expect(zendeskBaseUrl(account(validateZendeskAccount(block, env)))).toBeNull();
  });
});

describe('validateZendeskRouting', () => {
  const withDefault = account(validateZendeskAccount({ ...block, defaultPhoneNumberId: 1001 }, env));
  const noDefault = account(validateZendeskAccount(block, env));
  const adapter = new ZendeskAdapter();

  it('accepts empty routing when the account has a default number, and full routing', () => {
    expect(adapter.validateRouting({}, withDefault)).toEqual([]);
    expect(adapter.validateRouting({ phoneNumberId: 2002, groupIds: [7, 8] }, noDefault)).toEqual([]);
  });

  it('names routing.phoneNumberId', () => {
    expect(validateZendeskRouting({}, noDefault)).toEqual([{ field: 'routing.phoneNumberId', message: 'is required: account zendesk-main has no defaultPhoneNumberId' }]);
    for (const bad of [0, -1, 1.5, '1001', true]) {
      expect(validateZendeskRouting({ phoneNumberId: bad }, withDefault).map((p) => p.field)).toEqual(['routing.phoneNumberId']);
    }
  });

  it('names routing.groupIds', () => {
    for (const bad of [[], [0], ['7'], 7, [7, 7], Array.from({ length: 51 }, (_, i) => i + 1)]) {
      expect(validateZendeskRouting({ groupIds: bad }, withDefault).map((p) => p.field)).toEqual(['routing.groupIds']);
    }
  });

  it('names unknown routing fields', () => {
    expect(validateZendeskRouting({ group_ids: [1], phoneNumberId: 'x' }, withDefault).map((p) => p.field).sort()).toEqual(['routing.group_ids', 'routing.phoneNumberId']);
  });

  it('resolves the account default', () => {
    expect(resolveZendeskRouting({}, withDefault)).toEqual({ phoneNumberId: 1001 });
    expect(resolveZendeskRouting({ phoneNumberId: 2002, groupIds: [3] }, withDefault)).toEqual({ phoneNumberId: 2002, groupIds: [3] });
  });
});
