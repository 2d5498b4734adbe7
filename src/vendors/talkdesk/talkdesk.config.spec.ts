import { parseAccounts } from '../../config/accounts';
import { TalkdeskAdapter } from './talkdesk.adapter';
import { parseTalkdeskAccount, validateTalkdeskRouting } from './talkdesk.config';
import type { TalkdeskSettings } from './talkdesk.types';

const env = { TD_ID: 'client-1', TD_SECRET: 's3cr3t-value' };
const block = (extra: Record<string, unknown> = {}) => ({ region: 'eu', accountName: 'acme', clientIdEnv: 'TD_ID', clientSecretEnv: 'TD_SECRET', ...extra });

describe('Talkdesk account block', () => {
  it('derives the API base and token URL from the region and account name', () => {
    const cases = [
      ['us', 'https://api.talkdeskapp.com', 'https://acme.talkdeskid.com/oauth/token'],
      ['eu', 'https://api.talkdeskapp.eu', 'https://acme.talkdeskid.eu/oauth/token'],
      ['ca', 'https://api.talkdeskappca.com', 'https://acme.talkdeskidca.com/oauth/token'],
    ];
    for (const [region, api, token] of cases) {
      const s = parseTalkdeskAccount(block({ region }), env);
      expect([s.apiBaseUrl, s.tokenUrl]).toEqual([api, token]);
    }
  });

  it('applies defaults and resolves the secrets from the named variables', () => {
    const s = parseTalkdeskAccount(block(), env);
    expect(s).toMatchObject({ createPath: '/schedule-callbacks', handOverAheadMs: 300_000, scopes: ['schedule-callbacks:read', 'schedule-callbacks:write'] });
    expect(s.credentials).toEqual({ clientId: 'client-1', clientSecret: 's3cr3t-value' });
  });

  it('keeps the secret out of JSON and spreads', () => {
    const s = parseTalkdeskAccount(block(), env);
    expect(JSON.stringify(s)).not.toContain('s3cr3t-value');
    expect(JSON.stringify({ ...s })).not.toContain('client-1"');
    expect(Object.keys(s)).not.toContain('credentials');
  });

  it('accepts the overridable fields', () => {
    const s = parseTalkdeskAccount(
      block({
        tokenUrl: 'https://sso.example.com/oauth/token', createPath: '/schedule-callbacks/v2', handOverAheadMs: 600_000,
        defaultCallerId: '+14155550100', defaultAssignmentType: 'SPECIFIC_RING_GROUP', defaultAssignees: ['rg-1'], scopes: [],
      }),
      env,
    );
    expect(s).toMatchObject({
      tokenUrl: 'https://sso.example.com/oauth/token', createPath: '/schedule-callbacks/v2', handOverAheadMs: 600_000,
      defaultCallerId: '+14155550100', defaultAssignmentType: 'SPECIFIC_RING_GROUP', defaultAssignees: ['rg-1'], scopes: [],
    });
  });

  it.each([
    [{ region: 'apac' }, 'region must be one of us, eu, ca'],
    [{ accountName: undefined }, 'accountName is required'],
    [{ accountName: 'bad name!' }, 'accountName'],
    [{ clientIdEnv: undefined }, 'clientIdEnv must name an environment variable'],
    [{ clientSecretEnv: 'TD_MISSING' }, 'environment variable TD_MISSING (clientSecretEnv) is not set'],
    [{ tokenUrl: 'http://sso.example.com/t' }, 'tokenUrl must be https'],
    [{ createPath: 'schedule-callbacks' }, 'createPath'],
    [{ handOverAheadMs: 30_000 }, 'handOverAheadMs must be an integer'],
    [{ defaultCallerId: '12345' }, 'defaultCallerId must be a valid E.164 number'],
    [{ defaultAssignees: [] }, 'defaultAssignees'],
    [{ apiKeyEnv: 'X' }, 'unknown key "apiKeyEnv"'],
  ])('refuses %j', (extra, message) => {
    expect(() => parseTalkdeskAccount(block(extra), env)).toThrow(message);
  });

  it('allows an http token URL only with ALLOW_INSECURE_VENDOR_URLS', () => {
    const s = parseTalkdeskAccount(block({ tokenUrl: 'http://127.0.0.1:9/oauth/token' }), { ...env, ALLOW_INSECURE_VENDOR_URLS: 'true' });
    expect(s.tokenUrl).toBe('http://127.0.0.1:9/oauth/token');
  });

  it('plugs into the accounts-file loader, which names the account in errors', async () => {
    const adapter = new TalkdeskAdapter();
    const adapters = new Map([['talkdesk' as const, adapter]]);
    const doc = { accounts: [{ id: 'talkdesk-eu', vendor: 'talkdesk', talkdesk: block() }] };
    const [account] = parseAccounts(doc, { file: null, adapters, env, allowInsecureUrls: false });
    expect(account).toMatchObject({ id: 'talkdesk-eu', vendor: 'talkdesk', rateLimit: null });
    const broken = { accounts: [{ id: 'talkdesk-eu', vendor: 'talkdesk', talkdesk: block({ clientIdEnv: 'NOPE' }) }] };
    expect(() => parseAccounts(broken, { file: null, adapters, env, allowInsecureUrls: false })).toThrow(
      'account talkdesk-eu.talkdesk: environment variable NOPE (clientIdEnv) is not set',
    );
    await adapter.onModuleDestroy();
  });
});

describe('Talkdesk routing validation', () => {
  const bare = parseTalkdeskAccount(block(), env);
  const withDefaults: TalkdeskSettings = parseTalkdeskAccount(
    block({ defaultCallerId: '+14155550100', defaultAssignmentType: 'SPECIFIC_RING_GROUP', defaultAssignees: ['rg-1'] }),
    env,
  );
  const fields = (routing: Record<string, unknown>, s = bare) => validateTalkdeskRouting(routing, s).map((p) => p.field);

  it('names every missing field when the account has no defaults', () => {
    expect(fields({})).toEqual(['routing.assignmentType', 'routing.callerId']);
    expect(fields({ assignmentType: 'SPECIFIC_AGENT' })).toEqual(['routing.assignees', 'routing.callerId']);
  });

  it('fills gaps from the account defaults', () => {
    expect(fields({}, withDefaults)).toEqual([]);
    expect(fields({ assignmentType: 'SPECIFIC_AGENT', assignees: ['agent-7'], callerId: '+12518717081', interactionId: 'abc123' })).toEqual([]);
  });

  it('does not ask for assignees when the type picks among eligible agents', () => {
    expect(fields({ assignmentType: 'ANY_ELIGIBLE_AGENT', callerId: '+14155550100' })).toEqual([]);
  });

  it('explains malformed values', () => {
    const problems = validateTalkdeskRouting(
      { assignmentType: 'someone', assignees: 'agent-7', callerId: '555', interactionId: 'has space', queue: 'x' },
      bare,
    );
    expect(problems).toEqual([
      { field: 'routing.queue', message: 'is not a Talkdesk routing field' },
      { field: 'routing.assignmentType', message: 'must be a Talkdesk assignment type such as SPECIFIC_AGENT' },
      { field: 'routing.assignees', message: 'must be a list of 1 to 100 agent or ring group ids' },
      { field: 'routing.callerId', message: 'must be a valid E.164 number' },
      { field: 'routing.interactionId', message: 'must be a Talkdesk interaction id (letters, digits, - and _)' },
    ]);
  });
});
