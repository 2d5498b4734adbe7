/**
 * Applies prisma/migrations/<ts>_<name>/migration.sql in order, the way
 * `prisma migrate deploy` would, because Prisma's schema engine cannot be
 * downloaded where this service is built. It keeps Prisma's `_prisma_migrations`
 * table (same columns, sha256 checksums), so `prisma migrate status` agrees
 * wherever the engine exists. Several replicas may boot at once: the work runs
 * under Prisma's own advisory lock. A migration whose file changed after it
 * was applied stops the boot: that is drift, and a person must decide.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';

export const MIGRATIONS_DIR = path.resolve(__dirname, '../../prisma/migrations');
const PRISMA_ADVISORY_LOCK = 72707369;

export interface LocalMigration {
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {}

export function readMigrations(dir = MIGRATIONS_DIR): LocalMigration[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

async function appliedRows(client: Client): Promise<AppliedRow[]> {
  const { rows } = await client.query<AppliedRow>(
    `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL ORDER BY started_at`,
  );
  return rows;
}

function checkApplied(local: LocalMigration[], applied: AppliedRow[]): Set<string> {
  const byName = new Map(local.map((m) => [m.name, m]));
  for (const row of applied) {
    if (!row.finished_at) throw new MigrationError(`migration ${row.migration_name} started but did not finish; resolve it before booting`);
    const m = byName.get(row.migration_name);
    if (m && m.checksum !== row.checksum) {
      throw new MigrationError(`migration ${row.migration_name} was modified after it was applied (checksum differs); refusing to continue`);
    }
  }
  return new Set(applied.map((r) => r.migration_name));
}

export async function applyMigrations(databaseUrl: string, dir = MIGRATIONS_DIR, log: (msg: string) => void = () => {}): Promise<string[]> {
  const local = readMigrations(dir);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK]);
    await client.query(CREATE_TABLE);
    const done = checkApplied(local, await appliedRows(client));
    const appliedNow: string[] = [];
    for (const m of local.filter((l) => !done.has(l.name))) {
      const id = randomUUID();
      await client.query(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ($1, $2, $3)`, [id, m.checksum, m.name]);
      try {
        await client.query('BEGIN');
        await client.query(m.sql);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        // The transaction undid the SQL, so record it as rolled back: the next boot retries it.
        await client.query(`UPDATE "_prisma_migrations" SET logs = $2, rolled_back_at = now() WHERE id = $1`, [id, String((err as Error).message)]);
        throw new MigrationError(`migration ${m.name} failed: ${(err as Error).message}`);
      }
      await client.query(`UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`, [id]);
      log(`applied migration ${m.name}`);
      appliedNow.push(m.name);
    }
    return appliedNow;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK]).catch(() => undefined);
    await client.end();
  }
}

/** Names of local migrations not applied yet (for readiness). Throws on checksum drift. */
export async function pendingMigrations(databaseUrl: string, dir = MIGRATIONS_DIR): Promise<string[]> {
  const local = readMigrations(dir);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const exists = await client.query(`SELECT to_regclass('"_prisma_migrations"') AS t`);
    if (!exists.rows[0].t) return local.map((m) => m.name);
    const done = checkApplied(local, await appliedRows(client));
    return local.filter((m) => !done.has(m.name)).map((m) => m.name);
  } finally {
    await client.end();
  }
}
