/**
 * Whose clock a calling window is read on. In order:
 *   1. the request's `timezone`;
 *   2. the `timezone` of a matching region rule (e.g. area code +1512 → America/Chicago);
 *   3. the number's country (libphonenumber-js), when that country keeps one
 *      time (its zones, from the runtime's CLDR data via Intl.Locale, agree on
 *      every offset over the coming two years: DE's Berlin and Busingen do; US's do not);
 *   4. the account's `defaultTimezone`;
 *   else none, and a request that needs a window is answered 422 naming `timezone`.
 */
import { IANAZone } from 'luxon';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { CallingWindowPolicy, RegionRule } from './policy';

export type ZoneSource = 'request' | 'region' | 'phone_country' | 'account_default';

export function countryOf(phone: string): string | null {
  return parsePhoneNumberFromString(phone)?.country ?? null;
}

export function regionsFor(policy: CallingWindowPolicy | null | undefined, phone: string): RegionRule[] {
  if (!policy?.regions.length) return [];
  const country = countryOf(phone);
  return policy.regions.filter((r) => (country !== null && r.countries.includes(country)) || r.prefixes.some((p) => phone.startsWith(p)));
}

/** IANA zones of a country, from the runtime's CLDR data. */
export function zonesOfCountry(country: string): string[] {
  try {
    const loc = new Intl.Locale(`und-${country}`) as Intl.Locale & { timeZones?: string[]; getTimeZones?: () => string[] };
    return loc.getTimeZones?.() ?? loc.timeZones ?? [];
  } catch {
    return [];
  }
}

const singleZoneCache = new Map<string, string | null>();

/** The country's one time zone, or null when its zones keep different times. */
export function singleZoneOf(country: string, around: Date): string | null {
  const key = `${country}:${around.getUTCFullYear()}`;
  if (singleZoneCache.has(key)) return singleZoneCache.get(key)!;
  const zones = zonesOfCountry(country).filter((z) => IANAZone.isValidZone(z));
  let answer: string | null = zones[0] ?? null;
  if (zones.length > 1) {
    const first = IANAZone.create(zones[0]);
    const start = Date.UTC(around.getUTCFullYear(), 0, 1);
    outer: for (let t = start; t < start + 2 * 366 * 86_400_000; t += 6 * 3_600_000) {
      for (const z of zones.slice(1)) {
        if (IANAZone.create(z).offset(t) !== first.offset(t)) {
          answer = null;
          break outer;
        }
      }
    }
  }
  singleZoneCache.set(key, answer);
  return answer;
}

export function calleeZone(
  phone: string,
  requested: string | null | undefined,
  regions: RegionRule[],
  accountDefault: string | null,
  at: Date,
): { zone: string; source: ZoneSource } | null {
  if (requested) return { zone: requested, source: 'request' };
  const fromRegion = regions.find((r) => r.timezone)?.timezone;
  if (fromRegion) return { zone: fromRegion, source: 'region' };
  const country = countryOf(phone);
  const single = country ? singleZoneOf(country, at) : null;
  if (single) return { zone: single, source: 'phone_country' };
  if (accountDefault) return { zone: accountDefault, source: 'account_default' };
  return null;
}
