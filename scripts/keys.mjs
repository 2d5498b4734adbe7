#!/usr/bin/env node
// `npm run keys -- create --client billing --scopes callbacks:read,callbacks:write`
// Builds dist/ when it is missing, then runs `node dist/main.js keys …`.
// Without DATABASE_URL it uses the database of `npm run local` (127.0.0.1:54329).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
if (!fs.existsSync(path.join(ROOT, 'dist/main.js'))) {
  const b = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
const env = { ...process.env };
if (!env.DATABASE_URL) {
  env.DATABASE_URL = 'postgresql://postgres@127.0.0.1:54329/callbacks';
  process.stderr.write(`[keys] DATABASE_URL not set; using the local database ${env.DATABASE_URL}\n`);
}
const r = spawnSync(process.execPath, ['dist/main.js', 'keys', ...process.argv.slice(2)], { cwd: ROOT, env, stdio: 'inherit' });
process.exit(r.status ?? 1);
