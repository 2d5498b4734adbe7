// The prose of docs/BENCHMARKS.md: how each figure is measured, and why a
// missed target was missed (worded from the run's own numbers).
import os from 'node:os';
import { round } from './stats.mjs';

export const METHOD = (cfg) => `- **Setup.** \`scripts/infra.mjs\` in \`bench\` mode starts a throwaway Postgres and Redis on free loopback ports with
  production durability (Postgres fsync and synchronous_commit on; Redis AOF, fsync every second). The service is built
  (\`tsc\`) and runs as \`node dist/main.js\` with \`ROLE=api\` and, from phase 2, \`ROLE=worker\`. autocannon drives load from
  the bench process (\`bench/run.mjs\`), a separate process from everything it measures. Tables and Redis are emptied
  between measurements.
- **Intake.** \`POST /v1/callbacks\` for the \`sim\` account, a unique phone number per request, \`scheduledAt\` one day ahead
  (so each create is a row plus a delayed job). Throughput: ${cfg.intakeRounds} alternating rounds of ${cfg.warmupS} s warm-up and
  ${cfg.intakeS} s at ${cfg.connections} connections (autocannon, closed loop) for the baseline and for the API role; the figures are
  the means. The baseline (\`bench/baseline/server.mjs\`, its own process) is bare Fastify, one pg
  \`INSERT … ON CONFLICT DO NOTHING\`, one BullMQ \`add\` with the same job options: no validation, no Prisma, no logging.
  Then ${cfg.intakeS} s at a steady ${cfg.fixedRate} req/s for the p99, for both. Fixed-rate figures come from an open-loop sender
  in the bench process (\`fixedRateLoad\` in \`bench/lib/load.mjs\`, undici, up to ${cfg.fixedRateConnections} requests in flight): one
  request every ${1000 / cfg.fixedRate} ms, latency counted from each request's scheduled time, so a server that falls behind
  shows its queue. autocannon's \`overallRate\` is not used for this: it sends each second's requests back to back at the
  start of the second, which measures a burst of ${cfg.fixedRate}, not a rate.
- **CPU profile.** A second API process started with \`--cpu-prof\` takes the same closed-loop intake load for
  ${cfg.profileS} s after a warm-up; self time is summed per package (Prisma's WebAssembly query compiler and synchronous
  log writes separately).
- **Dispatch timeliness.** ${cfg.dispatchCount} intents for \`sim\`, created through the API before any is due, due times spread
  evenly over the same 10 s. Lateness = the first attempt's \`started_at\` − the intent's \`due_at\`, read from Postgres (the
  worker stamps \`started_at\` after reading and claiming the intent). The limit: the same spread of ${cfg.dispatchCount} bare
  BullMQ delayed jobs on the same Redis, consumed by a no-op processor at the same concurrency in its own process
  (\`bench/baseline/bullmq-noop.mjs\`), lateness = processor start − (job timestamp + delay).
  Redis runs with \`hz 100\` (set by \`scripts/infra.mjs\` for bench and local runs, and in docker-compose), not the
  default 10: a BullMQ worker waits for its next delayed job in a blocking call with a timeout, and Redis wakes a
  blocked client whose timeout has passed only when its event loop next runs, on an idle server its timer tick
  every 1000/hz ms. At hz 10 delayed jobs fire up to about 100 ms late; the bare runs at both settings show it.
  hz 100 costs Redis a little idle CPU.
- **Rate-limit fidelity.** A Zendesk account whose rolling-window limit is scaled down to ${cfg.rateLimit.max} per
  ${cfg.rateLimit.windowMs} ms, pointed at the project's fake Zendesk (\`test/fakes/zendesk.fake.ts\`, run in the bench
  process) enforcing the same rolling window and answering 429 past it. A backlog of ${cfg.rateLimit.max * (cfg.rateLimit.windows + 2)}
  intents is created at once. Under a backlog a perfect limiter sends call k + max exactly one window after call k, so
  the last call should come j windows after the call j × max before it; utilization = j × window ÷ the time that
  actually took (every millisecond lost freeing and re-using slots lowers it). Violations = requests the fake refused.
- **Scale.** ${cfg.scaleCount.toLocaleString('en')} scheduled intents inserted with one \`INSERT … SELECT generate_series\`
  (due evenly over 90 days from 10 minutes ahead), then the same jobs added to Redis through the service's own
  \`DispatchQueues\` and \`dispatchJobOptions\` (\`addBulk\`, 1,000 per call). Bytes per intent = the change in Redis
  \`used_memory\` ÷ jobs. Create p99 at a steady ${cfg.scaleCreateRate} req/s (median of three ${cfg.scaleCreateS} s runs) is measured on empty tables
  (after the intake phase) and again at full size, once the bulk load has settled (\`VACUUM ANALYZE\`, \`CHECKPOINT\`, and
  Redis's AOF rewrite finished: a real table reaches that size over weeks, vacuumed and checkpointed on the way). The reconciler figures come from the service's own \`Reconciler\` and
  \`CallbacksRepository\` (a Nest context of the worker role built from \`dist/\`): the scan query is the first page of
  scheduled intents due within the look-ahead (median of 5), the full pass is \`runOnce()\` (stale claims, every intent in
  the window checked against Redis, idempotency purge).
- **Memory.** Peak resident set size (\`VmHWM\` from \`/proc/<pid>/status\`) of the API process right after the intake
  phase, and of the worker process after the dispatch and rate-limit phases (the worker takes no part in intake).`;

