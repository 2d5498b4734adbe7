/**
 * Readiness indicators, one per dependency, in @nestjs/terminus form: each
 * answers `{ <name>: { status: 'up' | 'down', ... } }` and never throws, so
 * the body always names what failed and why.
 */
import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { AccountsRegistry } from '../config/accounts';
import { APP_CONFIG, AppConfig } from '../config/config';
import { pendingMigrations } from '../database/migrator';
import { DispatchQueues } from '../dispatch/dispatch-queues';
import { VendorRegistry } from '../vendors/vendor.registry';
import { OpsRepository } from './ops.repository';

async function timed(op: () => Promise<unknown>, ms: number): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  try {
    await Promise.race([op(), new Promise((_, rej) => (t = setTimeout(() => rej(new Error(`no answer in ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(t);
  }
}

@Injectable()
export class HealthIndicators {
  private migrationsOk = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly indicator: HealthIndicatorService,
    private readonly ops: OpsRepository,
    private readonly queues: DispatchQueues,
    private readonly accounts: AccountsRegistry,
    private readonly vendors: VendorRegistry,
  ) {}

  async postgres(): Promise<HealthIndicatorResult> {
    const s = this.indicator.check('postgres');
    try {
      await timed(() => this.ops.ping(), 2_000);
      return s.up();
    } catch (e) {
      return s.down({ message: (e as Error).message });
    }
  }

  /** Every migration in the image is applied (checked until true once, then remembered). */
  async migrations(): Promise<HealthIndicatorResult> {
    const s = this.indicator.check('migrations');
    if (this.migrationsOk) return s.up();
    try {
      const pending = await pendingMigrations(this.config.databaseUrl);
      this.migrationsOk = pending.length === 0;
      return pending.length ? s.down({ message: `pending: ${pending.join(', ')}`, pending }) : s.up();
    } catch (e) {
      return s.down({ message: (e as Error).message });
    }
  }

  async redis(): Promise<HealthIndicatorResult> {
    const s = this.indicator.check('redis');
    try {
      await timed(() => this.queues.connection.ping(), 1_000);
      return s.up();
    } catch (e) {
      return s.down({ message: `redis unreachable: ${(e as Error).message} (connection ${this.queues.connection.status})` });
    }
  }

  /** Each account's credentials are present and not refused by its vendor (adapters' checkAuth). */
  async accountsCredentials(): Promise<HealthIndicatorResult> {
    const s = this.indicator.check('accounts');
    const problems: string[] = [];
    for (const account of this.accounts.all) {
      const r = await this.vendors.forAccount(account).checkAuth(account);
      if (!r.ok) problems.push(/misconfigured/.test(r.reason ?? '') ? `${account.id}: ${r.reason}` : `${account.id}: misconfigured: ${r.reason ?? 'credentials refused'}`);
    }
    return problems.length ? s.down({ message: problems.join('; ') }) : s.up({ count: this.accounts.all.length });
  }
}
