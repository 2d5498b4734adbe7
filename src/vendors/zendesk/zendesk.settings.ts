/**
 * Checks of what people write: the accounts-file block (at boot) and an
 * intent's routing (at creation, before anything is written). Both name the
 * exact field so the operator or client can fix it without reading code.
 */
import type { FieldProblem } from '../../common/errors';
import type { Account } from '../../config/accounts';
import { Secret, ZendeskRouting, ZendeskSettings } from './zendesk.types';

const ACCOUNT_KEYS = new Set([
  'subdomain', 'email', 'apiTokenEnv', 'defaultPhoneNumberId', 'timeoutMs', 'connectTimeoutMs', 'verifyPhoneNumber', 'phoneNumberCacheMs',
]);
const ROUTING_KEYS = new Set(['phoneNumberId', 'groupIds']);
// A Zendesk subdomain is one DNS label; people often paste the whole host, which we refuse with a hint.
const SUBDOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const EMAIL = /^[^\s@/:]+@[^\s@/:]+\.[^\s@/:]+$/;
/** More group ids than this is a client bug: with omnichannel routing Zendesk uses only the first. */
export const MAX_GROUP_IDS = 50;

export function isZendeskId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
}

function intSetting(raw: Record<string, unknown>, key: string, fallback: number, min: number, max: number): number {
  const v = raw[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new Error(`${key} must be an integer from ${min} to ${max}`);
  return v;
}

/** Validates the `zendesk:` block and resolves the API token from the environment variable it names. */
export function validateZendeskAccount(raw: Record<string, unknown>, env: Record<string, string | undefined>): ZendeskSettings {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('the zendesk block must be an object');
  for (const key of Object.keys(raw)) {
    if (!ACCOUNT_KEYS.has(key)) throw new Error(`unknown key "${key}" (allowed: ${[...ACCOUNT_KEYS].join(', ')})`);
  }
  let subdomain: string | null = null;
  if (raw.subdomain !== undefined) {
    if (typeof raw.subdomain !== 'string' || !SUBDOMAIN.test(raw.subdomain)) {
      throw new Error('subdomain must be the bare Zendesk subdomain, e.g. "acme" for acme.zendesk.com');
    }
    subdomain = raw.subdomain.toLowerCase();
  }
  if (typeof raw.email !== 'string' || !EMAIL.test(raw.email)) throw new Error('email is required: the Zendesk agent email the API token belongs to');
  if (typeof raw.apiTokenEnv !== 'string' || !ENV_NAME.test(raw.apiTokenEnv)) {
    throw new Error('apiTokenEnv is required: the name of the environment variable holding the Zendesk API token');
  }
  const token = env[raw.apiTokenEnv];
  if (token === undefined || token.trim() === '') throw new Error(`environment variable ${raw.apiTokenEnv} (apiTokenEnv) is not set`);
  let defaultPhoneNumberId: number | null = null;
  if (raw.defaultPhoneNumberId !== undefined) {
    if (!isZendeskId(raw.defaultPhoneNumberId)) throw new Error('defaultPhoneNumberId must be a positive integer (a Talk phone number id)');
    defaultPhoneNumberId = raw.defaultPhoneNumberId;
  }
  if (raw.verifyPhoneNumber !== undefined && typeof raw.verifyPhoneNumber !== 'boolean') throw new Error('verifyPhoneNumber must be true or false');
  return {
    subdomain,
    email: raw.email,
    apiTokenEnv: raw.apiTokenEnv,
    apiToken: new Secret(token.trim()),
    defaultPhoneNumberId,
    timeoutMs: intSetting(raw, 'timeoutMs', 10_000, 50, 120_000),
    connectTimeoutMs: intSetting(raw, 'connectTimeoutMs', 5_000, 50, 60_000),
    verifyPhoneNumber: raw.verifyPhoneNumber ?? true,
    phoneNumberCacheMs: intSetting(raw, 'phoneNumberCacheMs', 300_000, 0, 86_400_000),
  };
}

/** The base URL calls go to: the account's override, else `https://{subdomain}.zendesk.com`; null = neither is set. */
export function zendeskBaseUrl(account: Pick<Account<ZendeskSettings>, 'baseUrl' | 'settings'>): string | null {
  if (account.baseUrl) return account.baseUrl.replace(/\/+$/, '');
  if (account.settings.subdomain) return `https://${account.settings.subdomain}.zendesk.com`;
  return null;
}

/** Problems with an intent's routing, fields named `routing.<name>`. */
export function validateZendeskRouting(routing: Record<string, unknown>, account: Account<ZendeskSettings>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const key of Object.keys(routing ?? {})) {
    if (!ROUTING_KEYS.has(key)) problems.push({ field: `routing.${key}`, message: `is not a Zendesk routing field (allowed: ${[...ROUTING_KEYS].join(', ')})` });
  }
  const id = routing?.phoneNumberId;
  if (id === undefined || id === null) {
    if (account.settings.defaultPhoneNumberId === null) {
      problems.push({ field: 'routing.phoneNumberId', message: `is required: account ${account.id} has no defaultPhoneNumberId` });
    }
  } else if (!isZendeskId(id)) {
    problems.push({ field: 'routing.phoneNumberId', message: 'must be a positive integer (a Zendesk Talk phone number id)' });
  }
  const groups = routing?.groupIds;
  if (groups !== undefined && groups !== null) {
    if (!Array.isArray(groups) || groups.length === 0 || groups.length > MAX_GROUP_IDS) {
      problems.push({ field: 'routing.groupIds', message: `must be a list of 1 to ${MAX_GROUP_IDS} Zendesk group ids` });
    } else if (!groups.every(isZendeskId)) {
      problems.push({ field: 'routing.groupIds', message: 'must hold positive integers only (Zendesk group ids)' });
    } else if (new Set(groups).size !== groups.length) {
      problems.push({ field: 'routing.groupIds', message: 'must not repeat a group id' });
    }
  }
  return problems;
}

/** Routing with the account default applied; call only after validateZendeskRouting found no problem. */
export function resolveZendeskRouting(routing: Record<string, unknown>, account: Account<ZendeskSettings>): Required<Pick<ZendeskRouting, 'phoneNumberId'>> & ZendeskRouting {
  const phoneNumberId = (routing.phoneNumberId as number | undefined | null) ?? (account.settings.defaultPhoneNumberId as number);
  const groupIds = Array.isArray(routing.groupIds) ? (routing.groupIds as number[]) : undefined;
  return groupIds ? { phoneNumberId, groupIds } : { phoneNumberId };
}
