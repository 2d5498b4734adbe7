// Child processes under test: the service as `node dist/main.js` per role, the
// bare baseline server, the bare BullMQ worker. Each writes its output to a log
// file in the run's temp dir; RSS is read from /proc/<pid>/status.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../scripts/infra.mjs';
import { log, sleep } from './stats.mjs';

const running = new Set();

/** Starts `node <script>` with env; resolves once GET <readyUrl> answers 200. */
export async function startNode({ name, script, args = [], nodeArgs = [], env, readyUrl, logDir, timeoutMs = 120_000 }) {
  const out = fs.openSync(path.join(logDir, `${name}.log`), 'a');
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', out, out] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const deadline = Date.now() + timeoutMs;
  if (readyUrl) {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}; see ${path.join(logDir, `${name}.log`)}`);
      if (Date.now() > deadline) throw new Error(`${name} not ready within ${timeoutMs} ms`);
      try {
        const res = await fetch(readyUrl);
        if (res.ok) break;
      } catch {
        /* not listening yet */
      }
      await sleep(200);
    }
  }
  log(`${name} started (pid ${child.pid})`);
  return child;
}

/** The service in one role, as it runs in production: `node dist/main.js`. */
export function startService({ role, port, infra, accountsFile, extraEnv = {}, logDir, name = role, nodeArgs = [] }) {
  return startNode({
    name,
    nodeArgs,
    script: 'dist/main.js',
    logDir,
    readyUrl: `http://127.0.0.1:${port}/health/live`,
    env: {
      ROLE: role,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: infra.databaseUrl,
      REDIS_URL: infra.redisUrl,
      ACCOUNTS_FILE: accountsFile,
      ALLOW_INSECURE_VENDOR_URLS: 'true',
      MIGRATE_ON_BOOT: 'true',
      NODE_ENV: 'production',
      // One client sends every request, at any hour: the per-client throttle and the
      // callee calling window are not what is measured.
      THROTTLE_LIMIT: '0',
      CALLING_WINDOW_DEFAULT: 'off',
      ...extraEnv,
    },
  });
}

/** Peak resident set size (VmHWM) of a live process, in MB. */
export function peakRssMb(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** Current resident set size (VmRSS), in MB. */
export function rssMb(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN) / 1024;
}

export async function stopChild(child, graceMs = 15_000, signal = 'SIGTERM') {
  if (!child || child.exitCode !== null || child.signalCode) return;
  await new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill(signal);
  });
}

/** Stops every child this bench started (on the way out, including after an error). */
export async function stopAll() {
  await Promise.all([...running].map((c) => stopChild(c, 5_000)));
}
