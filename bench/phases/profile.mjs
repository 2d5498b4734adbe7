// Where the API's CPU goes under the intake load: a second API process with
// --cpu-prof takes the same load for a few seconds (the profiler slows it, so
// its throughput is not reported), and its samples are summed by owner.
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../../scripts/infra.mjs';
import { createBody, postLoad } from '../lib/load.mjs';
import { startService, stopChild } from '../lib/procs.mjs';
import { resetState } from '../lib/state.mjs';
import { log } from '../lib/stats.mjs';

export async function profilePhase({ cfg, infra, state, headers, accountsFile, env, logDir }) {
  const dir = path.join(logDir, 'cpuprofile');
  fs.mkdirSync(dir, { recursive: true });
  await resetState(state);
  const port = await freePort();
  const spawnedAt = Date.now();
  const api = await startService({ role: 'api', name: 'api-profiled', port, infra, accountsFile, extraEnv: env, logDir, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  const scheduledAt = new Date(Date.now() + 86_400_000).toISOString();
  const url = `http://127.0.0.1:${port}/v1/callbacks`;
  await postLoad({ url, headers, body: () => createBody('intake', { scheduledAt }), connections: cfg.connections, seconds: cfg.warmupS });
  const skipMs = Date.now() - spawnedAt; // boot and warm-up are not counted
  await postLoad({ url, headers, body: () => createBody('intake', { scheduledAt }), connections: cfg.connections, seconds: cfg.profileS });
  await stopChild(api, 20_000, 'SIGINT');
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return null;
  const shares = summarize(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')), skipMs * 1000);
  log(`profile: ${shares.slice(0, 5).map((s) => `${s.owner} ${s.pct.toFixed(0)}%`).join(', ')}`);
  return shares;
}

function owner(frame) {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(idle)') return '(idle)';
  if (url.startsWith('wasm://')) return 'Prisma query compiler (WebAssembly)';
  if (!url && ['writeBuffer', 'writeString', 'writeBuffers'].includes(functionName)) return 'synchronous file writes (pino log lines to stdout)';
  if (!url && ['writev', 'writeUtf8String', 'writeLatin1String'].includes(functionName)) return 'socket writes (HTTP, pg, Redis)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1].startsWith('@prisma/') ? 'Prisma client (JS)' : m[1];
  if (url.includes('/dist/')) return 'service code (dist/)';
  if (url.startsWith('node:')) return 'Node.js internals';
  return 'V8 and native (other)';
}

/** Self time per owner after `skipUs` from the profile's start, as shares of busy (non-idle) time. */
function summarize(profile, skipUs) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byOwner = new Map();
  let t = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (t < skipUs) continue;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const o = owner(nodes.get(profile.samples[i]).callFrame);
    byOwner.set(o, (byOwner.get(o) ?? 0) + dt);
  }
  byOwner.delete('(idle)');
  const busy = [...byOwner.values()].reduce((a, b) => a + b, 0);
  return [...byOwner].map(([o, us]) => ({ owner: o, pct: (us / busy) * 100 })).sort((a, b) => b.pct - a.pct);
}
