/**
 * Per-account schedule rules from the accounts file, validated at boot:
 *
 *   callingWindow:                 # the callee's allowed local hours; default 08:00–21:00, `off` to disable
 *     start: "08:00"
 *     end: "21:00"
 *     regions:                     # stricter rules for some numbers (all matching regions apply)
 *       - name: us-tx
 *         countries: [US]          # ISO 3166 country of the number (libphonenumber-js), and/or
 *         prefixes: ["+1512"]      # E.164 prefixes (area codes)
 *         start: "08:00"           # optional; intersected with the account window
 *         end: "20:00"
 *         maxAttemptsPer24h: 3     # optional; calls to that number on this account in any 24 h
 *         timezone: America/Chicago  # optional; the callee zone when the request gives none
 *   businessHours:                 # when the contact center takes callbacks; absent = always
 *     zone: America/New_York       # default: the account's defaultTimezone
 *     weekly: { mon: [["09:00","17:00"]], tue: [["09:00","12:00"],["13:00","17:00"]] }   # missing day = closed
 *     holidays: ["2026-12-25"]     # local dates in `zone`, closed all day
 *     vendorQueuesWhenClosed: false  # true: the vendor queues callbacks itself, hand over any time
 */
import { isSupportedCountry } from 'libphonenumber-js/max';
import { isValidTimeZone } from '../common/time';
import { Interval } from './opening';
import { parseHhMm, parseLocalIso } from './local-time';

export interface RegionRule {
  name: string;
  countries: string[];
  prefixes: string[];
  /** Local window for matching numbers (intersected with the account window). */
  start: number;
  end: number;
  maxAttemptsPer24h: number | null;
  timezone: string | null;
}

export interface CallingWindowPolicy {
  /** Minutes since local midnight; [start, end). */
  start: number;
  end: number;
  regions: RegionRule[];
}

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export interface BusinessHoursPolicy {
  zone: string;
  /** Index 1 (Monday) … 7 (Sunday). */
  weekly: Record<number, Interval[]>;
  holidays: Set<string>;
  vendorQueuesWhenClosed: boolean;
}

export const DEFAULT_CALLING_WINDOW: CallingWindowPolicy = { start: 8 * 60, end: 21 * 60, regions: [] };

export class ScheduleConfigError extends Error {}

const fail = (msg: string): never => {
  throw new ScheduleConfigError(msg);
};

function keysOnly(obj: Record<string, unknown>, allowed: string[], at: string): void {
  for (const k of Object.keys(obj)) if (!allowed.includes(k)) fail(`${at}: unknown key "${k}"`);
}

function hhmm(v: unknown, at: string): number {
  const m = parseHhMm(v);
  return m === null ? fail(`${at} must be a time "HH:mm" between 00:00 and 24:00`) : m;
}

function window(start: unknown, end: unknown, at: string, fallback?: { start: number; end: number }): { start: number; end: number } {
  const s = start === undefined && fallback ? fallback.start : hhmm(start, `${at}.start`);
  const e = end === undefined && fallback ? fallback.end : hhmm(end, `${at}.end`);
  if (s >= e) fail(`${at}.start must be before ${at}.end (windows do not cross midnight)`);
  return { start: s, end: e };
}

function list(v: unknown, at: string): unknown[] {
  return Array.isArray(v) ? v : fail(`${at} must be a list`);
}

/** `raw` undefined → `fallback` (the default, or null when defaults are off); false / "off" → null. */
export function parseCallingWindow(raw: unknown, fallback: CallingWindowPolicy | null): CallingWindowPolicy | null {
  const at = 'callingWindow';
  if (raw === undefined) return fallback;
  if (raw === false || raw === 'off') return null;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail(`${at} must be an object or off`);
  const o = raw as Record<string, unknown>;
  keysOnly(o, ['start', 'end', 'regions'], at);
  const base = window(o.start, o.end, at, DEFAULT_CALLING_WINDOW);
  const regions = (o.regions === undefined ? [] : list(o.regions, `${at}.regions`)).map((r, i) => parseRegion(r, `${at}.regions[${i}]`, base));
  return { ...base, regions };
}

