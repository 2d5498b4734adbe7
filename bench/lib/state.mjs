// Direct access to the bench's Postgres and Redis: resetting between phases,
// server facts for the report, and the service's own compiled modules (dist/).
import { createRequire } from 'node:module';
import path from 'node:path';
import Redis from 'ioredis';
import pg from 'pg';
import { ROOT } from '../../scripts/infra.mjs';

export const requireDist = createRequire(path.join(ROOT, 'dist', 'main.js'));

export async function connect(infra) {
  const db = new pg.Client({ connectionString: infra.databaseUrl });
  await db.connect();
  const redis = new Redis(infra.redisUrl);
  return { db, redis, close: async () => { await db.end(); redis.disconnect(); } };
}

/** Empties every table the service writes and the whole Redis database. */
export async function resetState({ db, redis }) {
  await db.query('TRUNCATE callback_intent, dispatch_attempt, idempotency_record');
  await redis.flushdb();
}

export async function serverFacts({ db, redis }) {
  const pgVersion = (await db.query('SHOW server_version')).rows[0].server_version;
  const settings = Object.fromEntries(
    (await db.query("SELECT name, setting FROM pg_settings WHERE name IN ('fsync','synchronous_commit','shared_buffers','max_connections')")).rows.map((r) => [r.name, r.setting]),
  );
  const info = await redis.info('server');
  const redisVersion = /redis_version:(\S+)/.exec(info)?.[1];
  const hz = (await redis.config('GET', 'hz'))[1];
  const appendonly = (await redis.config('GET', 'appendonly'))[1];
  const appendfsync = (await redis.config('GET', 'appendfsync'))[1];
  return { pgVersion, pgSettings: settings, redisVersion, redisHz: Number(hz), redisAof: appendonly === 'yes' ? `on (${appendfsync})` : 'off' };
}

export async function usedMemory(redis) {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))[1]);
}
