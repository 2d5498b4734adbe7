/**
 * Vendor accounts are declared in a file (ACCOUNTS_FILE, YAML or JSON), not
 * created through the API. Each entry names the environment variables that
 * hold its secrets; secrets never sit in the file. The simulator account `sim`
 * exists even without a file.
 */
import fs from 'node:fs';
import YAML from 'yaml';
import type { VendorAdapter, VendorKind } from '../vendors/vendor-adapter';
import { isValidTimeZone } from '../common/time';
import { BusinessHoursPolicy, CallingWindowPolicy, DEFAULT_CALLING_WINDOW, ScheduleConfigError, parseBusinessHours, parseCallingWindow } from '../schedule/policy';

export interface RateLimit {
  max: number;
  windowMs: number;
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** First backoff; doubles each retry, with ±25% jitter. */
  backoffMs: number;
  maxBackoffMs: number;
  /** After this long past its due time an intent that has not gone out expires. */
  maxAgeMs: number;
}

export interface Account<S = unknown> {
  id: string;
  vendor: VendorKind;
  /** Overrides the vendor's production base URL (sandboxes, tests). */
  baseUrl: string | null;
  rateLimit: RateLimit | null;
  /** Wait after a 429 that carries no usable Retry-After. */
  defaultRetryAfterMs: number;
  retry: RetryPolicy;
  /** What to do after an attempt whose outcome is unknown, where the vendor cannot be asked. */
  unknownOutcomePolicy: 'resend' | 'fail';
  defaultTimezone: string | null;
  /** Only these clients may use the account; null = any. */
  allowedClients: string[] | null;
  /** The callee's allowed local hours (src/schedule/policy.ts); null/absent = none. */
  callingWindow?: CallingWindowPolicy | null;
  /** The contact center's opening hours; null/absent = always open. */
  businessHours?: BusinessHoursPolicy | null;
  settings: S;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, backoffMs: 2_000, maxBackoffMs: 300_000, maxAgeMs: 6 * 3_600_000 };

const ACCOUNT_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const COMMON_KEYS = new Set([
  'id', 'vendor', 'baseUrl', 'rateLimit', 'defaultRetryAfterMs', 'retry', 'unknownOutcomePolicy', 'defaultTimezone', 'allowedClients', 'enabled',
  'callingWindow', 'businessHours',
]);

export class AccountsFileError extends Error {}

function posInt(v: unknown, where: string, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new AccountsFileError(`${where} must be an integer ≥ ${min}`);
  return v;
}

export interface LoadAccountsOptions {
  file: string | null;
  adapters: Map<VendorKind, VendorAdapter>;
  env: Record<string, string | undefined>;
  allowInsecureUrls: boolean;
  /** The window of accounts that declare none (CALLING_WINDOW_DEFAULT); null = none; absent = 08:00–21:00. */
  defaultCallingWindow?: CallingWindowPolicy | null;
}

