// Writes bench/results.json (the issue's keys, numbers only, for comparing runs)
// and docs/BENCHMARKS.md (machine, every result beside its target, misses explained).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../../scripts/infra.mjs';
import { round } from './stats.mjs';
import { explainMisses, METHOD } from './report-text.mjs';

export function results(r) {
  return {
    intake: {
      reqPerSec: round(r.intake.ours.reqPerSec),
      baselineReqPerSec: round(r.intake.base.reqPerSec),
      ratio: round(r.intake.ours.reqPerSec / r.intake.base.reqPerSec, 3),
      p99MsAt500rps: round(r.intake.fixed.p99Ms),
    },
    dispatch: {
      latenessP50Ms: round(r.dispatch.ours.p50Ms),
      latenessP99Ms: round(r.dispatch.ours.p99Ms),
      bullmqLatenessP99Ms: round(r.dispatch.bare.p99Ms),
    },
    rateLimit: { utilization: round(r.rateLimit.utilization, 3), violations: r.rateLimit.violations },
    scale: {
      redisBytesPerIntent: Math.round(r.scale.redisBytesPerIntent),
      createP99Ratio1M: round(r.scale.create.p99Ms / r.emptyCreate.p99Ms, 2),
    },
    memory: { apiRssMb: round(r.memory.apiRssMb), workerRssMb: round(r.memory.workerRssMb) },
  };
}

const yes = (ok) => (ok ? '✅ met' : '❌ **missed**');

export function writeReport(r) {
  const res = results(r);
  const dir = r.publish ? ROOT : path.join(ROOT, 'bench', '.build');
  fs.mkdirSync(path.join(dir, 'docs'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'bench'), { recursive: true });
  const jsonPath = path.join(dir, 'bench', 'results.json');
  const mdPath = path.join(dir, 'docs', 'BENCHMARKS.md');
  fs.writeFileSync(jsonPath, `${JSON.stringify(res, null, 2)}\n`);
  fs.writeFileSync(mdPath, markdown(r, res));
  return [jsonPath, mdPath].map((p) => path.relative(ROOT, p));
}

