import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { applyMigrations, MIGRATIONS_DIR, MigrationError, pendingMigrations, readMigrations } from '../../src/database/migrator';
import { createEmptyDatabase } from '../support/db';

function copyMigrations(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
  fs.cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

async function rows(url: string) {
  const c = new Client({ connectionString: url });
  await c.connect();
  const r = await c.query('SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count, logs FROM _prisma_migrations ORDER BY started_at');
  await c.end();
  return r.rows;
}

describe('migrator (Prisma-compatible, run by the service)', () => {
  const dbs: Array<{ drop: () => Promise<void> }> = [];
  afterAll(async () => Promise.all(dbs.map((d) => d.drop())));
  const fresh = async () => {
    const d = await createEmptyDatabase();
    dbs.push(d);
    return d.url;
  };

  it('applies every migration once, recording Prisma-style rows with sha256 checksums', async () => {
    const url = await fresh();
    const local = readMigrations();
    expect(await pendingMigrations(url)).toEqual(local.map((m) => m.name));
    expect(await applyMigrations(url)).toEqual(local.map((m) => m.name));
    const r = await rows(url);
    expect(r.map((x) => x.migration_name)).toEqual(local.map((m) => m.name));
    expect(r[0].checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(r[0].checksum).toBe(local[0].checksum);
    expect(r.every((x) => x.finished_at && x.applied_steps_count === 1 && !x.rolled_back_at)).toBe(true);
    expect(await applyMigrations(url)).toEqual([]);
    expect(await pendingMigrations(url)).toEqual([]);
  });

  it('lets replicas booting together apply each migration exactly once (advisory lock)', async () => {
    const url = await fresh();
    const results = await Promise.all([applyMigrations(url), applyMigrations(url), applyMigrations(url)]);
    expect(results.flat()).toHaveLength(readMigrations().length);
    expect(await rows(url)).toHaveLength(readMigrations().length);
  });

  it('refuses to continue when an applied migration file was modified', async () => {
    const url = await fresh();
    await applyMigrations(url);
    const dir = copyMigrations();
    const first = readMigrations(dir)[0];
    fs.appendFileSync(path.join(dir, first.name, 'migration.sql'), '\n-- edited after release\n');
    await expect(applyMigrations(url, dir)).rejects.toThrow(MigrationError);
    await expect(applyMigrations(url, dir)).rejects.toThrow(/modified after it was applied/);
    fs.rmSync(dir, { recursive: true });
  });

  it('rolls a failing migration back whole, records it, and retries it on the next run', async () => {
    const url = await fresh();
    const dir = copyMigrations();
    const bad = path.join(dir, '29990101000000_broken');
    fs.mkdirSync(bad);
    fs.writeFileSync(path.join(bad, 'migration.sql'), 'CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;\n');
    await expect(applyMigrations(url, dir)).rejects.toThrow(/29990101000000_broken failed/);
    const r = await rows(url);
    const failed = r.find((x) => x.migration_name === '29990101000000_broken');
    expect(failed.rolled_back_at).not.toBeNull();
    expect(failed.logs).toContain('no_such_table');
    const c = new Client({ connectionString: url });
    await c.connect();
    expect((await c.query(`SELECT to_regclass('half_done') AS t`)).rows[0].t).toBeNull();
    await c.end();
    expect(await pendingMigrations(url, dir)).toEqual(['29990101000000_broken']);
    fs.writeFileSync(path.join(bad, 'migration.sql'), 'CREATE TABLE half_done (id int);\n');
    expect(await applyMigrations(url, dir)).toEqual(['29990101000000_broken']);
    fs.rmSync(dir, { recursive: true });
  });
});
