/**
 * Wall-clock time in IANA zones (luxon / the runtime's tz database), with the
 * two DST rules this service documents and tests:
 *   - a local time that does not exist (spring-forward gap, e.g. 02:30 on
 *     2026-03-08 in America/New_York) becomes the FIRST VALID INSTANT after the
 *     gap (03:00 EDT = 07:00Z): the earliest moment the wall clock reads that
 *     time or later. (Luxon and RFC 5545 would give 03:30; a callback asked for
 *     02:30 should not wait an extra hour.)
 *   - a local time that happens twice (fall-back overlap, e.g. 01:30 on
 *     2026-11-01 in America/New_York) is the EARLIER instant (01:30 EDT = 05:30Z).
 * Window openings use the same rule, so an opening inside a gap is the end of the gap.
 */
import { DateTime, IANAZone } from 'luxon';

export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

export type DstAdjustment = 'none' | 'gap' | 'overlap';

const MINUTE = 60_000;

function zoneOf(name: string): IANAZone {
  const z = IANAZone.create(name);
  if (!z.isValid) throw new Error(`not an IANA time zone: ${name}`);
  return z;
}

/** Milliseconds of the local wall clock as if it were UTC (for comparisons). */
function wallMs(zone: IANAZone, instantMs: number): number {
  return instantMs + zone.offset(instantMs) * MINUTE;
}

/**
 * The instant at which the wall clock in `zoneName` reads `local` (given as
 * the date plus milliseconds since local midnight; 24:00 is next midnight),
 * under the gap/overlap rules above.
 */
export function localToInstant(zoneName: string, date: LocalDate, msOfDay: number): { instant: Date; adjustment: DstAdjustment } {
  const zone = zoneOf(zoneName);
  const w = Date.UTC(date.year, date.month - 1, date.day) + msOfDay;
  // Offsets in force around that wall time (at most one transition within a day either side).
  const offsets = new Set([zone.offset(w - 86_400_000), zone.offset(w), zone.offset(w + 86_400_000)]);
  const valid = [...offsets].map((o) => w - o * MINUTE).filter((i) => wallMs(zone, i) === w);
  if (valid.length) {
    valid.sort((a, b) => a - b);
    return { instant: new Date(valid[0]), adjustment: new Set(valid).size > 1 ? 'overlap' : 'none' };
  }
  // In a gap: the first instant whose wall clock reads w or later. Between these bounds the
  // wall clock only moves forward, so a binary search on milliseconds finds the transition.
  let lo = w - Math.max(...offsets) * MINUTE;
  let hi = w - Math.min(...offsets) * MINUTE;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallMs(zone, mid) >= w) hi = mid;
    else lo = mid;
  }
  return { instant: new Date(hi), adjustment: 'gap' };
}

/** The local date and time of an instant in a zone. */
export function wallClock(zoneName: string, instant: Date): DateTime {
  return DateTime.fromMillis(instant.getTime(), { zone: zoneName });
}

export function localDateOf(dt: DateTime): LocalDate {
  return { year: dt.year, month: dt.month, day: dt.day };
}

export function addDays(d: LocalDate, n: number): LocalDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + n));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

export function isoDate(d: LocalDate): string {
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/** 1 = Monday … 7 = Sunday (ISO). */
export function weekday(d: LocalDate): number {
  const js = new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();
  return js === 0 ? 7 : js;
}

/** "HH:mm" (00:00–24:00) → minutes since midnight, or null. */
export function parseHhMm(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(v);
  if (!m) return null;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return minutes <= 1440 ? minutes : null;
}

export function formatHhMm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** A local date-time without an offset, e.g. 2026-03-08T02:30 or 2026-03-08T02:30:00. */
const LOCAL_ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;

export function parseLocalIso(value: string): { date: LocalDate; msOfDay: number } | null {
  const m = typeof value === 'string' ? LOCAL_ISO.exec(value) : null;
  if (!m) return null;
  const [y, mo, d, h, mi, s = '0', ms = '0'] = m.slice(1);
  const date = { year: Number(y), month: Number(mo), day: Number(d) };
  const check = new Date(Date.UTC(date.year, date.month - 1, date.day));
  if (check.getUTCMonth() !== date.month - 1 || check.getUTCDate() !== date.day) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  return { date, msOfDay: ((Number(h) * 60 + Number(mi)) * 60 + Number(s)) * 1000 + Number(ms.padEnd(3, '0')) };
}

/** "2026-11-21T08:00-06:00 America/Chicago" style, for messages. */
export function describeLocal(zoneName: string, instant: Date): string {
  return `${wallClock(zoneName, instant).toFormat("yyyy-MM-dd'T'HH:mmZZ")} ${zoneName}`;
}
