/**
 * The one answer to "when may this callback actually go out?", used by create,
 * PATCH, the dry run and the worker. Pure: time, rules and recent calls come in.
 *
 * requested time → (DST rules for a local scheduledAt) → the first instant at or
 * after it that is inside the callee's calling window (callee zone), inside the
 * contact center's business hours and not on one of its holidays (account zone),
 * and under every matching region's maxAttemptsPer24h. Each rule can only move
 * the time forward, so they are applied in turn until none moves it.
 */
import { DomainError, NoOpening, OutsideAllowedTime, TimezoneRequired, ValidationFailed } from '../common/errors';
import { parseIsoInstant } from '../common/time';
import { ZoneSource, calleeZone, countryOf } from './callee-zone';
import { DstAdjustment, describeLocal, formatHhMm, isoDate, localDateOf, localToInstant, parseLocalIso, wallClock, weekday } from './local-time';
import { OpenSchedule, nextOpening } from './opening';
import type { BusinessHoursPolicy, CallingWindowPolicy, RegionRule } from './policy';

export type OutsideWindow = 'defer' | 'reject';

export type Requested = { kind: 'asap' } | { kind: 'raw'; value: string } | { kind: 'instant'; at: Date };

export interface ResolveInput {
  now: Date;
  phoneNumber: string;
  requested: Requested;
  timezone: string | null | undefined;
  callingWindow: CallingWindowPolicy | null | undefined;
  businessHours: BusinessHoursPolicy | null | undefined;
  accountDefaultZone: string | null;
  /** Calls (attempts that may have rung) to this number on this account in the last 24 h; asked for only when a region limits them. */
  recentCalls?: Date[];
  outsideWindow: OutsideWindow;
  limits: { clockSkewMs: number; horizonDays: number };
}

export interface ScheduleReason {
  code: 'local_time_in_gap' | 'local_time_ambiguous' | 'outside_calling_window' | 'outside_business_hours' | 'holiday' | 'attempt_limit' | 'dispatch_outside_window';
  message: string;
}

export interface ScheduleInfo {
  timezone: { zone: string; source: ZoneSource } | null;
  /** The local date-time the request gave, when it gave one without an offset. */
  requestedLocal: string | null;
  reasons: ScheduleReason[];
  callingWindow: { start: string; end: string; zone: string; regions: string[] } | null;
  businessHours: { zone: string; applied: boolean; note: string | null } | null;
  attemptLimit: { maxPer24h: number; recent: number } | null;
}

export type Resolution =
  | { ok: true; requestedAt: Date; effectiveAt: Date; asap: boolean; schedule: ScheduleInfo }
  | { ok: false; error: DomainError };

const DAY = 86_400_000;

/** The regions whose attempt limit applies, and the tightest limit (null = none). */
export function attemptLimitFor(regions: RegionRule[]): number | null {
  const limits = regions.map((r) => r.maxAttemptsPer24h).filter((m): m is number => m !== null);
  return limits.length ? Math.min(...limits) : null;
}

