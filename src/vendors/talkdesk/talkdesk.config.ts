/**
 * Validation of the accounts-file `talkdesk:` block (at boot) and of an
 * intent's routing (at creation, so a missing assignee is a 400 then rather
 * than a failed dispatch later). Account defaults fill routing gaps.
 */
import type { FieldProblem } from '../../common/errors';
import { normalizeE164 } from '../../common/phone';
import {
  API_BASE,
  DEFAULT_HAND_OVER_AHEAD_MS,
  DEFAULT_SCOPES,
  LEAD_SAFETY_MS,
  TALKDESK_MIN_LEAD_MS,
  TOKEN_HOST,
  TalkdeskRegion,
  TalkdeskRouting,
  TalkdeskSettings,
} from './talkdesk.types';

const BLOCK_KEYS = new Set([
  'region', 'accountName', 'clientIdEnv', 'clientSecretEnv', 'tokenUrl', 'createPath', 'handOverAheadMs',
  'defaultCallerId', 'defaultAssignmentType', 'defaultAssignees', 'scopes',
]);
const ROUTING_KEYS = new Set(['assignmentType', 'assignees', 'callerId', 'interactionId']);
const ACCOUNT_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ASSIGNMENT_TYPE = /^[A-Z][A-Z_]{1,63}$/;
const INTERACTION_ID = /^[A-Za-z0-9_-]{1,128}$/;
const PATH = /^\/[A-Za-z0-9/_.~-]*$/;
const MAX_ASSIGNEES = 100;
/** A hand-over shorter than this would leave no room to send the intent's own time once it is picked up. */
export const MIN_HAND_OVER_AHEAD_MS = TALKDESK_MIN_LEAD_MS + LEAD_SAFETY_MS + 15_000;
const MAX_HAND_OVER_AHEAD_MS = 24 * 3_600_000;

function optString(raw: Record<string, unknown>, key: string): string | null {
  const v = raw[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.trim() === '') throw new Error(`${key} must be a non-empty string`);
  return v.trim();
}

function secretFrom(raw: Record<string, unknown>, key: string, env: Record<string, string | undefined>): [string, string] {
  const name = raw[key];
  if (typeof name !== 'string' || !ENV_NAME.test(name)) throw new Error(`${key} must name an environment variable`);
  const value = env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} (${key}) is not set`);
  return [name, value];
}

function insecureAllowed(env: Record<string, string | undefined>): boolean {
  return ['true', '1', 'yes'].includes((env.ALLOW_INSECURE_VENDOR_URLS ?? '').toLowerCase());
}

/** Ids of agents or ring groups: a list of non-empty strings. */
function isIdList(v: unknown): v is string[] {
  return Array.isArray(v) && v.length > 0 && v.length <= MAX_ASSIGNEES && v.every((x) => typeof x === 'string' && x.trim() !== '' && x.length <= 128);
}

export function parseTalkdeskAccount(raw: Record<string, unknown>, env: Record<string, string | undefined>): TalkdeskSettings {
  for (const key of Object.keys(raw)) if (!BLOCK_KEYS.has(key)) throw new Error(`unknown key "${key}"`);
  const region = String(raw.region ?? '').toLowerCase() as TalkdeskRegion;
  if (!(region in API_BASE)) throw new Error('region must be one of us, eu, ca');

  const accountName = optString(raw, 'accountName');
  if (accountName !== null && !ACCOUNT_NAME.test(accountName)) throw new Error('accountName must be the Talkdesk account (subdomain) name');
  let tokenUrl: string;
  const rawTokenUrl = optString(raw, 'tokenUrl');
  if (rawTokenUrl !== null) {
    let u: URL;
    try {
      u = new URL(rawTokenUrl);
    } catch {
      throw new Error('tokenUrl is not a URL');
    }
    if (u.protocol !== 'https:' && !(u.protocol === 'http:' && insecureAllowed(env))) {
      throw new Error('tokenUrl must be https (set ALLOW_INSECURE_VENDOR_URLS=true for local development)');
    }
    tokenUrl = u.toString();
  } else {
    if (accountName === null) throw new Error('accountName is required (or give tokenUrl)');
    tokenUrl = `https://${accountName.toLowerCase()}.${TOKEN_HOST[region]}/oauth/token`;
  }

  const [clientIdEnv, clientId] = secretFrom(raw, 'clientIdEnv', env);
  const [clientSecretEnv, clientSecret] = secretFrom(raw, 'clientSecretEnv', env);

  const createPath = optString(raw, 'createPath') ?? '/schedule-callbacks';
  if (!PATH.test(createPath)) throw new Error('createPath must be a path starting with "/"');

  let handOverAheadMs = DEFAULT_HAND_OVER_AHEAD_MS;
  if (raw.handOverAheadMs !== undefined) {
    const v = raw.handOverAheadMs;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < MIN_HAND_OVER_AHEAD_MS || v > MAX_HAND_OVER_AHEAD_MS) {
      throw new Error(`handOverAheadMs must be an integer from ${MIN_HAND_OVER_AHEAD_MS} to ${MAX_HAND_OVER_AHEAD_MS}`);
    }
    handOverAheadMs = v;
  }

  let scopes = DEFAULT_SCOPES;
  if (raw.scopes !== undefined) {
    if (!Array.isArray(raw.scopes) || !raw.scopes.every((s) => typeof s === 'string' && /^\S+$/.test(s))) {
      throw new Error('scopes must be a list of scope names (an empty list sends none)');
    }
    scopes = raw.scopes as string[];
  }

  const callerIdRaw = optString(raw, 'defaultCallerId');
  const defaultCallerId = callerIdRaw === null ? null : normalizeE164(callerIdRaw);
  if (callerIdRaw !== null && defaultCallerId === null) throw new Error('defaultCallerId must be a valid E.164 number');
  const defaultAssignmentType = optString(raw, 'defaultAssignmentType');
  if (defaultAssignmentType !== null && !ASSIGNMENT_TYPE.test(defaultAssignmentType)) {
    throw new Error('defaultAssignmentType must be a Talkdesk assignment type such as SPECIFIC_AGENT');
  }
  let defaultAssignees: string[] | null = null;
  if (raw.defaultAssignees !== undefined && raw.defaultAssignees !== null) {
    if (!isIdList(raw.defaultAssignees)) throw new Error(`defaultAssignees must be a list of 1 to ${MAX_ASSIGNEES} agent or ring group ids`);
    defaultAssignees = raw.defaultAssignees.map((s) => s.trim());
  }

  const settings = {
    region, accountName, tokenUrl, apiBaseUrl: API_BASE[region], createPath, handOverAheadMs, scopes,
    defaultCallerId, defaultAssignmentType, defaultAssignees, clientIdEnv, clientSecretEnv,
  } as TalkdeskSettings;
  // Non-enumerable so that JSON.stringify, spreads and loggers never see the secret.
  Object.defineProperty(settings, 'credentials', { value: Object.freeze({ clientId, clientSecret }), enumerable: false });
  return settings;
}

