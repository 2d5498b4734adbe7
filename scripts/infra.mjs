// Starts PostgreSQL and Redis on loopback from local binaries, for `npm run local`
// and `npm test`. Plain Node with no dependencies: it runs before `npm ci`.
//
// - DATABASE_URL / REDIS_URL set: those servers are used, nothing is started.
// - A binary is missing and we are root: it is installed with apt-get.
// - mode 'test': throwaway data dirs on free ports, fsync off, removed on stop.
// - mode 'local': persistent data under .local/ on fixed ports (54329, 63799).
// startPostgres / startRedis / stopChild are exported for the fault suite
// (test/faults), which stops, wipes and restarts its own servers on fixed ports.
// - mode 'bench': throwaway dirs on free ports like 'test', but with production
//   durability (fsync, synchronous_commit, Redis AOF everysec) so timings are real.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function log(msg) {
  process.stderr.write(`[infra] ${msg}\n`);
}

function which(bin) {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

let aptUpdated = false;
function aptInstall(pkgs) {
  if (!isRoot) throw new Error(`missing ${pkgs.join(', ')}: install them (apt-get install ${pkgs.join(' ')}) or set DATABASE_URL / REDIS_URL`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    log('apt-get update');
    execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
    aptUpdated = true;
  }
  log(`apt-get install ${pkgs.join(' ')}`);
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { stdio: ['ignore', 'ignore', 'inherit'], env });
}

export function pgBinDir() {
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base) ? fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (versions.length) return path.join(base, versions[0], 'bin');
  const initdb = which('initdb');
  return initdb ? path.dirname(initdb) : null;
}

export function ensureBinaries({ needPg, needRedis }) {
  const missing = [];
  if (needPg && !pgBinDir()) missing.push('postgresql');
  if (needRedis && !which('redis-server')) missing.push('redis-server');
  if (missing.length) aptInstall(missing);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function portOpen(port) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    sock.once('connect', () => { sock.destroy(); resolve(true); });
    sock.once('error', () => resolve(false));
  });
}

async function waitFor(check, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms`);
}

// Postgres refuses to run as root: run it as the `postgres` system user then
// (uid/gid on the child itself, so our signals reach the postmaster directly).
function pgUser() {
  if (!isRoot) return {};
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

export async function startPostgres({ dataDir, port, durable }) {
  const bin = pgBinDir();
  fs.mkdirSync(dataDir, { recursive: true });
  if (isRoot) execFileSync('chown', ['-R', 'postgres:postgres', dataDir]);
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    execFileSync(path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      cwd: dataDir,
      ...pgUser(),
    });
  }
  const settings = ['-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dataDir}`, '-c', 'max_connections=300'];
  if (!durable) settings.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const logFile = path.join(path.dirname(dataDir), `postgres-${port}.log`);
  const child = spawn(path.join(bin, 'postgres'), ['-D', dataDir, ...settings], {
    cwd: dataDir,
    stdio: ['ignore', 'ignore', fs.openSync(logFile, 'a')],
    ...pgUser(),
  });
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`postgres exited (${child.exitCode}); see ${path.dirname(dataDir)}/postgres-${port}.log`);
    const r = spawnSync(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres'], { stdio: 'ignore' });
    return r.status === 0;
  }, 'postgres');
  const createdb = spawnSync(path.join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-tAc', "SELECT 1 FROM pg_database WHERE datname='callbacks'"], { encoding: 'utf8' });
  if (createdb.stdout.trim() !== '1') {
    execFileSync(path.join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'callbacks']);
  }
  return { child, url: `postgresql://postgres@127.0.0.1:${port}/callbacks` };
}

export async function startRedis({ dir, port, durable, hz }) {
  fs.mkdirSync(dir, { recursive: true });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--maxmemory-policy', 'noeviction', '--save', ''];
  if (hz) args.push('--hz', String(hz));
  args.push('--appendonly', durable ? 'yes' : 'no');
  const child = spawn('redis-server', args, { stdio: ['ignore', fs.openSync(path.join(dir, 'redis.log'), 'a'), 'inherit'] });
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}); see ${dir}/redis.log`);
    return portOpen(port);
  }, 'redis');
  return { child, url: `redis://127.0.0.1:${port}` };
}