export function resolveSchedule(input: ResolveInput, regions: RegionRule[]): Resolution {
  const { now } = input;
  const reasons: ScheduleReason[] = [];
  const zone = calleeZone(input.phoneNumber, input.timezone, regions, input.accountDefaultZone, now);

  // 1. The requested instant.
  let requestedAt: Date;
  let requestedLocal: string | null = null;
  if (input.requested.kind === 'asap') requestedAt = now;
  else if (input.requested.kind === 'instant') requestedAt = input.requested.at;
  else {
    const raw = input.requested.value;
    const withOffset = parseIsoInstant(raw);
    const local = withOffset ? null : parseLocalIso(raw);
    if (withOffset) requestedAt = withOffset;
    else if (!local) return bad('scheduledAt', 'must be an ISO 8601 date-time, with an offset or as local time with timezone');
    else if (!zone) return bad('scheduledAt', 'has no offset and no time zone to read it in: add an offset or give timezone');
    else {
      requestedLocal = raw;
      const r = localToInstant(zone.zone, local.date, local.msOfDay);
      requestedAt = r.instant;
      const note = dstNote(r.adjustment, raw, zone.zone, r.instant);
      if (note) reasons.push(note);
    }
    if (requestedAt.getTime() < now.getTime() - input.limits.clockSkewMs) return bad('scheduledAt', 'is in the past');
    if (requestedAt.getTime() > now.getTime() + input.limits.horizonDays * DAY) return bad('scheduledAt', `is more than ${input.limits.horizonDays} days ahead`);
    if (requestedAt.getTime() < now.getTime()) requestedAt = now;
  }

  // 2. The rules that apply.
  let window: (OpenSchedule & { start: number; end: number }) | null = null;
  if (input.callingWindow) {
    if (!zone) {
      const country = countryOf(input.phoneNumber);
      return { ok: false, error: new TimezoneRequired(`timezone is required: the calling window is read in the callee's zone, and ${country ? `${country} numbers span several time zones` : "this number's zone cannot be inferred"}`) };
    }
    const start = Math.max(input.callingWindow.start, ...regions.map((r) => r.start));
    const end = Math.min(input.callingWindow.end, ...regions.map((r) => r.end));
    window = { zone: zone.zone, start, end, intervalsOn: () => (start < end ? [[start, end]] : []) };
  }
  const bh = input.businessHours;
  const hours: OpenSchedule | null =
    bh && !bh.vendorQueuesWhenClosed ? { zone: bh.zone, intervalsOn: (d) => (bh.holidays.has(isoDate(d)) ? [] : bh.weekly[weekday(d)]) } : null;
  const maxCalls = attemptLimitFor(regions);
  const calls = maxCalls === null ? [] : [...(input.recentCalls ?? [])].sort((a, b) => b.getTime() - a.getTime());

  // 3. Move forward until every rule agrees.
  let t = requestedAt;
  const seen = new Set<string>();
  const note = (r: ScheduleReason) => {
    if (!seen.has(r.code)) reasons.push(r);
    seen.add(r.code);
  };
  for (let round = 0; round < 100; round++) {
    const before = t.getTime();
    if (window) {
      const next = nextOpening(window, t);
      if (!next) return { ok: false, error: new NoOpening(`no time within 400 days is inside the calling window ${describeWindow(window)}`) };
      if (next > t) note({ code: 'outside_calling_window', message: `${describeLocal(window.zone, t)} is outside the calling window ${describeWindow(window)}; next opening ${describeLocal(window.zone, next)}` });
      t = next;
    }
    if (hours) {
      const next = nextOpening(hours, t);
      if (!next) return { ok: false, error: new NoOpening(`the contact center has no business hours within 400 days`) };
      if (next > t) {
        const day = isoDate(localDateOf(wallClock(hours.zone, t)));
        note(
          bh!.holidays.has(day)
            ? { code: 'holiday', message: `${day} is a holiday of the contact center (${hours.zone}); next open hour ${describeLocal(hours.zone, next)}` }
            : { code: 'outside_business_hours', message: `${describeLocal(hours.zone, t)} is outside the contact center's business hours; next open hour ${describeLocal(hours.zone, next)}` },
        );
      }
      t = next;
    }
    if (maxCalls !== null && calls.length >= maxCalls) {
      const allowed = new Date(calls[maxCalls - 1].getTime() + DAY);
      if (allowed > t) {
        note({ code: 'attempt_limit', message: `${maxCalls} calls to this number in 24 h already; the next is allowed at ${allowed.toISOString()}` });
        t = allowed;
      }
    }
    if (t.getTime() === before) break;
    if (round === 99 || t.getTime() > requestedAt.getTime() + 400 * DAY) return { ok: false, error: new NoOpening('the calling window and business hours leave no time to call within 400 days') };
  }

  const schedule: ScheduleInfo = {
    timezone: zone,
    requestedLocal,
    reasons,
    callingWindow: window ? { start: formatHhMm(window.start), end: formatHhMm(window.end), zone: window.zone, regions: regions.map((r) => r.name) } : null,
    businessHours: bh ? { zone: bh.zone, applied: !!hours, note: hours ? null : 'vendorQueuesWhenClosed: the vendor queues callbacks while closed' } : null,
    attemptLimit: maxCalls === null ? null : { maxPer24h: maxCalls, recent: calls.filter((c) => c.getTime() > now.getTime() - DAY).length },
  };

  const moved = t.getTime() !== requestedAt.getTime();
  if (moved && input.outsideWindow === 'reject') {
    const first = reasons.find((r) => r.code !== 'local_time_in_gap' && r.code !== 'local_time_ambiguous')!;
    const code = first.code === 'outside_calling_window' ? 'outside_calling_window' : first.code === 'attempt_limit' ? 'attempt_limit_reached' : 'outside_business_hours';
    return { ok: false, error: new OutsideAllowedTime(code, `${first.message} (outsideWindow: reject)`, 'scheduledAt', { nextOpening: t.toISOString(), schedule }) };
  }
  return { ok: true, requestedAt, effectiveAt: t, asap: input.requested.kind === 'asap' && !moved, schedule };
}

function bad(field: string, message: string): Resolution {
  return { ok: false, error: new ValidationFailed([{ field, message }]) };
}

function describeWindow(w: { start: number; end: number; zone: string }): string {
  return `${formatHhMm(w.start)}–${formatHhMm(w.end)} ${w.zone}`;
}

function dstNote(adj: DstAdjustment, raw: string, zone: string, instant: Date): ScheduleReason | null {
  if (adj === 'gap') return { code: 'local_time_in_gap', message: `${raw} does not exist in ${zone} (clocks spring forward); the first valid instant after the gap is used: ${describeLocal(zone, instant)}` };
  if (adj === 'overlap') return { code: 'local_time_ambiguous', message: `${raw} happens twice in ${zone} (clocks fall back); the earlier instant is used: ${describeLocal(zone, instant)}` };
  return null;
}
