// The one place the bench builds request headers for /v1: it mints an API key
// for client "bench" with `node dist/main.js keys create` (the same path as
// `npm run keys`) against the bench database, once, and every load generator
// spreads the header into its requests.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/**
 * @param {{ apiUrl: string, databaseUrl: string }} ctx where the API under test runs
 * @returns {Promise<Record<string, string>>}
 */
export async function benchAuthHeaders(ctx) {
  const r = spawnSync(process.execPath, ['dist/main.js', 'keys', 'create', '--client', 'bench', '--scopes', 'callbacks:read,callbacks:write', '--name', 'npm run bench'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, DATABASE_URL: ctx.databaseUrl },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`could not mint the bench API key: ${r.stderr}`);
  return { authorization: `Bearer ${JSON.parse(r.stdout).key}` };
}