function parseRegion(raw: unknown, at: string, base: { start: number; end: number }): RegionRule {
  if (typeof raw !== 'object' || raw === null) return fail(`${at} must be an object`);
  const o = raw as Record<string, unknown>;
  keysOnly(o, ['name', 'countries', 'prefixes', 'start', 'end', 'maxAttemptsPer24h', 'timezone'], at);
  if (typeof o.name !== 'string' || !o.name) fail(`${at}.name must be a non-empty string`);
  const countries = (o.countries === undefined ? [] : list(o.countries, `${at}.countries`)).map((c, j) =>
    typeof c === 'string' && /^[A-Z]{2}$/.test(c) && isSupportedCountry(c) ? c : fail(`${at}.countries[${j}] must be an ISO 3166 country code such as US`),
  );
  const prefixes = (o.prefixes === undefined ? [] : list(o.prefixes, `${at}.prefixes`)).map((p, j) =>
    typeof p === 'string' && /^\+[1-9]\d{0,14}$/.test(p) ? p : fail(`${at}.prefixes[${j}] must be an E.164 prefix such as "+1512"`),
  );
  if (!countries.length && !prefixes.length) fail(`${at} needs countries or prefixes`);
  const w = window(o.start, o.end, at, base);
  const max = o.maxAttemptsPer24h;
  if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 1)) fail(`${at}.maxAttemptsPer24h must be an integer ≥ 1`);
  const tz = o.timezone;
  if (tz !== undefined && (typeof tz !== 'string' || !isValidTimeZone(tz))) fail(`${at}.timezone is not an IANA time zone`);
  return { name: o.name as string, countries, prefixes, ...w, maxAttemptsPer24h: (max as number) ?? null, timezone: (tz as string) ?? null };
}

export function parseBusinessHours(raw: unknown, defaultZone: string | null): BusinessHoursPolicy | null {
  const at = 'businessHours';
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) return fail(`${at} must be an object`);
  const o = raw as Record<string, unknown>;
  keysOnly(o, ['zone', 'weekly', 'holidays', 'vendorQueuesWhenClosed'], at);
  const zone = o.zone ?? defaultZone;
  if (zone === null || zone === undefined) fail(`${at}.zone is required (or set the account's defaultTimezone)`);
  if (typeof zone !== 'string' || !isValidTimeZone(zone)) fail(`${at}.zone is not an IANA time zone`);
  if (typeof o.weekly !== 'object' || o.weekly === null || Array.isArray(o.weekly)) return fail(`${at}.weekly must map mon…sun to lists of ["HH:mm","HH:mm"]`);
  const weeklyRaw = o.weekly as Record<string, unknown>;
  keysOnly(weeklyRaw, [...WEEKDAYS], `${at}.weekly`);
  const weekly: Record<number, Interval[]> = {};
  WEEKDAYS.forEach((day, i) => {
    const where = `${at}.weekly.${day}`;
    const intervals = (weeklyRaw[day] === undefined ? [] : list(weeklyRaw[day], where)).map((pair, j) => {
      if (!Array.isArray(pair) || pair.length !== 2) return fail(`${where}[${j}] must be ["HH:mm","HH:mm"]`);
      const w = window(pair[0], pair[1], `${where}[${j}]`);
      return [w.start, w.end] as Interval;
    });
    intervals.sort((a, b) => a[0] - b[0]);
    intervals.forEach((iv, j) => j > 0 && iv[0] < intervals[j - 1][1] && fail(`${where} has overlapping intervals`));
    weekly[i + 1] = intervals;
  });
  if (!Object.values(weekly).some((l) => l.length)) fail(`${at}.weekly must open on at least one day`);
  const holidays = (o.holidays === undefined ? [] : list(o.holidays, `${at}.holidays`)).map((h, j) =>
    typeof h === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(h) && parseLocalIso(`${h}T00:00`) ? h : fail(`${at}.holidays[${j}] must be a date YYYY-MM-DD`),
  );
  const vq = o.vendorQueuesWhenClosed ?? false;
  if (typeof vq !== 'boolean') fail(`${at}.vendorQueuesWhenClosed must be true or false`);
  return { zone: zone as string, weekly, holidays: new Set(holidays), vendorQueuesWhenClosed: vq as boolean };
}

/** The CALLING_WINDOW_DEFAULT setting: "08:00-21:00" or "off". */
export function parseDefaultWindow(value: string): CallingWindowPolicy | null | undefined {
  if (value === 'off') return null;
  const m = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(value);
  if (!m) return undefined;
  const s = parseHhMm(m[1]);
  const e = parseHhMm(m[2]);
  return s === null || e === null || s >= e ? undefined : { start: s, end: e, regions: [] };
}
