/**
 * /health/live: the process can serve; for the worker role, its workers are
 * running and their blocking connections answer (dispatch/worker-health.ts).
 * /health/ready: Postgres answers, migrations are applied, Redis answers. Redis
 * down makes the service degraded, not dead: intake goes on against Postgres,
 * so readiness stays 200 with redis "degraded" for the api role.
 */
import { Controller, Get, Inject, Optional, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AccountsRegistry } from '../config/accounts';
import { APP_CONFIG, AppConfig } from '../config/config';
import { VendorRegistry } from '../vendors/vendor.registry';
import { pendingMigrations } from '../database/migrator';
import { DispatchQueues } from '../dispatch/dispatch-queues';
import { WorkerHealth } from '../dispatch/worker-health';
import { OpsRepository } from './ops.repository';

type Check = { status: 'up' | 'down' | 'degraded'; message?: string };

async function timed(op: () => Promise<unknown>, ms = 2_000): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  try {
    await Promise.race([op(), new Promise((_, rej) => (t = setTimeout(() => rej(new Error(`no answer in ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(t);
  }
}

@ApiExcludeController()
@Controller('health')
export class HealthController {
  private migrationsOk = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly ops: OpsRepository,
    private readonly queues: DispatchQueues,
    private readonly accounts: AccountsRegistry,
    private readonly vendors: VendorRegistry,
    @Optional() private readonly workerHealth?: WorkerHealth,
  ) {}

  /** Accounts whose adapter saw the vendor refuse our credentials (e.g. a bad Salesforce key). */
  private async accountProblems(): Promise<string[]> {
    const out: string[] = [];
    for (const account of this.accounts.all) {
      const r = await this.vendors.forAccount(account).checkAuth(account);
      if (!r.ok) out.push(/misconfigured/.test(r.reason ?? '') ? `${account.id}: ${r.reason}` : `${account.id}: misconfigured: ${r.reason ?? 'credentials refused'}`);
    }
    return out;
  }

  /** 503 naming the reason when a worker is stuck (worker-health.ts); the api role has no workers. */
  @Get('live')
  async live(@Res({ passthrough: true }) reply: FastifyReply): Promise<{ status: string; detail?: string }> {
    if (!this.workerHealth) return { status: 'ok' };
    const r = await this.workerHealth.check();
    void reply.status(r.ok ? 200 : 503);
    return { status: r.ok ? 'ok' : 'down', detail: r.detail };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<{ status: string; checks: Record<string, Check> }> {
    const checks: Record<string, Check> = {};
    try {
      await timed(() => this.ops.ping());
      checks.postgres = { status: 'up' };
    } catch (e) {
      checks.postgres = { status: 'down', message: (e as Error).message };
    }
    if (checks.postgres.status === 'up') {
      try {
        if (!this.migrationsOk) {
          const pending = await pendingMigrations(this.config.databaseUrl);
          this.migrationsOk = pending.length === 0;
          checks.migrations = pending.length ? { status: 'down', message: `pending: ${pending.join(', ')}` } : { status: 'up' };
        } else checks.migrations = { status: 'up' };
      } catch (e) {
        checks.migrations = { status: 'down', message: (e as Error).message };
      }
    }
    try {
      await timed(() => this.queues.connection.ping(), 1_000);
      checks.redis = { status: 'up' };
    } catch (e) {
      // The worker cannot work without Redis; the API can (intake goes to Postgres).
      checks.redis = { status: this.config.role === 'worker' ? 'down' : 'degraded', message: (e as Error).message };
    }
    const problems = await this.accountProblems();
    if (problems.length) checks.accounts = { status: 'degraded', message: problems.join('; ') };
    const down = Object.values(checks).some((c) => c.status === 'down');
    const degraded = Object.values(checks).some((c) => c.status === 'degraded');
    void reply.status(down ? 503 : 200);
    return { status: down ? 'down' : degraded ? 'degraded' : 'up', checks };
  }
}
