/**
 * The Debian `chromium` binary for browser tests, installed with apt-get when
 * missing and we are root (a fresh CI machine), like scripts/infra.mjs does
 * for Postgres and Redis.
 */
import { execFileSync, spawnSync } from 'node:child_process';

const CANDIDATES = ['chromium', 'chromium-browser'];

function which(bin: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

export function chromiumPath(): string {
  const found = process.env.CHROMIUM_PATH ?? CANDIDATES.map(which).find(Boolean);
  if (found) return found;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new Error('chromium is missing: apt-get install chromium (or set CHROMIUM_PATH)');
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { stdio: 'ignore', env, timeout: 600_000 });
  const installed = which('chromium');
  if (!installed) throw new Error('apt-get install chromium did not provide a chromium binary');
  return installed;
}
