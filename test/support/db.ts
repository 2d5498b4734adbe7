import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

const TEMPLATE_DB = 'cbo_template';

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: process.env.TEST_DATABASE_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function createDatabase(template: string | null): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `cbo_t_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`));
  const u = new URL(process.env.TEST_DATABASE_URL!);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(() => undefined, () => undefined)),
  };
}

/** A fresh database cloned from the migrated template: fast isolation per test file. */
export const createTestDatabase = () => createDatabase(TEMPLATE_DB);

/** An empty database with nothing in it (for migration tests). */
export const createEmptyDatabase = () => createDatabase(null);
