// `npm test`: installs what is missing, type-checks, starts Postgres and Redis
// (or uses DATABASE_URL / REDIS_URL), runs the unit, integration and e2e tiers,
// and stops what it started. `--keep` leaves the servers up and prints their URLs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureNodeDeps, startInfra, ROOT } from './infra.mjs';

const keep = process.argv.includes('--keep');
const jestArgs = process.argv.slice(2).filter((a) => a !== '--keep');

ensureNodeDeps();
const run = (cmd, args, env = {}) => spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;

if (!keep && run('npx', ['--no-install', 'tsc', '-p', 'tsconfig.test.json']) !== 0) {
  console.error('type check failed');
  process.exit(1);
}
// Some e2e tests start the service as its own process (node dist/main.js).
if (!keep && run('npx', ['--no-install', 'tsc', '-p', 'tsconfig.json']) !== 0) {
  console.error('build failed');
  process.exit(1);
}

const infra = await startInfra({ mode: 'test' });
// Every e2e app logs at debug level into this directory; the audit tier then checks
// that no line holds a secret or a full phone number.
const logCaptureDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cbo-logs-'));
const env = { TEST_DATABASE_URL: infra.databaseUrl, TEST_REDIS_URL: infra.redisUrl, TEST_LOG_CAPTURE_DIR: logCaptureDir };
let stopping = false;
const stop = async (code) => {
  if (stopping) return;
  stopping = true;
  await infra.stop();
  process.exit(code);
};
process.on('SIGINT', () => stop(130));
process.on('SIGTERM', () => stop(143));

if (keep) {
  console.log(`export TEST_DATABASE_URL=${infra.databaseUrl}\nexport TEST_REDIS_URL=${infra.redisUrl}\n# Ctrl-C stops them`);
  await new Promise(() => {});
}

// Tiers in order; integration and e2e run one file at a time so timing assertions hold on 2 cores.
const tiers = [
  ['unit', []],
  ['integration', ['--runInBand']],
  ['e2e', ['--runInBand']],
  ['audit', []],
];
let failedTiers = 0;
const totals = { passed: 0, failed: 0 };
const resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cbo-results-'));
for (const [tier, extra] of tiers) {
  console.log(`\n=== ${tier} tests ===`);
  // A run filtered to some files skips the audit (it needs the whole e2e tier's logs).
  if (tier === 'audit' && jestArgs.length) continue;
  const filter = jestArgs.length ? ['--passWithNoTests'] : [];
  const out = path.join(resultsDir, `${tier}.json`);
  const code = run('npx', ['--no-install', 'jest', '--selectProjects', tier, '--json', `--outputFile=${out}`, ...extra, ...filter, ...jestArgs], env);
  if (code !== 0) failedTiers++;
  try {
    const r = JSON.parse(fs.readFileSync(out, 'utf8'));
    totals.passed += r.numPassedTests;
    totals.failed += r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
  } catch {
    totals.failed++;
  }
}
fs.rmSync(resultsDir, { recursive: true, force: true });
fs.rmSync(logCaptureDir, { recursive: true, force: true });
console.log(`\nTests: ${totals.passed} passed, ${totals.failed} failed`);
await stop(failedTiers || totals.failed ? 1 : 0);