/** A SPECIFIC_* assignment names who gets the callback; the others pick among eligible agents. */
export function needsAssignees(assignmentType: string): boolean {
  return assignmentType.startsWith('SPECIFIC_');
}

/** Checks the routing with the account defaults applied; problems name `routing.<field>`. */
export function validateTalkdeskRouting(routing: Record<string, unknown>, settings: TalkdeskSettings): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field: `routing.${field}`, message });
  for (const key of Object.keys(routing)) if (!ROUTING_KEYS.has(key)) add(key, 'is not a Talkdesk routing field');

  const type = routing.assignmentType ?? settings.defaultAssignmentType;
  if (type === undefined || type === null) add('assignmentType', 'is required (the account sets no default)');
  else if (typeof type !== 'string' || !ASSIGNMENT_TYPE.test(type)) add('assignmentType', 'must be a Talkdesk assignment type such as SPECIFIC_AGENT');

  const assignees = routing.assignees ?? settings.defaultAssignees;
  if (assignees === undefined || assignees === null) {
    if (typeof type === 'string' && needsAssignees(type)) add('assignees', `is required with assignmentType ${type} (the account sets no default)`);
  } else if (!isIdList(assignees)) {
    add('assignees', `must be a list of 1 to ${MAX_ASSIGNEES} agent or ring group ids`);
  }

  const callerId = routing.callerId ?? settings.defaultCallerId;
  if (callerId === undefined || callerId === null) add('callerId', 'is required (the account sets no default)');
  else if (typeof callerId !== 'string' || normalizeE164(callerId) === null) add('callerId', 'must be a valid E.164 number');

  const interactionId = routing.interactionId;
  if (interactionId !== undefined && interactionId !== null && (typeof interactionId !== 'string' || !INTERACTION_ID.test(interactionId))) {
    add('interactionId', 'must be a Talkdesk interaction id (letters, digits, - and _)');
  }
  return problems;
}

/** Routing with account defaults applied. Call after validateTalkdeskRouting found nothing. */
export function resolveTalkdeskRouting(routing: Record<string, unknown>, settings: TalkdeskSettings): TalkdeskRouting {
  const assignmentType = (routing.assignmentType ?? settings.defaultAssignmentType) as string;
  const assignees = ((routing.assignees ?? settings.defaultAssignees ?? []) as string[]).map((s) => s.trim());
  const callerId = normalizeE164((routing.callerId ?? settings.defaultCallerId) as string) as string;
  const out: TalkdeskRouting = { assignmentType, assignees, callerId };
  if (typeof routing.interactionId === 'string') out.interactionId = routing.interactionId;
  return out;
}