export function stopChild(child, signal) {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode) return resolve();
    const t = setTimeout(() => { try { child.kill('SIGKILL'); } catch {} }, 10_000);
    child.once('exit', () => { clearTimeout(t); resolve(); });
    try { child.kill(signal); } catch { resolve(); }
  });
}

/**
 * Returns { databaseUrl, redisUrl, stop() }. Starts only what the environment
 * does not already provide.
 */
export async function startInfra({ mode }) {
  const persistent = mode === 'local';
  const durable = mode === 'local' || mode === 'bench';
  const givenDb = process.env.DATABASE_URL;
  const givenRedis = process.env.REDIS_URL;
  ensureBinaries({ needPg: !givenDb, needRedis: !givenRedis });

  const base = persistent ? path.join(ROOT, '.local') : fs.mkdtempSync(path.join(os.tmpdir(), `cbo-${mode}-`));
  if (isRoot && !persistent) fs.chmodSync(base, 0o755);
  const started = [];
  const stop = async () => {
    await Promise.all(started.map(({ child, signal }) => stopChild(child, signal)));
    if (!persistent) fs.rmSync(base, { recursive: true, force: true });
  };
  try {
    let databaseUrl = givenDb;
    if (!databaseUrl) {
      const port = persistent ? 54329 : await freePort();
      if (persistent && (await portOpen(port))) {
        log(`postgres already listening on ${port}; reusing it`);
        databaseUrl = `postgresql://postgres@127.0.0.1:${port}/callbacks`;
      } else {
        const pg = await startPostgres({ dataDir: path.join(base, persistent ? 'pgdata' : `pg-${port}`), port, durable });
        started.push({ child: pg.child, signal: 'SIGINT' });
        databaseUrl = pg.url;
        log(`postgres on 127.0.0.1:${port}`);
      }
    }
    let redisUrl = givenRedis;
    if (!redisUrl) {
      const port = persistent ? 63799 : await freePort();
      if (persistent && (await portOpen(port))) {
        log(`redis already listening on ${port}; reusing it`);
        redisUrl = `redis://127.0.0.1:${port}`;
      } else {
        // hz 100: Redis wakes a blocked client whose timeout passed (BullMQ's wait for its next
        // delayed job) only on an event-loop tick, every 1000/hz ms when idle; at the default 10
        // delayed jobs fire up to 100 ms late (docs/BENCHMARKS.md). Tests keep the default.
        const redis = await startRedis({ dir: path.join(base, 'redis'), port, durable, hz: mode === 'test' ? undefined : 100 });
        started.push({ child: redis.child, signal: 'SIGTERM' });
        redisUrl = redis.url;
        log(`redis on 127.0.0.1:${port}`);
      }
    }
    return { databaseUrl, redisUrl, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Installs node_modules when missing or older than the lockfile, and generates the Prisma client. */
export function ensureNodeDeps() {
  const nm = path.join(ROOT, 'node_modules', '.package-lock.json');
  const lock = path.join(ROOT, 'package-lock.json');
  if (!fs.existsSync(nm) || fs.statSync(nm).mtimeMs < fs.statSync(lock).mtimeMs) {
    log('npm ci');
    const ci = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    if (ci.status !== 0) {
      // npm 11 can write a lockfile without other platforms' optional binaries (@swc/core-*, …),
      // which `npm ci` then refuses; `npm install` resolves the same locked versions.
      log('npm ci refused the lockfile; falling back to npm install');
      execFileSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    }
  }
  execFileSync('npm', ['run', '--silent', 'generate'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

export function dockerAvailable() {
  if (!which('docker')) return false;
  return spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

export { ROOT };
