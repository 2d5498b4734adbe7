/**
 * Integration and e2e tiers: Postgres and Redis are started by scripts/test.mjs
 * (npm test), which passes TEST_DATABASE_URL / TEST_REDIS_URL. Here the
 * migrated template database is built once; each test file clones it.
 */
import { Client } from 'pg';
import { applyMigrations } from '../../src/database/migrator';

export const TEMPLATE_DB = 'cbo_template';

export default async function globalSetup(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url || !process.env.TEST_REDIS_URL) {
    throw new Error('TEST_DATABASE_URL and TEST_REDIS_URL are not set: run `npm test` (or `node scripts/test.mjs --keep` to start servers and print them)');
  }
  if (process.env.CBO_TEMPLATE_READY) return;
  const admin = new Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  const u = new URL(url);
  u.pathname = `/${TEMPLATE_DB}`;
  await applyMigrations(u.toString());
  process.env.CBO_TEMPLATE_READY = '1';
}
