/**
 * Entry point. `node dist/main.js` runs the role in ROLE (api | worker | all);
 * `node dist/main.js migrate` applies migrations and exits;
 * `node dist/main.js keys …` manages API keys (src/cli/keys.ts).
 */
import 'reflect-metadata';
import { createApp } from './app.factory';
import { describeKeysError, runKeysCommand } from './cli/keys';
import { AccountsFileError } from './config/accounts';
import { AppConfig, ConfigError, loadConfig } from './config/config';
import { applyMigrations, MigrationError } from './database/migrator';

function fail(message: string): never {
  process.stderr.write(`callback-orchestrator: ${message}\n`);
  process.exit(1);
}

async function keys(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) fail('configuration error: DATABASE_URL: is required');
  try {
    const out = await runKeysCommand(process.argv.slice(3), url);
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } catch (e) {
    fail(describeKeysError(e));
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === 'keys') return keys();
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) fail(`configuration error: ${e.message}`);
    throw e;
  }
  const log = (msg: string) => process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), msg })}\n`);

  if (process.argv[2] === 'migrate') {
    const applied = await applyMigrations(config.databaseUrl, undefined, log);
    log(applied.length ? `applied ${applied.length} migration(s)` : 'database is up to date');
    return;
  }
  if (config.migrateOnBoot) await applyMigrations(config.databaseUrl, undefined, log);

  const app = await createApp({ config });
  await app.listen({ port: config.port, host: config.host });
  log(`role ${config.role} listening on ${config.host}:${config.port}`);
}

main().catch((e: unknown) => {
  if (e instanceof AccountsFileError || e instanceof MigrationError) fail(e.message);
  fail((e as Error)?.stack ?? String(e));
});
