/**
 * Parameter checks for the Talk phone numbers API (seeds/004), run before any
 * request leaves: a bad id, country, token or update field is a
 * ZendeskParamsError listing every offending field, and Zendesk never sees it.
 * Field names are Zendesk's own (snake_case) so they match its documentation.
 */
import { ValidationFailed, FieldProblem } from '../../common/errors';
import { isZendeskId } from './zendesk.settings';

export class ZendeskParamsError extends ValidationFailed {
  constructor(readonly problems: FieldProblem[]) {
    super(problems, `Invalid Zendesk phone number parameters: ${problems.map((p) => p.field).join(', ')}`);
  }
}

export const INCLUDE_VALUES = ['all_greetings', 'all_groups', 'all_schedules', 'ivrs', 'settings'] as const;
export type ZendeskInclude = (typeof INCLUDE_VALUES)[number];

const DELETE_AFTER = ['never', '1.days', '1.weeks', '2.weeks', '1.months', '2.months', '3.months', '6.months', '1.years', '2.years'];
const E164 = /^\+[1-9]\d{6,14}$/;

type Check = (v: unknown) => string | null;
const bool: Check = (v) => (typeof v === 'boolean' ? null : 'must be true or false');
const id: Check = (v) => (isZendeskId(v) ? null : 'must be a positive integer id');
const nat: Check = (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? null : 'must be an integer ≥ 0');
const text = (max: number): Check => (v) => (typeof v === 'string' && v.length <= max ? null : `must be a string of at most ${max} characters`);
const nullableText = (max: number): Check => (v) => (v === null ? null : text(max)(v));
const oneOf = (values: string[]): Check => (v) => (typeof v === 'string' && values.includes(v) ? null : `must be one of ${values.join(', ')}`);
const ids: Check = (v) => (Array.isArray(v) && v.every(isZendeskId) ? null : 'must be a list of positive integer ids');
const phone: Check = (v) => (v === null || (typeof v === 'string' && E164.test(v)) ? null : 'must be an E.164 number such as +12518717081');
const stringMap: Check = (v) =>
  v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string') ? null : 'must be an object of strings';
const overflow: Check = (v) => {
  const o = v as Record<string, unknown>;
  if (!o || typeof o !== 'object' || Array.isArray(o)) return 'must be {"enabled": boolean, "number": "+E164"}';
  if (Object.keys(o).some((k) => k !== 'enabled' && k !== 'number')) return 'may hold only enabled and number';
  if (o.enabled !== undefined && typeof o.enabled !== 'boolean') return 'enabled must be true or false';
  if (o.number !== undefined && phone(o.number)) return 'number must be an E.164 number such as +12518717081';
  return null;
};

/** Writable phone number properties (seeds/004 JSON format, read-only false). */
const UPDATE_FIELDS: Record<string, Check> = {
  brand_id: id,
  call_recording_consent: text(64),
  // Marked read-only in the table, yet the seed's own example updates it (the callback greeting).
  categorised_greetings: stringMap,
  default_group_id: id,
  failover_number: phone,
  greeting_ids: ids,
  group_ids: ids,
  ivr_id: id,
  line_type: oneOf(['phone', 'digital']),
  nickname: nullableText(255),
  outbound_enabled: bool,
  post_call_voice_ai_enabled: bool,
  priority: nat,
  recorded: bool,
  schedule_id: id,
  sms_enabled: bool,
  sms_group_id: id,
  transcription: bool,
  voice_enabled: bool,
  voice_qa_enabled: bool,
};

/** Settings JSON format (seeds/004), sent inside phone_number with ?include=settings. */
const SETTINGS_FIELDS: Record<string, Check> = {
  allow_outbound_calls: bool,
  average_wait_time_message_enabled: bool,
  call_offering_duration: nat,
  call_recording_delete_after: oneOf(DELETE_AFTER),
  callback_from_queue: bool,
  callback_locale: (v) => (typeof v === 'string' && /^[a-z]{2}$/.test(v) ? null : 'must be an ISO 639-1 language code such as en'),
  create_ticket_for_abandoned_calls: bool,
  dequeue_retry_if_attempted: bool,
  maximum_queue_size: nat,
  maximum_queue_wait_time: nat,
  overflow_number: overflow,
  priority: nat,
  voicemail: bool,
  voicemail_outside_business_hours: bool,
  voicemail_recording_delete_after: oneOf(DELETE_AFTER),
  wrap_up_enabled: bool,
  wrap_up_time_limit: nat,
};

const READ_ONLY = new Set([
  'capabilities', 'categorised_greetings_with_sub_settings', 'country_code', 'created_at', 'default_greeting_ids', 'display_number',
  'external', 'id', 'location', 'name', 'number', 'toll_free', 'token',
]);

