/**
 * Boots the real application (Fastify, Prisma on a cloned Postgres database,
 * BullMQ on the test Redis with its own key prefix) on 127.0.0.1 for one test file.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { Client } from 'pg';
import { createApp } from '../../src/app.factory';
import { ApiKeys } from '../../src/auth/api-keys';
import type { Scope } from '../../src/common/auth';
import { Clock } from '../../src/common/clock';
import { loadConfig } from '../../src/config/config';
import { SimulatorAdapter } from '../../src/vendors/simulator/simulator.adapter';
import { createTestDatabase } from './db';

export interface TestApp {
  app: NestFastifyApplication;
  baseUrl: string;
  /** The app's own database (a clone of the migrated template). */
  databaseUrl: string;
  sim: SimulatorAdapter;
  db: Client;
  redis: Redis;
  prefix: string;
  /**
   * Headers that authenticate as the test's default client (every scope).
   * `call` adds them unless the caller passes its own `authorization`; use
   * them for any raw fetch against the app.
   */
  authHeaders: Record<string, string>;
  /** Headers of a new key for another client (isolation tests); default scopes read + write. */
  clientHeaders: (client: string, scopes?: Scope[]) => Promise<Record<string, string>>;
  /** fetch against the app with JSON defaults and authHeaders. */
  call: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<{ status: number; body: any; headers: Headers }>;
  close: () => Promise<void>;
}

export interface TestAppOptions {
  accountsYaml?: string;
  env?: Record<string, string>;
  clock?: Clock;
}

export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const prefix = `t${randomBytes(4).toString('hex')}`;
  let accountsFile: string | undefined;
  if (opts.accountsYaml) {
    accountsFile = path.join(os.tmpdir(), `accounts-${prefix}.yaml`);
    fs.writeFileSync(accountsFile, opts.accountsYaml);
  }
  const capture = logCapture(prefix, opts.env);
  const config = loadConfig({
    DATABASE_URL: database.url,
    REDIS_URL: process.env.TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? (capture ? 'debug' : 'silent'),
    THROTTLE_LIMIT: '0',
    MIGRATE_ON_BOOT: 'false',
    ALLOW_INSECURE_VENDOR_URLS: 'true',
    SHUTDOWN_GRACE_MS: '2000',
    // Tests run at any hour on the real clock: declared accounts get no calling window unless
    // the test declares one (test/e2e/calling-windows*.e2e.spec.ts) or sets this itself.
    CALLING_WINDOW_DEFAULT: 'off',
    ...(accountsFile ? { ACCOUNTS_FILE: accountsFile } : {}),
    ...opts.env,
  });
  const app = await createApp({ config, clock: opts.clock, logDestination: capture?.stream });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.getHttpServer().address() as { port: number };
  const baseUrl = `http://127.0.0.1:${addr.port}`;
  const db = new Client({ connectionString: database.url });
  await db.connect();
  const redis = new Redis(process.env.TEST_REDIS_URL!);

  const keys = app.get(ApiKeys);
  const clientHeaders = async (client: string, scopes: Scope[] = ['callbacks:read', 'callbacks:write']) => {
    const { key } = await keys.create({ client, scopes, name: 'test' });
    capture?.secret(key);
    return { authorization: `Bearer ${key}` };
  };
  const authHeaders = await clientHeaders('default', ['admin']);
  const call: TestApp['call'] = async (method, p, body, headers = {}) => {
    const res = await fetch(`${baseUrl}${p}`, {
      method,
      headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...authHeaders, ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };

  return {
    app,
    baseUrl,
    databaseUrl: database.url,
    sim: app.get(SimulatorAdapter),
    db,
    redis,
    prefix,
    authHeaders,
    clientHeaders,
    call,
    close: async () => {
      await app.close();
      await db.end();
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await database.drop();
      await capture?.close();
      if (accountsFile) fs.rmSync(accountsFile, { force: true });
    },
  };
}

/** Polls until fn returns a truthy value or the timeout passes. */
export async function waitFor<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 10_000, stepMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/**
 * When TEST_LOG_CAPTURE_DIR is set (npm test sets it for the e2e tier), each
 * app logs at debug level to a file there, and the secrets it was given (env
 * values that look like credentials, the API keys minted for it) are listed
 * beside it; test/audit checks no log line holds a secret or a full phone number.
 */
function logCapture(prefix: string, env: Record<string, string> = {}) {
  const dir = process.env.TEST_LOG_CAPTURE_DIR;
  if (!dir) return null;
  const secrets = Object.entries(env)
    .filter(([k, v]) => /TOKEN|SECRET|PASSWORD|PRIVATE|_KEY$/i.test(k) && v.length >= 8)
    .map(([, v]) => v);
  const stream = fs.createWriteStream(path.join(dir, `${prefix}.log`), { flags: 'a' });
  return {
    stream,
    secret: (s: string) => secrets.push(s),
    close: async () => {
      fs.writeFileSync(path.join(dir, `${prefix}.secrets.json`), JSON.stringify(secrets));
      await new Promise<void>((r) => stream.end(r));
    },
  };
}
