import { IANAZone } from 'luxon';

export function isValidTimeZone(zone: string): boolean {
  return typeof zone === 'string' && zone.length <= 64 && IANAZone.isValidZone(zone);
}

/** Strict ISO 8601 with an explicit offset or Z: a bare local time is ambiguous for a callback. */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

export function parseIsoInstant(value: string): Date | null {
  if (typeof value !== 'string' || !ISO_WITH_OFFSET.test(value)) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}