function fail(problems: FieldProblem[]): void {
  if (problems.length) throw new ZendeskParamsError(problems);
}

export function checkPhoneNumberId(value: unknown, field = 'phone_number_id'): number {
  fail(isZendeskId(value) ? [] : [{ field, message: 'must be a positive integer (a Talk phone number id)' }]);
  return value as number;
}

export function checkInclude(include: unknown, field = 'include'): ZendeskInclude[] {
  if (include === undefined) return [];
  const list = Array.isArray(include) ? include : [include];
  const bad = list.filter((v) => !INCLUDE_VALUES.includes(v as ZendeskInclude));
  fail(bad.length ? [{ field, message: `unknown value(s) ${bad.map(String).join(', ')}; allowed: ${INCLUDE_VALUES.join(', ')}` }] : []);
  return [...new Set(list as ZendeskInclude[])];
}

export interface SearchParams {
  /** ISO 3166-1 alpha-2 country code, e.g. US. */
  country: string;
  /** US and Canada only. */
  areaCode?: string;
  /** Letters and digits; `*` matches any one digit. */
  contains?: string;
  tollFree?: boolean;
}

export function checkSearchParams(p: SearchParams): Record<string, string | undefined> {
  const problems: FieldProblem[] = [];
  const country = typeof p?.country === 'string' ? p.country.toUpperCase() : '';
  if (!/^[A-Z]{2}$/.test(country)) problems.push({ field: 'country', message: 'must be an ISO 3166-1 alpha-2 country code such as US' });
  if (p?.areaCode !== undefined) {
    if (typeof p.areaCode !== 'string' || !/^\d{3}$/.test(p.areaCode)) problems.push({ field: 'area_code', message: 'must be three digits' });
    else if (country && country !== 'US' && country !== 'CA') problems.push({ field: 'area_code', message: 'is only supported for US and CA' });
  }
  if (p?.contains !== undefined && (typeof p.contains !== 'string' || !/^[0-9a-zA-Z*]{1,20}$/.test(p.contains))) {
    problems.push({ field: 'contains', message: 'may hold 1 to 20 letters, digits or *' });
  }
  if (p?.tollFree !== undefined && typeof p.tollFree !== 'boolean') problems.push({ field: 'toll_free', message: 'must be true or false' });
  fail(problems);
  return { country, area_code: p.areaCode, contains: p.contains, toll_free: p.tollFree === undefined ? undefined : String(p.tollFree) };
}

export interface CreateParams {
  /** From a search for available numbers. */
  token: string;
  /** An address's provider_reference, for numbers that need one. */
  addressSid?: string;
}

/** `{"phone_number":{"token":…}}`, plus a top-level `address_sid` when given (seeds/004). */
export function buildCreateBody(p: CreateParams): string {
  const problems: FieldProblem[] = [];
  if (typeof p?.token !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(p.token)) problems.push({ field: 'token', message: 'must be the non-empty token from a number search' });
  if (p?.addressSid !== undefined && (typeof p.addressSid !== 'string' || !/^[A-Za-z0-9]{2,64}$/.test(p.addressSid))) {
    problems.push({ field: 'address_sid', message: "must be the address's provider_reference (letters and digits)" });
  }
  fail(problems);
  const body: Record<string, unknown> = { phone_number: { token: p.token } };
  if (p.addressSid !== undefined) body.address_sid = p.addressSid;
  return JSON.stringify(body);
}

/** Checks every field; `settings` makes `include=settings` part of the call, as Zendesk requires. */
export function buildUpdateBody(fields: Record<string, unknown>, include: ZendeskInclude[]): { body: string; include: ZendeskInclude[] } {
  const problems: FieldProblem[] = [];
  if (!fields || typeof fields !== 'object' || Array.isArray(fields) || Object.keys(fields).length === 0) {
    fail([{ field: 'phone_number', message: 'must hold at least one field to change' }]);
  }
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'settings') {
      if (!value || typeof value !== 'object' || Array.isArray(value) || Object.keys(value).length === 0) {
        problems.push({ field: 'settings', message: 'must be an object with at least one setting' });
        continue;
      }
      for (const [sk, sv] of Object.entries(value)) {
        const check = SETTINGS_FIELDS[sk];
        const msg = check ? check(sv) : 'is not a phone number setting';
        if (msg) problems.push({ field: `settings.${sk}`, message: msg });
      }
      continue;
    }
    const check = UPDATE_FIELDS[key];
    const msg = check ? check(value) : READ_ONLY.has(key) ? 'is read-only' : 'is not a writable phone number field';
    if (msg) problems.push({ field: key, message: msg });
  }
  fail(problems);
  const inc = fields.settings !== undefined && !include.includes('settings') ? [...include, 'settings' as const] : include;
  return { body: JSON.stringify({ phone_number: fields }), include: inc };
}
