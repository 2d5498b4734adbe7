// `npm run test:faults`: builds dist/ and runs the fault suite (test/faults),
// which starts its own Postgres, Redis, fake vendor, API and worker processes
// and injects faults into them. Extra arguments go to jest (e.g. -t 'SIGTERM').
// Measurements land in test/faults/results.json (see docs/RELIABILITY.md).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureNodeDeps, ROOT } from './infra.mjs';

ensureNodeDeps();
const run = (cmd, args) => spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: process.env }).status ?? 1;
if (run('npx', ['--no-install', 'tsc', '-p', 'tsconfig.json']) !== 0) {
  console.error('build failed');
  process.exit(1);
}
const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cbo-faults-results-')), 'faults.json');
console.log('\n=== fault suite ===');
const code = run('npx', ['--no-install', 'jest', '--selectProjects', 'faults', '--runInBand', '--json', `--outputFile=${out}`, ...process.argv.slice(2)]);
let passed = 0;
let failed = 0;
try {
  const r = JSON.parse(fs.readFileSync(out, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
} catch {
  failed++;
}
fs.rmSync(path.dirname(out), { recursive: true, force: true });
console.log(`\nTests: ${passed} passed, ${failed} failed`);
process.exit(code || failed ? 1 : 0);