export function parseAccounts(doc: unknown, opts: LoadAccountsOptions): Account[] {
  const list = (doc as { accounts?: unknown })?.accounts;
  if (!Array.isArray(list)) throw new AccountsFileError('the file must hold `accounts:`, a list');
  const accounts: Account[] = [];
  const seen = new Set<string>();
  list.forEach((raw: Record<string, unknown>, i) => {
    const at = `accounts[${i}]`;
    if (typeof raw !== 'object' || raw === null) throw new AccountsFileError(`${at} must be an object`);
    if (raw.enabled === false) return;
    const id = raw.id;
    if (typeof id !== 'string' || !ACCOUNT_ID.test(id)) throw new AccountsFileError(`${at}.id must match ${ACCOUNT_ID}`);
    const where = `account ${id}`;
    if (seen.has(id)) throw new AccountsFileError(`${where}: id is declared twice`);
    seen.add(id);
    const adapter = opts.adapters.get(raw.vendor as VendorKind);
    if (!adapter) throw new AccountsFileError(`${where}.vendor must be one of ${[...opts.adapters.keys()].join(', ')}`);
    const vendor = adapter.vendor;
    for (const key of Object.keys(raw)) {
      if (!COMMON_KEYS.has(key) && key !== vendor) throw new AccountsFileError(`${where}: unknown key "${key}"`);
    }
    let baseUrl: string | null = null;
    if (raw.baseUrl !== undefined) {
      try {
        const u = new URL(String(raw.baseUrl));
        if (u.protocol !== 'https:' && !(opts.allowInsecureUrls && u.protocol === 'http:')) {
          throw new AccountsFileError(`${where}.baseUrl must be https (set ALLOW_INSECURE_VENDOR_URLS=true for local development)`);
        }
        baseUrl = u.toString().replace(/\/$/, '');
      } catch (e) {
        if (e instanceof AccountsFileError) throw e;
        throw new AccountsFileError(`${where}.baseUrl is not a URL`);
      }
    }
    let rateLimit = adapter.defaultRateLimit;
    if (raw.rateLimit !== undefined) {
      const rl = raw.rateLimit as Record<string, unknown>;
      rateLimit = { max: posInt(rl?.max, `${where}.rateLimit.max`), windowMs: posInt(rl?.windowMs, `${where}.rateLimit.windowMs`, 10) };
    }
    const r = (raw.retry ?? {}) as Record<string, unknown>;
    const retry: RetryPolicy = {
      attempts: r.attempts === undefined ? DEFAULT_RETRY.attempts : posInt(r.attempts, `${where}.retry.attempts`),
      backoffMs: r.backoffMs === undefined ? DEFAULT_RETRY.backoffMs : posInt(r.backoffMs, `${where}.retry.backoffMs`),
      maxBackoffMs: r.maxBackoffMs === undefined ? DEFAULT_RETRY.maxBackoffMs : posInt(r.maxBackoffMs, `${where}.retry.maxBackoffMs`),
      maxAgeMs: r.maxAgeMs === undefined ? DEFAULT_RETRY.maxAgeMs : posInt(r.maxAgeMs, `${where}.retry.maxAgeMs`),
    };
    const policy = raw.unknownOutcomePolicy ?? 'resend';
    if (policy !== 'resend' && policy !== 'fail') throw new AccountsFileError(`${where}.unknownOutcomePolicy must be resend or fail`);
    const tz = raw.defaultTimezone;
    if (tz !== undefined && (typeof tz !== 'string' || !isValidTimeZone(tz))) throw new AccountsFileError(`${where}.defaultTimezone is not an IANA time zone`);
    const allowed = raw.allowedClients;
    if (allowed !== undefined && (!Array.isArray(allowed) || !allowed.every((c) => typeof c === 'string'))) {
      throw new AccountsFileError(`${where}.allowedClients must be a list of client names`);
    }
    let callingWindow: CallingWindowPolicy | null;
    let businessHours: BusinessHoursPolicy | null;
    try {
      callingWindow = parseCallingWindow(raw.callingWindow, opts.defaultCallingWindow === undefined ? DEFAULT_CALLING_WINDOW : opts.defaultCallingWindow);
      businessHours = parseBusinessHours(raw.businessHours, (tz as string) ?? null);
    } catch (e) {
      if (e instanceof ScheduleConfigError) throw new AccountsFileError(`${where}.${e.message}`);
      throw e;
    }
    const block = (raw[vendor] ?? {}) as Record<string, unknown>;
    let settings: unknown;
    try {
      settings = adapter.validateAccount(block, opts.env);
    } catch (e) {
      throw new AccountsFileError(`${where}.${vendor}: ${(e as Error).message}`);
    }
    accounts.push({
      id,
      vendor,
      baseUrl,
      rateLimit,
      defaultRetryAfterMs: raw.defaultRetryAfterMs === undefined ? 60_000 : posInt(raw.defaultRetryAfterMs, `${where}.defaultRetryAfterMs`),
      retry,
      unknownOutcomePolicy: policy,
      defaultTimezone: (tz as string) ?? null,
      allowedClients: (allowed as string[]) ?? null,
      callingWindow,
      businessHours,
      settings,
    });
  });
  if (!seen.has('sim')) {
    const sim = opts.adapters.get('simulator');
    if (sim) {
      // The built-in simulator rings no one: no calling window unless declared in the file.
      accounts.push({
        id: 'sim', vendor: 'simulator', baseUrl: null, rateLimit: null, defaultRetryAfterMs: 1_000,
        retry: { ...DEFAULT_RETRY, backoffMs: 200, maxBackoffMs: 5_000 }, unknownOutcomePolicy: 'resend',
        defaultTimezone: null, allowedClients: null, settings: sim.validateAccount({}, opts.env),
      });
    }
  }
  return accounts;
}

export function loadAccounts(opts: LoadAccountsOptions): Account[] {
  let doc: unknown = { accounts: [] };
  if (opts.file) {
    let text: string;
    try {
      text = fs.readFileSync(opts.file, 'utf8');
    } catch (e) {
      throw new AccountsFileError(`ACCOUNTS_FILE ${opts.file} cannot be read: ${(e as Error).message}`);
    }
    try {
      doc = opts.file.endsWith('.json') ? JSON.parse(text) : YAML.parse(text);
    } catch (e) {
      throw new AccountsFileError(`ACCOUNTS_FILE ${opts.file} does not parse: ${(e as Error).message}`);
    }
  }
  return parseAccounts(doc, opts);
}

/** Read-only view of the declared accounts. */
export class AccountsRegistry {
  private readonly byId: Map<string, Account>;

  constructor(readonly all: Account[]) {
    this.byId = new Map(all.map((a) => [a.id, a]));
  }

  get(id: string): Account | undefined {
    return this.byId.get(id);
  }
}
