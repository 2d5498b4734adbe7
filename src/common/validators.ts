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
export const IsPlainObject = rule(
  'isPlainObject',
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && JSON.stringify(v).length <= 4096,
  'must be a JSON object of at most 4 KB',
);
