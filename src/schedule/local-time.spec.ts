import { localToInstant, parseLocalIso } from './local-time';
import { nextOpening } from './opening';

const at = (zone: string, local: string) => {
  const p = parseLocalIso(local)!;
  return localToInstant(zone, p.date, p.msOfDay);
};

describe('localToInstant: the documented DST rules', () => {
  it.each([
    // zone, local, instant, adjustment
    ['America/New_York', '2026-03-08T02:30', '2026-03-08T07:00:00.000Z', 'gap'], // spring forward: first valid instant after the gap (03:00 EDT)
    ['America/New_York', '2026-03-08T02:00', '2026-03-08T07:00:00.000Z', 'gap'],
    ['America/New_York', '2026-03-08T03:00', '2026-03-08T07:00:00.000Z', 'none'],
    ['America/New_York', '2026-03-08T01:59', '2026-03-08T06:59:00.000Z', 'none'],
    ['America/New_York', '2026-11-01T01:30', '2026-11-01T05:30:00.000Z', 'overlap'], // fall back: the earlier instant (01:30 EDT)
    ['America/New_York', '2026-11-01T01:00', '2026-11-01T05:00:00.000Z', 'overlap'],
    ['America/New_York', '2026-11-01T02:00', '2026-11-01T07:00:00.000Z', 'none'],
    ['Europe/Paris', '2026-03-29T02:15', '2026-03-29T01:00:00.000Z', 'gap'],
    ['Europe/Paris', '2026-10-25T02:15', '2026-10-25T00:15:00.000Z', 'overlap'],
    ['Australia/Lord_Howe', '2026-10-04T02:10', '2026-10-03T15:30:00.000Z', 'gap'], // a 30-minute DST shift
    ['Asia/Kolkata', '2026-06-01T12:00', '2026-06-01T06:30:00.000Z', 'none'],
    ['UTC', '2026-06-01T12:00', '2026-06-01T12:00:00.000Z', 'none'],
  ])('%s %s → %s (%s)', (zone, local, iso, adjustment) => {
    const r = at(zone, local);
    expect(r.instant.toISOString()).toBe(iso);
    expect(r.adjustment).toBe(adjustment);
  });

  it('refuses malformed local date-times', () => {
    for (const bad of ['2026-02-30T10:00', '2026-01-01T24:00', '2026-01-01 10:00', '2026-01-01T10:00Z', '10:00']) expect(parseLocalIso(bad)).toBeNull();
  });
});

describe('nextOpening across DST days', () => {
  const window = (zone: string, start: number, end: number) => ({ zone, intervalsOn: () => [[start, end] as [number, number]] });
  it.each([
    ['before 08:00 on spring-forward day opens at 08:00 EDT', window('America/New_York', 480, 1260), '2026-03-08T06:00:00Z', '2026-03-08T12:00:00.000Z'],
    ['before 08:00 on fall-back day opens at 08:00 EST', window('America/New_York', 480, 1260), '2026-11-01T06:00:00Z', '2026-11-01T13:00:00.000Z'],
    ['an opening inside the gap is the end of the gap', window('America/New_York', 150, 1260), '2026-03-08T06:45:00Z', '2026-03-08T07:00:00.000Z'],
    ['inside the window stays', window('America/New_York', 480, 1260), '2026-03-08T15:00:00Z', '2026-03-08T15:00:00.000Z'],
    ['at the close moves to the next day', window('America/Chicago', 480, 1260), '2026-11-21T03:00:00Z', '2026-11-21T14:00:00.000Z'],
    ['a window to 24:00 is open at 23:59', window('UTC', 0, 1440), '2026-11-21T23:59:00Z', '2026-11-21T23:59:00.000Z'],
    ['the second 01:30 of an overlap is inside 01:00–02:00', window('America/New_York', 60, 120), '2026-11-01T06:30:00Z', '2026-11-01T06:30:00.000Z'],
  ])('%s', (_name, schedule, from, expected) => {
    expect(nextOpening(schedule, new Date(from))!.toISOString()).toBe(expected);
  });

  it('answers null when nothing opens', () => {
    expect(nextOpening({ zone: 'UTC', intervalsOn: () => [] }, new Date('2026-01-01T00:00:00Z'), 10)).toBeNull();
  });
});
