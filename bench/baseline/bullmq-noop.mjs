// The dispatch-timeliness limit: a bare BullMQ Worker with a no-op processor on
// the same Redis as the service. It records, for each job, how late the
// processor started against the job's due time (timestamp + delay), and once
// it has seen EXPECT jobs writes them to OUT_FILE as JSON and exits.
// Env: REDIS_URL, QUEUE_PREFIX, QUEUE_NAME, CONCURRENCY, EXPECT, OUT_FILE.
import fs from 'node:fs';
import { Worker } from 'bullmq';

const expect = Number(process.env.EXPECT);
const lateness = [];
let done = false;
const worker = new Worker(
  process.env.QUEUE_NAME,
  async (job) => {
    lateness.push(Date.now() - (job.timestamp + (job.opts.delay ?? 0)));
    if (lateness.length >= expect && !done) {
      done = true;
      setImmediate(finish);
    }
  },
  { connection: { url: process.env.REDIS_URL, maxRetriesPerRequest: null }, prefix: process.env.QUEUE_PREFIX, concurrency: Number(process.env.CONCURRENCY || 10) },
);
await worker.waitUntilReady();
fs.writeFileSync(`${process.env.OUT_FILE}.ready`, '');

async function finish() {
  fs.writeFileSync(process.env.OUT_FILE, JSON.stringify(lateness));
  await worker.close();
  process.exit(0);
}
process.on('SIGTERM', async () => {
  fs.writeFileSync(process.env.OUT_FILE, JSON.stringify(lateness));
  process.exit(0);
});
