// The project's fake Zendesk (test/fakes/zendesk.fake.ts) for the rate-limit
// phase, compiled with tsc into bench/.build (git-ignored; inside the project so
// its imports resolve node_modules) and run inside the bench process.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT } from '../../scripts/infra.mjs';

const OUT = path.join(ROOT, 'bench', '.build');

export async function startZendeskFake(limit) {
  execFileSync('npx', ['--no-install', 'tsc', '--outDir', OUT, '--rootDir', ROOT, '--module', 'commonjs', '--target', 'es2022', '--esModuleInterop', '--strict', '--strictPropertyInitialization', 'false', '--lib', 'es2023',
    '--experimentalDecorators', '--emitDecoratorMetadata', '--skipLibCheck', '--types', 'node', 'test/fakes/zendesk.fake.ts'], { cwd: ROOT, stdio: 'inherit' });
  const { ZendeskFake, FAKE_EMAIL, FAKE_TOKEN } = createRequire(path.join(OUT, 'x.js'))('./test/fakes/zendesk.fake.js');
  const fake = await ZendeskFake.start({ limit });
  return { fake, email: FAKE_EMAIL, token: FAKE_TOKEN };
}
