import { ValidationArguments, ValidationOptions, registerDecorator } from 'class-validator';
import { normalizeE164 } from './phone';
import { isValidTimeZone, parseIsoInstant } from './time';

function rule(name: string, test: (v: unknown) => boolean, message: string) {
  return (options?: ValidationOptions) => (target: object, propertyName: string) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName,
      options: { message: (a: ValidationArguments) => `${a.property} ${message}`, ...options },
      validator: { validate: test },
    });
}

export const IsE164 = rule('isE164', (v) => typeof v === 'string' && normalizeE164(v) !== null, 'must be a valid phone number in E.164 format, e.g. +12518717081');
export const IsIanaZone = rule('isIanaZone', (v) => typeof v === 'string' && isValidTimeZone(v), 'must be an IANA time zone, e.g. Europe/Paris');
export const IsIsoInstant = rule('isIsoInstant', (v) => typeof v === 'string' && parseIsoInstant(v) !== null, 'must be an ISO 8601 date-time with an offset, e.g. 2026-11-21T15:30:00Z');
/** An instant with an offset, or a local date-time read in the callee's zone (src/schedule/local-time.ts). */
export const IsIsoInstantOrLocal = rule(
  'isIsoInstantOrLocal',
  (v) => typeof v === 'string' && (parseIsoInstant(v) !== null || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(v)),
  'must be an ISO 8601 date-time with an offset (2026-11-21T15:30:00Z), or a local date-time (2026-11-21T09:30) read in timezone',
);
export const IsPlainObject = rule(
  'isPlainObject',
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && JSON.stringify(v).length <= 4096,
  'must be a JSON object of at most 4 KB',
);
