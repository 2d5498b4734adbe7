// `prisma generate` without Prisma's downloadable schema engine: generation does
// not use it, but the CLI wants the path of an existing file (see docs/ARCHITECTURE.md).
import { spawnSync } from 'node:child_process';
const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
const r = spawnSync('npx', ['--no-install', 'prisma', 'generate'], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
