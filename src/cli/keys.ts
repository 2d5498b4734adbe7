/**
 * `npm run keys -- <command>`: API keys from a shell (bootstrap, break-glass).
 *   create --client <name> --scopes a,b [--name <label>] [--expires-at <iso>]
 *   list [--client <name>]
 *   rotate <id> [--overlap-seconds <n>]     (default 86400)
 *   revoke <id>
 * Answers are JSON on stdout; the full key appears only in create/rotate answers.
 * Needs DATABASE_URL.
 */
import { parseArgs } from 'node:util';
import { PrismaPg } from '@prisma/adapter-pg';
import { SystemClock } from '../common/clock';
import { DomainError } from '../common/errors';
import { PrismaClient } from '../generated/prisma/client';
import { ApiKeys } from '../auth/api-keys';

export const KEYS_USAGE = `usage: npm run keys -- <command>
  create --client <name> --scopes callbacks:read,callbacks:write[,admin] [--name <label>] [--expires-at <ISO 8601>]
  list [--client <name>]
  rotate <id> [--overlap-seconds <n>]   (the old key stays valid for n seconds; default 86400)
  revoke <id>`;

export class UsageError extends Error {}

export async function runKeysCommand(argv: string[], databaseUrl: string): Promise<unknown> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      client: { type: 'string' },
      scopes: { type: 'string' },
      name: { type: 'string' },
      'expires-at': { type: 'string' },
      'overlap-seconds': { type: 'string' },
    },
  });
  const [command, id] = positionals;
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: 2 }) });
  const keys = new ApiKeys(prisma, new SystemClock(), 0);
  try {
    switch (command) {
      case 'create':
        return await keys.create({ client: values.client, scopes: values.scopes, name: values.name, expiresAt: values['expires-at'] });
      case 'list':
        return { items: await keys.list(values.client) };
      case 'rotate': {
        if (!id) throw new UsageError('rotate needs the key id');
        const overlap = values['overlap-seconds'] ?? '86400';
        if (!/^\d{1,7}$/.test(overlap)) throw new UsageError('--overlap-seconds must be a whole number of seconds');
        return await keys.rotate(id, Number(overlap) * 1000);
      }
      case 'revoke':
        if (!id) throw new UsageError('revoke needs the key id');
        return await keys.revoke(id);
      default:
        throw new UsageError(command ? `unknown command "${command}"` : 'a command is required');
    }
  } finally {
    await prisma.$disconnect();
  }
}

/** Human-readable reason for a failed command. */
export function describeKeysError(e: unknown): string {
  if (e instanceof UsageError) return `${e.message}\n${KEYS_USAGE}`;
  if (e instanceof DomainError) return [e.message, ...e.details.map((d) => `  ${d.field}: ${d.message}`)].join('\n');
  if (e instanceof TypeError && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) return `${e.message}\n${KEYS_USAGE}`;
  return (e as Error)?.message ?? String(e);
}
