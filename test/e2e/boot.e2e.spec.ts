/** Boot refuses an enabled account whose secret variable is missing, naming it; a disabled one is ignored. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

function boot(accountsYaml: string, extraEnv: Record<string, string> = {}) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cbo-boot-')), 'accounts.yaml');
  fs.writeFileSync(file, accountsYaml);
  const r = spawnSync(process.execPath, ['dist/main.js'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: process.env.TEST_DATABASE_URL,
      REDIS_URL: process.env.TEST_REDIS_URL,
      ACCOUNTS_FILE: file,
      MIGRATE_ON_BOOT: 'false',
      PORT: '0',
      LOG_LEVEL: 'silent',
      ...extraEnv,
    },
    encoding: 'utf8',
    timeout: 8_000,
  });
  return r;
}

const zendesk = (enabled: boolean) => `
accounts:
  - id: zd-main
    vendor: zendesk
    enabled: ${enabled}
    zendesk: { email: ops@acme.example, apiTokenEnv: ZD_MAIN_TOKEN_MISSING, defaultPhoneNumberId: 1001 }
`;

describe('boot with vendor secrets (e2e)', () => {
  it('stops, naming the missing variable of an enabled account, and never printing secrets', () => {
    const r = boot(zendesk(true), { OTHER_SECRET: 'do-not-print-me' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/zd-main.*ZD_MAIN_TOKEN_MISSING.*is not set/);
    expect(r.stderr + r.stdout).not.toContain('do-not-print-me');
  });

  it('starts when the account with the missing variable is disabled', () => {
    // Runs until the timeout kills it: it booted.
    const r = boot(zendesk(false), { ROLE: 'api' });
    expect(r.error && (r.error as NodeJS.ErrnoException).code).toBe('ETIMEDOUT');
    expect(r.stderr).not.toMatch(/ZD_MAIN_TOKEN_MISSING/);
  });

  it('refuses an http:// vendor baseUrl unless explicitly allowed', () => {
    const yaml = `
accounts:
  - id: zd-http
    vendor: zendesk
    baseUrl: http://acme.zendesk.com
    zendesk: { email: ops@acme.example, apiTokenEnv: ZD_T, defaultPhoneNumberId: 1001 }
`;
    const r = boot(yaml, { ZD_T: 'x'.repeat(20) });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/zd-http.*baseUrl.*https/);
  });
});
