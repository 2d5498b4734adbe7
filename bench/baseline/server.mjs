// The intake baseline: the least a create-callback endpoint can do. A bare
// Fastify handler that inserts the row with one pg query and adds the BullMQ
// delayed job, with no Nest, no validation, no Prisma, no idempotency, no
// logging. Same table, same Redis, same job shape as the service, so the
// ratio ours / baseline is the price of everything the service adds.
// Env: PORT, DATABASE_URL, REDIS_URL, QUEUE_PREFIX (default "bench-baseline").
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { Queue } from 'bullmq';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const queue = new Queue('dispatch-sim', { connection: { url: process.env.REDIS_URL }, prefix: process.env.QUEUE_PREFIX || 'bench-baseline' });

const INSERT = `INSERT INTO callback_intent (id, client, account, phone_number, due_at, asap, metadata, routing)
  VALUES ($1, $2, $3, $4, $5, $6, $7, '{}') ON CONFLICT DO NOTHING RETURNING id, status, due_at`;

const app = Fastify({ logger: false });
app.get('/health', async () => ({ ok: true }));
app.post('/v1/callbacks', async (req, reply) => {
  const b = req.body;
  const id = randomUUID();
  const asap = !b.scheduledAt;
  const dueAt = asap ? new Date() : new Date(b.scheduledAt);
  const { rows } = await pool.query(INSERT, [id, 'default', b.account, b.phoneNumber, dueAt, asap, b.metadata ?? {}]);
  if (!rows.length) return reply.status(409).send({ error: { code: 'duplicate' } });
  await queue.add('dispatch', { intentId: id, account: b.account }, {
    jobId: `intent-${id}`,
    delay: Math.max(0, dueAt.getTime() - Date.now()),
    attempts: 5,
    backoff: { type: 'jittered-exponential' },
    removeOnComplete: { age: 24 * 3600, count: 5000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
  });
  return reply.status(201).send({ id, status: rows[0].status, scheduledAt: rows[0].due_at });
});

const stop = async () => {
  await app.close();
  await queue.close();
  await pool.end();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