function markdown(r, res) {
  const { cfg, facts, intake, dispatch, rateLimit, scale, emptyCreate } = r;
  const cores = os.cpus().length;
  const shared = r.loadAtStart[0] > 0.3 * cores;
  const ms = (v) => `${round(v, 1)} ms`;
  const t = {
    ratio: res.intake.ratio >= 0.6,
    p99At500: intake.fixed.p99Ms <= 25 && intake.fixed.reqPerSec >= 0.95 * cfg.fixedRate,
    lateP99: res.dispatch.latenessP99Ms <= 50,
    lateVsBare: res.dispatch.latenessP99Ms <= 2 * Math.max(res.dispatch.bullmqLatenessP99Ms, 1),
    allDispatched: dispatch.ours.dispatched === dispatch.ours.expected,
    util: rateLimit.utilization >= 0.95,
    violations: rateLimit.violations === 0,
    bytes: res.scale.redisBytesPerIntent <= 1536,
    p99Ratio: res.scale.createP99Ratio1M <= 1.5,
    apiRss: res.memory.apiRssMb <= 200,
  };
  const rows = [
    ['Intake', `create throughput, API role, ${cfg.connections} connections (mean of ${cfg.intakeRounds} × ${cfg.intakeS} s)`, `${round(intake.ours.reqPerSec)} req/s (runs ${intake.ours.runs.map((v) => round(v, 0)).join(', ')}; p50 ${ms(intake.ours.p50Ms)}, p99 ${ms(intake.ours.p99Ms)})`, '—', ''],
    ['Intake', `baseline (bare Fastify + pg + BullMQ), same rounds, alternating`, `${round(intake.base.reqPerSec)} req/s (runs ${intake.base.runs.map((v) => round(v, 0)).join(', ')}; p50 ${ms(intake.base.p50Ms)}, p99 ${ms(intake.base.p99Ms)})`, '—', ''],
    ['Intake', 'ratio ours / baseline', `${res.intake.ratio}`, '≥ 0.60', yes(t.ratio)],
    ['Intake', `p99 at a fixed ${cfg.fixedRate} req/s`, `${ms(intake.fixed.p99Ms)} (p50 ${ms(intake.fixed.p50Ms)}; achieved ${round(intake.fixed.reqPerSec)} req/s)`, '≤ 25 ms at 500 req/s', yes(t.p99At500)],
    ['Intake', `baseline p99 at a fixed ${cfg.fixedRate} req/s`, `${ms(intake.baseFixed.p99Ms)} (p50 ${ms(intake.baseFixed.p50Ms)})`, '—', ''],
    ['Dispatch', `lateness of ${dispatch.ours.expected} intents due in one 10 s span: p50`, ms(dispatch.ours.p50Ms), '—', ''],
    ['Dispatch', 'lateness p99 / max', `${ms(dispatch.ours.p99Ms)} / ${ms(dispatch.ours.maxMs)} (${dispatch.ours.dispatched} of ${dispatch.ours.expected} started${dispatch.ours.createdBeforeFirstDue ? '' : '; **creation overran the first due time**'})`, '≤ 50 ms', yes(t.lateP99 && t.allDispatched)],
    ['Dispatch', 'worker dispatch rate during the burst; retried attempts', `${round(dispatch.ours.ratePerSec)} /s (the burst needs ${dispatch.ours.expected / 10} /s); ${dispatch.ours.extraAttempts} retries`, '—', ''],
    ['Dispatch', 'bare BullMQ no-op lateness p50 / p99 / max (the limit)', `${ms(dispatch.bare.p50Ms)} / ${ms(dispatch.bare.p99Ms)} / ${ms(dispatch.bare.maxMs)}`, '—', ''],
    ...(dispatch.bareAtHz10 ? [['Dispatch', "bare BullMQ at Redis's default hz 10: p50 / p99 / max", `${ms(dispatch.bareAtHz10.p50Ms)} / ${ms(dispatch.bareAtHz10.p99Ms)} / ${ms(dispatch.bareAtHz10.maxMs)}`, '—', '']] : []),
    ['Dispatch', 'ours p99 / bare BullMQ p99', `${round(dispatch.ours.p99Ms / Math.max(dispatch.bare.p99Ms, 1), 1)}×`, '≤ 2×', yes(t.lateVsBare)],
    ['Rate limit', `allowance used in a backlog of ${rateLimit.backlog} at ${rateLimit.max} per ${rateLimit.windowMs} ms`, `${round(rateLimit.utilization * 100, 1)} % (${rateLimit.hops} windows' worth of calls in ${rateLimit.tookMs} ms; ideal ${rateLimit.idealMs} ms)`, '≥ 95 %', yes(t.util)],
    ['Rate limit', 'limit violations (429s from the fake Zendesk)', `${rateLimit.violations} (busiest rolling window: ${rateLimit.busiestWindow} calls)`, '0', yes(t.violations)],
    ['Scale', `Redis per scheduled intent (${scale.delayed.toLocaleString('en')} delayed jobs)`, `${res.scale.redisBytesPerIntent} bytes`, '≤ 1.5 KB (1536 bytes)', yes(t.bytes)],
    ['Scale', `create p99 at a steady ${cfg.scaleCreateRate} req/s, ${scale.count.toLocaleString('en')} rows vs empty (median of 3 runs of ${cfg.scaleCreateS} s)`, `${ms(scale.create.p99Ms)} vs ${ms(emptyCreate.p99Ms)} = ${res.scale.createP99Ratio1M}× (runs: ${scale.create.p99Runs.map((v) => round(v)).join(', ')} vs ${emptyCreate.p99Runs.map((v) => round(v)).join(', ')} ms; p50 ${ms(scale.create.p50Ms)} vs ${ms(emptyCreate.p50Ms)})`, '≤ 1.5×', yes(t.p99Ratio)],
    ['Scale', `reconciler scan (first page of ${scale.reconciler.inWindow} intents due within ${scale.reconciler.lookaheadMs / 60_000} min)`, `${ms(scale.reconciler.scanMs)} query; full pass ${ms(scale.reconciler.passMs)}`, '—', ''],
    ['Memory', 'API peak RSS (VmHWM) after the intake load', `${res.memory.apiRssMb} MB (${round(r.memory.apiIdleRssMb)} MB right after boot; V8 heap after the load ${round(intake.heap.usedMb)} MB used of ${round(intake.heap.totalMb)} MB, external ${round(intake.heap.externalMb)} MB)`, '≤ 200 MB', yes(t.apiRss)],
    ['Memory', 'worker peak RSS (VmHWM) after dispatch and rate-limit phases', `${res.memory.workerRssMb} MB`, '—', ''],
  ];
  const misses = explainMisses(r, res, t);
  const verdicts = rows.filter((row) => row[4]).map((row) => row[4].includes('met') && !row[4].includes('missed'));
  return `# Benchmarks

Generated by \`npm run bench\`${cfg.quick ? ' (**BENCH_QUICK=1: small sizes, not comparable**)' : ''} on ${r.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC; the run took ${Math.round((r.finishedAt - r.startedAt) / 1000)} s.
The figures are also in [bench/results.json](../bench/results.json). How to run: see the README's *Benchmarks* section.

## Machine

| | |
|---|---|
| CPU | ${cores} cores, ${os.cpus()[0]?.model ?? 'unknown'} |
| Memory | ${round(os.totalmem() / 2 ** 30, 1)} GiB |
| Node | ${process.version} |
| PostgreSQL | ${facts.pgVersion} (fsync ${facts.pgSettings.fsync}, synchronous_commit ${facts.pgSettings.synchronous_commit}, shared_buffers ${facts.pgSettings.shared_buffers} × 8 kB) |
| Redis | ${facts.redisVersion} (hz ${facts.redisHz}, AOF ${facts.redisAof}, maxmemory-policy noeviction) |
| Load average (1 min) | ${round(r.loadAtStart[0], 2)} at start, ${round(r.loadAtEnd[0], 2)} at end |

${shared ? `**This run happened on a shared machine**: the load average was already ${round(r.loadAtStart[0], 2)} on ${cores} cores when it started (other people's builds and tests). Load generator, service, Postgres and Redis also share the same ${cores} cores. Absolute numbers are therefore pessimistic and noisy; the ratios against the baselines, measured minutes apart in the same run, are the more stable figures.` : `Load generator, service, Postgres and Redis share the same ${cores} cores.`}

Service settings: defaults (\`LOG_LEVEL=info\` to a file, \`WORKER_CONCURRENCY=${cfg.workerConcurrency}\`, the service's pg pool of 20 connections (\`src/database/prisma.service.ts\`); the baseline's pool has 10).

## Results against targets

${verdicts.filter(Boolean).length} of ${verdicts.length} targets met in this run.

| Area | Measure | Result | Target | |
|---|---|---|---|---|
${rows.map((row) => `| ${row.join(' | ')} |`).join('\n')}

## Where a target is missed, and why

${misses.length ? misses.map((m) => `- ${m}`).join('\n') : 'Every target was met in this run.'}

## Where the API's CPU goes under intake load

${r.profile ? `Self time by owner in a separate ${cfg.profileS} s run of the same intake load against an API started with \`--cpu-prof\` (boot and warm-up excluded; shares of busy time, idle excluded):

| Owner | Share |
|---|---|
${r.profile.slice(0, 12).map((p) => `| ${p.owner} | ${round(p.pct, 1)} % |`).join('\n')}
` : 'No profile was written.'}

## How each figure is measured

${METHOD(cfg)}
`;
}
