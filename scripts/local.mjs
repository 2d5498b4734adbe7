// `npm run local`: everything needed to run the service on this machine.
// Installs node modules when missing, starts Postgres and Redis on loopback
// (from local binaries, installing them with apt when root; through
// `docker compose` when a Docker engine answers; or the servers named by
// DATABASE_URL / REDIS_URL), builds, applies migrations, and runs API + worker
// with the simulator account. Ctrl-C stops everything it started.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { dockerAvailable, ensureNodeDeps, startInfra, ROOT } from './infra.mjs';

const port = process.env.PORT || '3000';
ensureNodeDeps();
const build = spawnSync('npx', ['--no-install', 'tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

if (!process.env.DATABASE_URL && !process.env.REDIS_URL && dockerAvailable()) {
  // With a Docker engine the whole stack (postgres, redis, migrate, api, worker) runs in compose.
  console.log('[local] Docker engine found: docker compose up --build (API on http://localhost:3000)');
  const up = spawn('docker', ['compose', 'up', '--build'], { cwd: ROOT, stdio: 'inherit' });
  up.on('exit', (code) => process.exit(code ?? 0));
  await new Promise(() => {});
}
const infra = await startInfra({ mode: 'local' });

const env = {
  ...process.env,
  ROLE: process.env.ROLE || 'all',
  PORT: port,
  DATABASE_URL: infra.databaseUrl,
  REDIS_URL: infra.redisUrl,
  LOG_PRETTY: process.env.LOG_PRETTY || 'true',
  MIGRATE_ON_BOOT: 'false', // devKey() below migrates first (it needs the api_key table)
};
// A development API key (client "dev", every scope), kept in .local/dev-key.json
// and reused while it is still valid.
function devKey() {
  const file = path.join(ROOT, '.local', 'dev-key.json');
  const keys = (...args) => {
    const r = spawnSync(process.execPath, ['dist/main.js', 'keys', ...args], { cwd: ROOT, env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr || `keys ${args[0]} failed`);
    return JSON.parse(r.stdout);
  };
  const migrate = spawnSync(process.execPath, ['dist/main.js', 'migrate'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (migrate.status !== 0) throw new Error('migrations failed');
  if (fs.existsSync(file)) {
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    const { items } = keys('list', '--client', 'dev');
    if (items.some((k) => k.id === saved.id && k.status === 'active')) return saved.key;
  }
  const created = keys('create', '--client', 'dev', '--scopes', 'admin', '--name', 'npm run local');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ id: created.id, key: created.key }), { mode: 0o600 });
  return created.key;
}
const key = devKey();

const app = spawn(process.execPath, ['dist/main.js'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
let announced = false;
app.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  if (!announced && /listening on/.test(chunk.toString())) {
    announced = true;
    const base = `http://localhost:${port}`;
    console.log(`
  callback-orchestrator is running (role ${env.ROLE}, simulator account "sim")
    API         ${base}/v1/callbacks
    OpenAPI     ${base}/docs   (JSON: ${base}/docs/json)
    Bull Board  ${base}/admin/queues
    Health      ${base}/health/ready     Metrics ${base}/metrics
    Postgres    ${infra.databaseUrl}
    Redis       ${infra.redisUrl}
    API key     ${key}   (client "dev", scope admin; also the Bull Board password)
  Try: curl -s -XPOST ${base}/v1/callbacks -H 'authorization: Bearer ${key}' -H 'content-type: application/json' -d '{"account":"sim","phoneNumber":"+12518717081"}'
  Ctrl-C stops the service, Postgres and Redis.
`);
  }
});

let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  if (app.exitCode === null) {
    app.kill('SIGTERM');
    await new Promise((r) => app.once('exit', r));
  }
  await infra.stop();
  process.exit(code);
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));
app.on('exit', (code) => shutdown(code ?? 1));
