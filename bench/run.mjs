// `npm run bench`: installs and builds what is missing, starts a throwaway
// Postgres and Redis (scripts/infra.mjs, mode 'bench': production durability),
// runs the service as real processes (`node dist/main.js`, ROLE=api and
// ROLE=worker), drives load from this process, and writes docs/BENCHMARKS.md
// and bench/results.json. BENCH_QUICK=1 runs every phase at small sizes (for
// development; its numbers are not published unless BENCH_WRITE=1).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureNodeDeps, freePort, startInfra, ROOT } from '../scripts/infra.mjs';
import { benchAuthHeaders } from './lib/auth.mjs';
import { createBody, fixedRateLoad, medianRun } from './lib/load.mjs';
import { peakRssMb, rssMb, startService, stopAll, stopChild } from './lib/procs.mjs';
import { writeReport } from './lib/report.mjs';
import { connect, resetState, serverFacts } from './lib/state.mjs';
import { log } from './lib/stats.mjs';
import { startZendeskFake } from './lib/zendesk.mjs';
import { dispatchPhase } from './phases/dispatch.mjs';
import { intakePhase } from './phases/intake.mjs';
import { profilePhase } from './phases/profile.mjs';
import { rateLimitPhase, ZD_ACCOUNT } from './phases/rate-limit.mjs';
import { scalePhase } from './phases/scale.mjs';

const quick = process.env.BENCH_QUICK === '1';
const workerConcurrency = Number(process.env.BENCH_WORKER_CONCURRENCY || 10);
const cfg = {
  quick,
  warmupS: quick ? 1 : 3,
  intakeS: quick ? 3 : 8,
  intakeRounds: 2,
  connections: 32,
  fixedRate: 500,
  fixedRateConnections: 50,
  dispatchCount: quick ? 1_000 : 10_000,
  drainTimeoutS: quick ? 30 : 120,
  workerConcurrency,
  rateLimit: quick ? { max: 10, windowMs: 1_000, windows: 3 } : { max: 30, windowMs: 3_000, windows: 5 },
  scaleCount: quick ? 20_000 : 1_000_000,
  scaleCreateRate: 200,
  scaleCreateS: quick ? 2 : 5,
  profileS: quick ? 3 : 8,
};

const RAW = path.join(ROOT, 'bench', '.build', 'last-run.json');
if (process.argv.includes('--report-only')) {
  // Re-renders the report from the last run's raw figures (for working on the report's text).
  const raw = JSON.parse(fs.readFileSync(RAW, 'utf8'));
  const out = writeReport({ ...raw, startedAt: new Date(raw.startedAt), finishedAt: new Date(raw.finishedAt) });
  log(`wrote ${out.join(', ')}`);
  process.exit(0);
}

const startedAt = new Date();
const loadAtStart = os.loadavg();
ensureNodeDeps();
log('building (tsc -p tsconfig.json)');
if (spawnSync('npx', ['--no-install', 'tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' }).status !== 0) process.exit(1);

const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cbo-bench-logs-'));
const infra = await startInfra({ mode: 'bench' });
let zd;
let state;
const cleanup = async () => {
  await stopAll();
  await zd?.fake.stop().catch(() => undefined);
  await state?.close().catch(() => undefined);
  await infra.stop();
};
process.on('SIGINT', () => cleanup().then(() => process.exit(130)));
process.on('SIGTERM', () => cleanup().then(() => process.exit(143)));

