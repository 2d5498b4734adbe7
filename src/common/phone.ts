import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** Returns the number in E.164 if it is a valid, dialable number written in E.164; null otherwise. */
export function normalizeE164(input: string): string | null {
  if (typeof input !== 'string' || !/^\+[1-9]\d{6,14}$/.test(input)) return null;
  const parsed = parsePhoneNumberFromString(input);
  if (!parsed || !parsed.isValid()) return null;
  return parsed.number;
}

/** `+12518717081` → `+1251•••7081`: enough to recognise in a log, not enough to dial. */
export function maskPhone(value: string): string {
  if (typeof value !== 'string' || value.length < 8) return '•••';
  return `${value.slice(0, 5)}•••${value.slice(-4)}`;
}

const E164_IN_TEXT = /\+[1-9]\d{6,14}/g;

/** Masks every E.164-looking number inside free text (log messages, vendor error strings). */
export function maskPhonesInText(text: string): string {
  return text.replace(E164_IN_TEXT, (m) => maskPhone(m));
}
