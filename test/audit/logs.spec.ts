/**
 * Reads every log line the e2e tier wrote (TEST_LOG_CAPTURE_DIR, set by
 * `npm test`) and checks none holds a full phone number or any secret those
 * apps were given (vendor credentials from the environment, API keys).
 */
import fs from 'node:fs';
import path from 'node:path';

const dir = process.env.TEST_LOG_CAPTURE_DIR;
// E.164 as it would appear unmasked: + and 8–15 digits (masked numbers carry •••).
const FULL_PHONE = /\+[1-9]\d{7,14}(?!\d)/;

describe('log audit of the e2e run', () => {
  const files = dir && fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  const logs = files.filter((f) => f.endsWith('.log')).map((f) => path.join(dir!, f));
  const secrets = files.filter((f) => f.endsWith('.secrets.json')).flatMap((f) => JSON.parse(fs.readFileSync(path.join(dir!, f), 'utf8')) as string[]);
  const lines = logs.flatMap((f) => fs.readFileSync(f, 'utf8').split('\n').filter(Boolean));

  it('has the e2e logs to read (run through npm test)', () => {
    expect(dir).toBeTruthy();
    expect(logs.length).toBeGreaterThan(10);
    expect(lines.length).toBeGreaterThan(1_000);
    expect(secrets.length).toBeGreaterThan(10);
    // Not vacuous: the logs do talk about phone numbers, masked.
    expect(lines.some((l) => /\+\d{4}•••\d{4}/.test(l))).toBe(true);
  });

  it('holds no full phone number', () => {
    const leaks = lines.filter((l) => FULL_PHONE.test(l)).slice(0, 5);
    expect(leaks).toEqual([]);
  });

  it('holds no secret given to the apps', () => {
    const needles = [...new Set(secrets.flatMap((s) => [s, ...s.split('\n').map((x) => x.trim()).filter((x) => x.length >= 24)]))];
    const leaks: string[] = [];
    for (const l of lines) for (const n of needles) if (l.includes(n)) leaks.push(`${n.slice(0, 12)}… in ${l.slice(0, 200)}`);
    expect(leaks.slice(0, 5)).toEqual([]);
  });
});
