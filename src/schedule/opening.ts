/**
 * "When is it next open?" for anything described as intervals of local wall
 * time per local date (a daily calling window, a weekly business schedule
 * with holidays). Interval ends are exclusive: a window 08:00–21:00 is closed
 * at 21:00:00. Openings and closings go through localToInstant, so DST gaps
 * and overlaps follow the documented rules.
 */
import { LocalDate, addDays, localDateOf, localToInstant, wallClock } from './local-time';

/** [startMinute, endMinute) since local midnight; end may be 1440 (24:00). */
export type Interval = [number, number];

export interface OpenSchedule {
  zone: string;
  /** Open intervals on a local date, sorted, not overlapping. */
  intervalsOn(date: LocalDate): Interval[];
}

/**
 * The first instant at or after `from` inside the schedule, looking at most
 * `maxDays` local days ahead; null when nothing opens in that range.
 */
export function nextOpening(schedule: OpenSchedule, from: Date, maxDays = 400): Date | null {
  const start = localDateOf(wallClock(schedule.zone, from));
  // Start a day early: in an overlap or near midnight the previous local date's interval may still be open.
  for (let d = -1; d <= maxDays; d++) {
    const date = addDays(start, d);
    for (const [s, e] of schedule.intervalsOn(date)) {
      const open = localToInstant(schedule.zone, date, s * 60_000).instant;
      const close = localToInstant(schedule.zone, date, e * 60_000).instant;
      if (open.getTime() >= close.getTime() || from.getTime() >= close.getTime()) continue;
      return from.getTime() >= open.getTime() ? from : open;
    }
  }
  return null;
}

export function isOpen(schedule: OpenSchedule, at: Date): boolean {
  return nextOpening(schedule, at, 1)?.getTime() === at.getTime();
}
