/**
 * The service's settings, read from the environment once at boot and validated
 * into a typed object. Nothing else reads process.env. A wrong or missing value
 * stops the process with a message naming the variable.
 */
import { CallingWindowPolicy, parseDefaultWindow } from '../schedule/policy';

export type Role = 'api' | 'worker' | 'all';

export interface AppConfig {
  role: Role;
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  accountsFile: string | null;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  logPretty: boolean;
  migrateOnBoot: boolean;
  shutdownGraceMs: number;
  scheduleHorizonDays: number;
  clockSkewMs: number;
  bodyLimitBytes: number;
  idempotencyTtlHours: number;
  reconcileIntervalMs: number;
  reconcileLookaheadMs: number;
  staleClaimMs: number;
  /** Worker liveness fails when a worker's blocking Redis connection is silent this long while Redis answers. */
  workerStallMs: number;
  workerConcurrency: number;
  enqueueTimeoutMs: number;
  allowInsecureVendorUrls: boolean;
  /** How long a looked-up API key is trusted before it is read again (revocation delay in other replicas). */
  apiKeyCacheMs: number;
  throttle: { limit: number; windowMs: number; perClient: Record<string, number> };
  /** Terminal intents older than `days` are anonymised or deleted; 0 keeps them forever. */
  retention: { days: number; mode: 'anonymize' | 'delete'; intervalMs: number };
  /** Calling window of accounts that declare none: null = none (CALLING_WINDOW_DEFAULT=off). */
  callingWindowDefault: CallingWindowPolicy | null;
  /** Status webhooks: delivery retry policy and URL checks. */
  webhooks: {
    attempts: number;
    backoffMs: number;
    maxBackoffMs: number;
    timeoutMs: number;
    /** Development and tests only: allow loopback/private/link-local targets and plain http. */
    allowPrivateUrls: boolean;
  };
  /** Bull Board shows queues but offers no retry/remove/promote buttons. */
  bullBoardReadOnly: boolean;
  /** The environment, from which accounts resolve the secret variables they name. */
  secretsEnv: Env;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string, fallback?: string): string {
  const v = env[name];
  if (v === undefined || v === '') {
    if (fallback === undefined) throw new ConfigError(name, 'is required');
    return fallback;
  }
  return v;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes'].includes(raw.toLowerCase())) return true;
  if (['false', '0', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function url(env: Env, name: string, protocols: string[]): string {
  const raw = str(env, name);
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
  }
  return raw;
}

/** "billing=100,crm=5000" → {billing: 100, crm: 5000} */
function clientLimits(env: Env, name: string): Record<string, number> {
  const raw = env[name];
  const out: Record<string, number> = {};
  if (!raw) return out;
  for (const part of raw.split(',')) {
    const m = /^\s*([a-z0-9][a-z0-9._-]{0,99})=(\d{1,7})\s*$/i.exec(part);
    if (!m) throw new ConfigError(name, `expected client=limit pairs separated by commas, got "${part.trim()}"`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

function callingWindow(env: Env): CallingWindowPolicy | null {
  const raw = str(env, 'CALLING_WINDOW_DEFAULT', '08:00-21:00');
  const parsed = parseDefaultWindow(raw);
  if (parsed === undefined) throw new ConfigError('CALLING_WINDOW_DEFAULT', `must be "HH:mm-HH:mm" (start before end) or off, got "${raw}"`);
  return parsed;
}

export function loadConfig(env: Env = process.env): AppConfig {
  const queuePrefix = str(env, 'QUEUE_PREFIX', 'cbo');
  if (!/^[\w{}.-]{1,64}$/.test(queuePrefix)) throw new ConfigError('QUEUE_PREFIX', 'may hold letters, digits, _ . - { } only');
  return {
    role: oneOf(env, 'ROLE', ['api', 'worker', 'all'] as const, 'all'),
    port: int(env, 'PORT', 3000, 0, 65535),
    host: str(env, 'HOST', '0.0.0.0'),
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    queuePrefix,
    accountsFile: env.ACCOUNTS_FILE ? env.ACCOUNTS_FILE : null,
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    logPretty: bool(env, 'LOG_PRETTY', false),
    migrateOnBoot: bool(env, 'MIGRATE_ON_BOOT', true),
    shutdownGraceMs: int(env, 'SHUTDOWN_GRACE_MS', 25_000, 0, 600_000),
    scheduleHorizonDays: int(env, 'SCHEDULE_HORIZON_DAYS', 90, 1, 3650),
    clockSkewMs: int(env, 'CLOCK_SKEW_MS', 5_000, 0, 600_000),
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 65_536, 1_024, 10_485_760),
    idempotencyTtlHours: int(env, 'IDEMPOTENCY_TTL_HOURS', 24, 24, 24 * 30),
    reconcileIntervalMs: int(env, 'RECONCILE_INTERVAL_MS', 30_000, 100, 3_600_000),
    reconcileLookaheadMs: int(env, 'RECONCILE_LOOKAHEAD_MS', 3_600_000, 0, 7 * 86_400_000),
    staleClaimMs: int(env, 'STALE_CLAIM_MS', 120_000, 1_000, 86_400_000),
    // Well above BullMQ's longest block (10 s + 1 s watchdog), or an idle worker would look stuck.
    workerStallMs: int(env, 'WORKER_STALL_MS', 60_000, 15_000, 3_600_000),
    workerConcurrency: int(env, 'WORKER_CONCURRENCY', 10, 1, 1000),
    enqueueTimeoutMs: int(env, 'ENQUEUE_TIMEOUT_MS', 1_000, 50, 60_000),
    allowInsecureVendorUrls: bool(env, 'ALLOW_INSECURE_VENDOR_URLS', false),
    apiKeyCacheMs: int(env, 'API_KEY_CACHE_MS', 10_000, 0, 600_000),
    throttle: {
      limit: int(env, 'THROTTLE_LIMIT', 600, 0, 1_000_000),
      windowMs: int(env, 'THROTTLE_WINDOW_MS', 60_000, 1_000, 3_600_000),
      perClient: clientLimits(env, 'THROTTLE_CLIENT_LIMITS'),
    },
    retention: {
      days: int(env, 'RETENTION_DAYS', 90, 0, 36_500),
      mode: oneOf(env, 'RETENTION_MODE', ['anonymize', 'delete'] as const, 'anonymize'),
      intervalMs: int(env, 'RETENTION_INTERVAL_MS', 3_600_000, 1_000, 86_400_000),
    },
    callingWindowDefault: callingWindow(env),
    webhooks: {
      attempts: int(env, 'WEBHOOK_ATTEMPTS', 20, 1, 100),
      backoffMs: int(env, 'WEBHOOK_BACKOFF_MS', 5_000, 10, 3_600_000),
      maxBackoffMs: int(env, 'WEBHOOK_MAX_BACKOFF_MS', 3_600_000, 10, 86_400_000),
      timeoutMs: int(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
      allowPrivateUrls: bool(env, 'WEBHOOK_ALLOW_PRIVATE_URLS', false),
    },
    bullBoardReadOnly: bool(env, 'BULL_BOARD_READ_ONLY', false),
    secretsEnv: env,
  };
}

/** DI token for AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');