let exitCode = 0;
try {
  state = await connect(infra);
  zd = await startZendeskFake({ max: cfg.rateLimit.max, windowMs: cfg.rateLimit.windowMs });
  const accountsFile = path.join(logDir, 'accounts.yaml');
  fs.writeFileSync(accountsFile, `accounts:
  - id: ${ZD_ACCOUNT}
    vendor: zendesk
    baseUrl: ${zd.fake.baseUrl}
    rateLimit: { max: ${cfg.rateLimit.max}, windowMs: ${cfg.rateLimit.windowMs} }
    retry: { attempts: 5, backoffMs: 100, maxBackoffMs: 1000, maxAgeMs: 600000 }
    zendesk: { email: ${zd.email}, apiTokenEnv: ZD_BENCH_TOKEN, defaultPhoneNumberId: 1001, timeoutMs: 2000 }
`);
  const env = { ZD_BENCH_TOKEN: zd.token, WORKER_CONCURRENCY: String(workerConcurrency) };

  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const api = await startService({ role: 'api', port: apiPort, infra, accountsFile, extraEnv: env, logDir });
  const apiIdleRssMb = rssMb(api.pid);
  const headers = await benchAuthHeaders({ apiUrl, databaseUrl: infra.databaseUrl });
  const facts = await serverFacts(state);
  const ctx = { cfg, infra, state, apiUrl, api, headers, logDir, accountsFile, env };

  log('phase 1: intake');
  const intake = await intakePhase(ctx);

  log('create latency on empty tables (reference for the scale phase)');
  await resetState(state);
  const emptyCreate = await medianRun(3, () => fixedRateLoad({ url: `${apiUrl}/v1/callbacks`, headers, body: () => createBody('empty', { scheduledAt: new Date(Date.now() + 86_400_000).toISOString() }), connections: cfg.fixedRateConnections, seconds: cfg.scaleCreateS, rate: cfg.scaleCreateRate }));
  log(`empty: p50 ${emptyCreate.p50Ms.toFixed(1)} ms, p99 ${emptyCreate.p99Ms.toFixed(1)} ms (p99 of the runs ${emptyCreate.p99Runs.map((v) => v.toFixed(0)).join(', ')})`);

  log('CPU profile of the API under intake load');
  const profile = await profilePhase(ctx);

  await resetState(state);
  const workerPort = await freePort();
  // BENCH_PROFILE_WORKER=1: the worker runs with --cpu-prof (slower; for finding where dispatch time goes, not for the report).
  const workerArgs = process.env.BENCH_PROFILE_WORKER === '1' ? ['--cpu-prof', `--cpu-prof-dir=${path.join(logDir, 'cpuprofile-worker')}`] : [];
  const worker = await startService({ role: 'worker', port: workerPort, infra, accountsFile, extraEnv: env, logDir, nodeArgs: workerArgs });
  log('phase 2: dispatch timeliness');
  const dispatch = await dispatchPhase({ ...ctx, intakeReqPerSec: intake.ours.reqPerSec });
  log('phase 3: rate-limit fidelity');
  const rateLimit = await rateLimitPhase({ ...ctx, fake: zd.fake });
  const workerRssMb = peakRssMb(worker.pid);
  log(`worker peak RSS ${workerRssMb.toFixed(0)} MB`);
  await stopChild(worker);

  log('phase 4: scale');
  const scale = await scalePhase(ctx);

  const finishedAt = new Date();
  const raw = {
    cfg, facts, startedAt, finishedAt, loadAtStart, loadAtEnd: os.loadavg(),
    intake, emptyCreate, dispatch, rateLimit, scale, profile, memory: { apiRssMb: intake.apiRssMb, apiIdleRssMb, workerRssMb },
    publish: !quick || process.env.BENCH_WRITE === '1',
  };
  fs.mkdirSync(path.dirname(RAW), { recursive: true });
  fs.writeFileSync(RAW, JSON.stringify(raw));
  const out = writeReport(raw);
  log(`done in ${((finishedAt - startedAt) / 1000).toFixed(0)} s; wrote ${out.join(', ')}`);
  if (process.env.BENCH_KEEP_LOGS === '1') log(`process logs and the CPU profile kept in ${logDir}`);
  else fs.rmSync(logDir, { recursive: true, force: true });
} catch (err) {
  log(`failed: ${err?.stack ?? err}`);
  log(`process logs: ${logDir}`);
  exitCode = 1;
} finally {
  await cleanup();
}
process.exit(exitCode);
