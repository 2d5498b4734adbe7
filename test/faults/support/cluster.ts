/**
 * The fault suite's cluster: every piece a real process on 127.0.0.1 —
 * Postgres and Redis of its own (scripts/infra.mjs, fixed ports so they can be
 * stopped, wiped and started again), the fake vendor (fake-vendor.mjs), and the
 * service built in dist/ as two processes: `ROLE=api` and `ROLE=worker`.
 * Logs go to files under the cluster's temp dir (printed when a scenario fails).
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { useApiKey } from './client';

// scripts/infra.mjs is plain ESM; the faults jest project compiles .mjs to CommonJS.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const infra = require('../../../scripts/infra.mjs') as {
  ensureBinaries(o: { needPg: boolean; needRedis: boolean }): void;
  freePort(): Promise<number>;
  startPostgres(o: { dataDir: string; port: number; durable: boolean }): Promise<{ child: ChildProcess; url: string }>;
  startRedis(o: { dir: string; port: number; durable: boolean }): Promise<{ child: ChildProcess; url: string }>;
  stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void>;
  ROOT: string;
};

export const ROOT = infra.ROOT;
export const ACCOUNT = 'zd-faults';
export const FAKE_TOKEN = 'fault-token';

/** Settings of the service under test (said in docs/RELIABILITY.md). */
export const SUITE_ENV = {
  RECONCILE_INTERVAL_MS: '5000',
  STALE_CLAIM_MS: '10000',
  SHUTDOWN_GRACE_MS: '5000',
  ENQUEUE_TIMEOUT_MS: '1000',
  WORKER_CONCURRENCY: '10',
  WORKER_STALL_MS: '15000',
  // Not under test here: one client sends every request, at any hour of the day.
  THROTTLE_LIMIT: '0',
  CALLING_WINDOW_DEFAULT: 'off',
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Cluster {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cbo-faults-'));
  databaseUrl = '';
  redisUrl = '';
  vendorUrl = '';
  apiUrl = '';
  workerUrl = '';
  db!: Client;
  private pg?: ChildProcess;
  private redis?: ChildProcess;
  private vendor?: ChildProcess;
  api?: ChildProcess;
  worker?: ChildProcess;
  private pgPort = 0;
  private redisPort = 0;
  private apiPort = 0;
  private workerPort = 0;
  private accountsFile = '';

  async start(): Promise<void> {
    if (!fs.existsSync(path.join(ROOT, 'dist', 'main.js'))) throw new Error('dist/main.js is missing: run `npm run build` (npm run test:faults does)');
    infra.ensureBinaries({ needPg: true, needRedis: true });
    if (typeof process.getuid === 'function' && process.getuid() === 0) fs.chmodSync(this.dir, 0o755);
    [this.pgPort, this.redisPort, this.apiPort, this.workerPort] = await Promise.all([infra.freePort(), infra.freePort(), infra.freePort(), infra.freePort()]);
    await this.startPostgres();
    await this.startRedis();
    await this.startVendor();
    this.accountsFile = path.join(this.dir, 'accounts.yaml');
    fs.writeFileSync(
      this.accountsFile,
      `accounts:
  - id: ${ACCOUNT}
    vendor: zendesk
    baseUrl: ${this.vendorUrl}
    rateLimit: { max: 100000, windowMs: 1000 }
    retry: { attempts: 12, backoffMs: 500, maxBackoffMs: 4000 }
    unknownOutcomePolicy: resend
    zendesk: { email: ops@acme.example, apiTokenEnv: ZD_FAULT_TOKEN, defaultPhoneNumberId: 1001, timeoutMs: 2000, verifyPhoneNumber: false }
`,
    );
    const migrate = spawnSync(process.execPath, ['dist/main.js', 'migrate'], { cwd: ROOT, env: this.env('api', 0), encoding: 'utf8' });
    if (migrate.status !== 0) throw new Error(`migrate failed: ${migrate.stderr}`);
    const key = spawnSync(process.execPath, ['dist/main.js', 'keys', 'create', '--client', 'faults', '--scopes', 'callbacks:read,callbacks:write'], {
      cwd: ROOT,
      env: this.env('api', 0),
      encoding: 'utf8',
    });
    if (key.status !== 0) throw new Error(`keys create failed: ${key.stderr}`);
    useApiKey(JSON.parse(key.stdout).key);
    this.db = new Client({ connectionString: this.databaseUrl });
    this.db.on('error', () => undefined); // Postgres restarts are part of the suite
    await this.db.connect();
    await this.startApi();
    await this.startWorker();
  }

  private env(role: 'api' | 'worker', port: number): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      ROLE: role,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: this.redisUrl,
      QUEUE_PREFIX: 'faults',
      ACCOUNTS_FILE: this.accountsFile,
      ZD_FAULT_TOKEN: FAKE_TOKEN,
      ALLOW_INSECURE_VENDOR_URLS: 'true',
      MIGRATE_ON_BOOT: 'false',
      LOG_LEVEL: 'info',
      ...SUITE_ENV,
    };
  }

  private async startNode(role: 'api' | 'worker', port: number): Promise<ChildProcess> {
    const log = fs.openSync(path.join(this.dir, `${role}.log`), 'a');
    const child = spawn(process.execPath, ['dist/main.js'], { cwd: ROOT, env: this.env(role, port), stdio: ['ignore', log, log] });
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${role} exited with ${child.exitCode}; see ${this.dir}/${role}.log`);
      const ok = await fetch(`${url}/health/live`).then((r) => r.ok, () => false);
      if (ok) return child;
      if (Date.now() > deadline) throw new Error(`${role} did not come up; see ${this.dir}/${role}.log`);
      await sleep(200);
    }
  }

  async startApi(): Promise<void> {
    this.api = await this.startNode('api', this.apiPort);
    this.apiUrl = `http://127.0.0.1:${this.apiPort}`;
  }

  async startWorker(): Promise<void> {
    this.worker = await this.startNode('worker', this.workerPort);
    this.workerUrl = `http://127.0.0.1:${this.workerPort}`;
  }

  /** Signals the worker and resolves when it has exited, with how long that took. */
  async signalWorker(signal: NodeJS.Signals): Promise<{ exitedAfterMs: number; code: number | null; signal: string | null }> {
    const w = this.worker!;
    const t0 = Date.now();
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => w.once('exit', (code, sig) => resolve({ code, signal: sig })));
    w.kill(signal);
    const r = await exited;
    this.worker = undefined;
    return { exitedAfterMs: Date.now() - t0, ...r };
  }

  private async startPostgres(): Promise<void> {
    // Durable (fsync and synchronous_commit on, as in production): with synchronous_commit=off a
    // crash loses commits Postgres already acknowledged — the suite caught exactly that.
    const pg = await infra.startPostgres({ dataDir: path.join(this.dir, 'pgdata'), port: this.pgPort, durable: true });
    this.pg = pg.child;
    this.databaseUrl = pg.url;
  }

  private async startRedis(): Promise<void> {
    // AOF on, as in compose/helm: a Redis that goes down and comes back keeps its jobs.
    const r = await infra.startRedis({ dir: path.join(this.dir, 'redis'), port: this.redisPort, durable: true });
    this.redis = r.child;
    this.redisUrl = r.url;
  }

  /** Redis down (SIGKILL: a crash) for downMs, optionally with its data wiped, then up on the same port. */
  async restartRedis(opts: { downMs: number; wipe: boolean }): Promise<void> {
    await infra.stopChild(this.redis!, 'SIGKILL');
    if (opts.wipe) fs.rmSync(path.join(this.dir, 'redis'), { recursive: true, force: true });
    await sleep(opts.downMs);
    await this.startRedis();
  }

  /** Postgres stopped the way a crash looks (immediate shutdown, SIGQUIT) for downMs, then started again. */
  async restartPostgres(opts: { downMs: number }): Promise<void> {
    await infra.stopChild(this.pg!, 'SIGQUIT');
    await sleep(opts.downMs);
    await this.startPostgres();
    await this.db.end().catch(() => undefined);
    this.db = new Client({ connectionString: this.databaseUrl });
    this.db.on('error', () => undefined);
    await this.db.connect();
  }

  private async startVendor(): Promise<void> {
    const child = spawn(process.execPath, [path.join(ROOT, 'test/faults/support/fake-vendor.mjs')], {
      env: { PATH: process.env.PATH, FAKE_TOKEN },
      stdio: ['ignore', 'pipe', fs.openSync(path.join(this.dir, 'vendor.log'), 'a')],
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('exit', (c) => reject(new Error(`fake vendor exited with ${c}`)));
      child.stdout!.once('data', (d: Buffer) => resolve(JSON.parse(d.toString().split('\n')[0]).port));
    });
    this.vendor = child;
    this.vendorUrl = `http://127.0.0.1:${port}`;
  }

  async vendorMode(mode: 'ok' | '500' | '429' | 'timeout', opts: { delayMs?: number; retryAfterS?: number } = {}): Promise<void> {
    await fetch(`${this.vendorUrl}/__control`, { method: 'POST', body: JSON.stringify({ mode, ...opts }) });
  }

  async vendorRequests(): Promise<Array<{ at: number; phone: string; mode: string; created: boolean }>> {
    return (await (await fetch(`${this.vendorUrl}/__requests`)).json()) as Array<{ at: number; phone: string; mode: string; created: boolean }>;
  }

  /** Jobs the account's queue holds that are still to run (delayed, waiting, active). */
  async pendingJobs(): Promise<number> {
    const q = new Queue(`dispatch-${ACCOUNT}`, { connection: { url: this.redisUrl, maxRetriesPerRequest: 1 }, prefix: 'faults' });
    q.on('error', () => undefined);
    try {
      const n = await q.getJobCounts('delayed', 'waiting', 'active', 'prioritized');
      return Object.values(n).reduce((a, b) => a + b, 0);
    } finally {
      await q.close().catch(() => undefined);
    }
  }

  /** The last lines of a process log, for failure messages. */
  tail(name: 'api' | 'worker' | 'vendor', lines = 30): string {
    const f = path.join(this.dir, `${name}.log`);
    return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').slice(-lines).join('\n') : '';
  }

  async stop(): Promise<void> {
    await this.db?.end().catch(() => undefined);
    const kids: Array<[ChildProcess | undefined, NodeJS.Signals]> = [[this.worker, 'SIGTERM'], [this.api, 'SIGTERM'], [this.vendor, 'SIGTERM']];
    await Promise.all(kids.map(([c, s]) => (c ? infra.stopChild(c, s) : undefined)));
    await Promise.all([this.redis && infra.stopChild(this.redis, 'SIGTERM'), this.pg && infra.stopChild(this.pg, 'SIGINT')]);
    if (!process.env.FAULTS_KEEP_DIR) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
