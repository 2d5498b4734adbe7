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
  (so each create is a row plus a delayed job). ${cfg.warmupS} s warm-up, then ${cfg.intakeS} s at ${cfg.connections} connections,
  first for the baseline (\`bench/baseline/server.mjs\`: bare Fastify, one pg \`INSERT … ON CONFLICT DO NOTHING\`, one BullMQ
  \`add\` with the same job options, no validation, no Prisma, no logging, in its own process), then for the API role. Then
  ${cfg.intakeS} s at a fixed ${cfg.fixedRate} req/s (${cfg.fixedRateConnections} connections) for the p99.
- **Dispatch timeliness.** ${cfg.dispatchCount} intents for \`sim\`, created through the API before any is due, due times spread
  evenly over the same 10 s. Lateness = the first attempt's \`started_at\` − the intent's \`due_at\`, read from Postgres (the
  worker stamps \`started_at\` after reading and claiming the intent). The limit: the same spread of ${cfg.dispatchCount} bare
  BullMQ delayed jobs on the same Redis, consumed by a no-op processor at the same concurrency in its own process
  (\`bench/baseline/bullmq-noop.mjs\`), lateness = processor start − (job timestamp + delay).
  Redis runs with its default \`hz 10\`: BullMQ does not depend on Redis's timer tick for delayed jobs (the worker
  wakes itself on the delayed set's next timestamp through a blocking call whose timeout Redis 6+ checks on every
  event-loop pass, not once per tick), and 10 is what a managed or packaged Redis runs with.
- **Rate-limit fidelity.** A Zendesk account whose rolling-window limit is scaled down to ${cfg.rateLimit.max} per
  ${cfg.rateLimit.windowMs} ms, pointed at the project's fake Zendesk (\`test/fakes/zendesk.fake.ts\`, run in the bench
  process) enforcing the same rolling window and answering 429 past it. A backlog of ${cfg.rateLimit.max * (cfg.rateLimit.windows + 2)}
  intents is created at once. Under a backlog a perfect limiter sends call k + max exactly one window after call k, so
  the last call should come j windows after the call j × max before it; utilization = j × window ÷ the time that
  actually took (every millisecond lost freeing and re-using slots lowers it). Violations = requests the fake refused.
- **Scale.** ${cfg.scaleCount.toLocaleString('en')} scheduled intents inserted with one \`INSERT … SELECT generate_series\`
  (due evenly over 90 days from 10 minutes ahead), then the same jobs added to Redis through the service's own
  \`DispatchQueues\` and \`dispatchJobOptions\` (\`addBulk\`, 1,000 per call). Bytes per intent = the change in Redis
  \`used_memory\` ÷ jobs. Create p99 at ${cfg.scaleCreateRate} req/s for ${cfg.scaleCreateS} s is measured on empty tables (after the
  intake phase) and again at full size. The reconciler figures come from the service's own \`Reconciler\` and
  \`CallbacksRepository\` (a Nest context of the worker role built from \`dist/\`): the scan query is the first page of
  scheduled intents due within the look-ahead (median of 5), the full pass is \`runOnce()\` (stale claims, every intent in
  the window checked against Redis, idempotency purge).
- **Memory.** Peak resident set size (\`VmHWM\` from \`/proc/<pid>/status\`) of the API process right after the intake
  phase, and of the worker process after the dispatch and rate-limit phases (the worker takes no part in intake).`;

export function explainMisses(r, res, t) {
  const { cfg, intake, dispatch, rateLimit, scale, emptyCreate } = r;
  const out = [];
  if (!t.ratio) {
    out.push(`**Intake ratio ${res.intake.ratio} (target ≥ 0.60).** Per create the service does, on top of the baseline's one INSERT and one
      BullMQ add: class-validator on the DTO (E.164 through libphonenumber's full metadata), the account and routing checks,
      a Prisma transaction (BEGIN, INSERT … ON CONFLICT through Prisma's query engine, COMMIT: three round trips instead of
      one), the response view, a pino log line per request and Prometheus histograms. On ${cfgCores()} shared cores the load
      generator, Postgres and Redis compete for the same CPU, so the service's extra CPU per request shows up directly as
      lost throughput.`.replace(/\n\s+/g, ' '));
  }
  if (!t.p99At500) {
    const achieved = intake.fixed.reqPerSec < 0.95 * cfg.fixedRate;
    out.push(`**p99 at ${cfg.fixedRate} req/s: ${round(intake.fixed.p99Ms, 1)} ms (target ≤ 25 ms).** ${achieved
      ? `The machine did not sustain ${cfg.fixedRate} req/s (achieved ${round(intake.fixed.reqPerSec)}): the API's capacity here is ${round(intake.ours.reqPerSec)} req/s, so requests queue and the p99 measures the queue.`
      : `The rate was sustained, at ${round((cfg.fixedRate / intake.ours.reqPerSec) * 100)} % of the API's saturation throughput here (${round(intake.ours.reqPerSec)} req/s); at that utilization queueing behind other requests, garbage collection and the other processes on ${cfgCores()} cores sets the tail.`}`);
  }
  if (!t.allDispatched) {
    out.push(`**Only ${dispatch.ours.dispatched} of ${dispatch.ours.expected} intents started within the drain timeout** (${cfg.drainTimeoutS} s after the last due time); lateness is over those that did.`);
  }
  if (!t.lateP99 || !t.lateVsBare) {
    const spanS = 10;
    const needed = dispatch.ours.expected / spanS;
    out.push(`**Dispatch lateness p99 ${round(dispatch.ours.p99Ms, 1)} ms (target ≤ 50 ms and ≤ 2× bare BullMQ's ${round(dispatch.bare.p99Ms, 1)} ms).** ${dispatch.ours.expected} intents in 10 s need ${needed} dispatches/s sustained. Each dispatch is several Postgres round trips through Prisma (read the intent, guarded claim, open the attempt, record it and mark dispatched in one transaction) at \`WORKER_CONCURRENCY=${cfg.workerConcurrency}\` on ${cfgCores()} shared cores; when the worker's throughput is below the arrival rate, jobs wait in the queue and lateness grows through the span (max ${round(dispatch.ours.maxMs)} ms). The no-op BullMQ processor does no I/O per job, so it keeps up. Lateness at a lower arrival rate is what the \`dispatch_lateness_seconds\` metric shows in production.`);
  }
  if (!t.util) {
    out.push(`**Rate-limit use ${round(rateLimit.utilization * 100, 1)} % (target ≥ 95 %).** A slot is held for a full window after the vendor answers (so latency can never put two calls in one window as the vendor counts them), and a refused job waits until the oldest slot leaves the window, plus BullMQ's own pause and re-fetch; each of those costs a little of each ${rateLimit.windowMs} ms window.`);
  }
  if (!t.violations) out.push(`**${rateLimit.violations} rate-limit violations (target 0).** The fake Zendesk refused calls beyond its rolling window; see the worker log.`);
  if (!t.bytes) out.push(`**${res.scale.redisBytesPerIntent} bytes of Redis per intent (target ≤ 1536).** A BullMQ delayed job is a hash (name, data, options, timestamps) plus a sorted-set entry and its id string.`);
  if (!t.p99Ratio) {
    out.push(`**Create p99 at ${scale.count.toLocaleString('en')} rows ${round(scale.create.p99Ms, 1)} ms vs ${round(emptyCreate.p99Ms, 1)} ms empty (${res.scale.createP99Ratio1M}×, target ≤ 1.5×).** A create touches four B-tree indexes (primary key on a random UUID, (status, due_at), (client, created_at, id), the live-phone partial unique index); at a million rows the random-UUID and phone indexes no longer sit in a few hot pages, and Redis holds a million delayed jobs in one sorted set.`);
  }
  if (!t.apiRss) out.push(`**API peak RSS ${res.memory.apiRssMb} MB (target ≤ 200 MB).** Nest, Prisma's client, Swagger, Bull Board and libphonenumber's full metadata load at boot; the peak is set under load by in-flight requests and the heap's growth before collection.`);
  return out;
}

function cfgCores() {
  return String(os.cpus().length);
}