export function explainMisses(r, res, t) {
  const { cfg, intake, dispatch, rateLimit, scale, emptyCreate, profile } = r;
  const cores = os.cpus().length;
  const share = (pred) => round((profile ?? []).filter((p) => pred(p.owner)).reduce((a, p) => a + p.pct, 0));
  const prisma = share((o) => o.startsWith('Prisma'));
  const logs = share((o) => o.startsWith('synchronous file writes'));
  const validation = share((o) => ['class-validator', 'class-transformer', 'libphonenumber-js'].includes(o));
  const nest = share((o) => o.startsWith('@nestjs/'));
  const out = [];
  if (!t.ratio) {
    out.push(`**Intake ratio ${res.intake.ratio} (target ≥ 0.60).** The baseline does one INSERT and one BullMQ add per request. The service does
      the same two writes (the insert is one \`INSERT … ON CONFLICT DO NOTHING RETURNING\` with no transaction, as in the baseline) and adds
      what makes it a service: the API-key check, DTO validation (class-validator, libphonenumber's full metadata), account, routing and
      calling-window checks, the response view, a pino request log line and Prometheus histograms. ${profile ? `The CPU profile below puts Prisma's client at ${prisma} % of the API's busy time, validation and transformation at ${validation} %, synchronous log writes at ${logs} % and Nest itself at ${nest} %; no single cost dominates any more. ` : ''}The API is CPU-bound here: the load generator, Postgres and Redis share the same ${cores} cores,
      so extra CPU per request is lost throughput one for one.`.replace(/\n\s+/g, ' '));
  }
  if (!t.p99At500) {
    const achieved = intake.fixed.reqPerSec < 0.95 * cfg.fixedRate;
    const runs = intake.ours.runs ?? [intake.ours.reqPerSec];
    const capacity = `its closed-loop throughput in this run was ${runs.map((v) => round(v, 0)).join(' and ')} req/s`;
    out.push(`**p99 at ${cfg.fixedRate} req/s: ${round(intake.fixed.p99Ms, 1)} ms (target ≤ 25 ms; the baseline's p99 at the same rate: ${round(intake.baseFixed.p99Ms, 1)} ms).** ${achieved
      ? `The API did not keep up with ${cfg.fixedRate} req/s (it answered ${round(intake.fixed.reqPerSec)} req/s); ${capacity}. So close to capacity, any slowdown (garbage collection, other load on the ${cores} cores) builds a queue that drains only at the spare capacity, and the p99 measures that queue.`
      : `${cfg.fixedRate} req/s is ${round((cfg.fixedRate / intake.ours.reqPerSec) * 100)} % of the API's capacity here (${capacity}). At that utilization a request often waits behind others, and garbage collection and the other processes on ${cores} cores set the tail.`} The target needs the per-request CPU cost down (see the ratio above) or more cores.`);
  }
  if (!t.allDispatched) {
    out.push(`**Only ${dispatch.ours.dispatched} of ${dispatch.ours.expected} intents started within the drain timeout** (${cfg.drainTimeoutS} s after the last due time); lateness is over those that did.`);
  }
  if (!t.lateP99 || !t.lateVsBare) {
    const needed = dispatch.ours.expected / 10;
    const behind = dispatch.ours.ratePerSec < 0.95 * needed;
    const perDispatch = `A successful dispatch costs four Postgres statements (read the intent; claim it and open its attempt; ask whether a webhook subscription listens; record the success) and BullMQ's fetch and finish scripts, at \`WORKER_CONCURRENCY=${cfg.workerConcurrency}\` on ${cores} cores shared with Postgres, Redis and the load generator. A CPU profile of the worker under this load (\`BENCH_PROFILE_WORKER=1\`) spends about a quarter of its busy time in the \`writev\` system call that sends each query and Redis command (system calls are expensive on this VM), and most of the rest in the pg, Prisma and ioredis clients around them.`;
    out.push(`**Dispatch lateness p99 ${round(dispatch.ours.p99Ms, 1)} ms (target ≤ 50 ms and ≤ 2× bare BullMQ's ${round(dispatch.bare.p99Ms, 1)} ms).** ${dispatch.ours.expected} intents due in 10 s need ${needed} dispatches/s; the worker sustained ${round(dispatch.ours.ratePerSec)}/s. ${behind
      ? `Below the arrival rate the due jobs queue, so lateness grows through the span and the last ones start ${round(dispatch.ours.maxMs / 1000, 1)} s late: the p99 measures worker throughput, not timer precision (the no-op processor, with no I/O per job, keeps up and shows the timer precision). ${perDispatch} Raising the concurrency does not add CPU. What is left: fold the subscription check into the recording statement (one statement fewer), and run more worker replicas where there are more cores (each account queue is shared by every worker; the rolling-window limiter is in Redis).`
      : `It kept up, so the tail is the time from the job firing to the attempt's start (reading and claiming the intent) when several dispatches queue for the CPU and the pool at once, and the first dispatches of a fresh worker, which open the pool's connections. ${perDispatch}`}${dispatch.bareAtHz10 ? ` The Redis \`hz\` floor is separate and shown by the bare runs: ${round(dispatch.bare.p99Ms, 1)} ms p99 at hz ${dispatch.hz}, ${round(dispatch.bareAtHz10.p99Ms, 1)} ms at hz 10.` : ''}`);
  }
  if (!t.util) {
    out.push(`**Rate-limit use ${round(rateLimit.utilization * 100, 1)} % (target ≥ 95 %).** A slot is held for a full window after the vendor answers (so latency can never put two calls in one window as the vendor counts them), and a refused job waits until the oldest slot leaves the window, plus BullMQ's own pause and re-fetch; each costs a little of every ${rateLimit.windowMs} ms window (${rateLimit.tookMs - rateLimit.idealMs} ms over ${rateLimit.hops} windows here).`);
  }
  if (!t.violations) out.push(`**${rateLimit.violations} rate-limit violations (target 0).** The fake Zendesk refused calls beyond its rolling window (busiest window ${rateLimit.busiestWindow} calls); see the worker log.`);
  if (!t.bytes) out.push(`**${res.scale.redisBytesPerIntent} bytes of Redis per intent (target ≤ 1536).** A BullMQ delayed job is a hash (name, data, options, timestamps) plus a sorted-set entry and its id string.`);
  if (!t.p99Ratio) {
    const table = scale.sizes?.find((x) => x.name === 'callback_intent');
    const idx = (scale.sizes ?? []).filter((x) => x.name !== 'callback_intent').reduce((a, x) => a + x.mb, 0);
    const p50Ratio = scale.create.p50Ms / emptyCreate.p50Ms;
    const head = `**Create p99 at ${scale.count.toLocaleString('en')} rows ${round(scale.create.p99Ms, 1)} ms vs ${round(emptyCreate.p99Ms, 1)} ms empty (${res.scale.createP99Ratio1M}×, target ≤ 1.5×; p50 ${round(scale.create.p50Ms, 1)} vs ${round(emptyCreate.p50Ms, 1)} ms).** At full size the table is ${round(table?.mb ?? NaN)} MB and its four indexes ${round(idx)} MB, against shared_buffers of ${(r.facts.pgSettings.shared_buffers * 8) / 1024} MB.`;
    out.push(p50Ratio <= 1.5
      ? `${head} The typical create is not much slower at full size (p50 ${round(p50Ratio, 2)}×); the difference is in the tail, and the spread between the three runs of each (listed in the table) shows that other load on the shared machine decides it. Re-run on a quiet machine before reading it as a property of the service.`
      : `${head} The typical create is slower too (p50 ${round(p50Ratio, 2)}×). Each create inserts into the random-UUID primary key and the (account, phone) live index at random places, so at this size those index pages are read and dirtied all over instead of in a few hot pages; the spread between the three runs (in the table) shows how much of it is other load on the machine.`);
  }
  if (!t.apiRss) {
    out.push(`**API peak RSS ${res.memory.apiRssMb} MB (target ≤ 200 MB).** ${round(r.memory.apiIdleRssMb)} MB of it is there right after boot (Nest, Prisma's client and WebAssembly query compiler, Swagger, Bull Board, libphonenumber's full metadata). Under load V8 grows its heap lazily while the machine has memory to spare (${round(os.totalmem() / 2 ** 30)} GiB here): after the intake load the heap held ${round(intake.heap.usedMb)} MB of ${round(intake.heap.totalMb)} MB. In a development side test the same load with \`NODE_OPTIONS=--max-old-space-size=96\` kept the heap near 60 MB with no loss of throughput, but RSS still reached about 255 MB: the rest lies outside the JS heap (code, WebAssembly memory, native buffers). A memory limit in the deployment plus that flag bounds the heap; reaching 200 MB also needs the native side to shrink.`);
  }
  return out;
}
