import { parseRetryAfter } from './vendor-http';

describe('parseRetryAfter', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  it('reads delta-seconds', () => expect(parseRetryAfter('2', 9, now)).toBe(2000));
  it('reads an HTTP date', () => expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', 9, now)).toBe(5000));
  it('falls back on missing, garbage and past values', () => {
    expect(parseRetryAfter(undefined, 9, now)).toBe(9);
    expect(parseRetryAfter('soon', 9, now)).toBe(9);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', 9, now)).toBe(9);
  });
  it('caps at one hour', () => expect(parseRetryAfter('99999', 9, now)).toBe(3_600_000));
});
