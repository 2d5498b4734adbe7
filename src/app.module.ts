/**
 * Modules by role. `api` serves HTTP; `worker` runs the BullMQ processors and
 * the reconciler; `all` (the local default) does both. Both roles serve
 * health and metrics.
 */
import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { AccountsRegistry, loadAccounts } from './config/accounts';
import { APP_CONFIG, AppConfig } from './config/config';
import { Clock, SystemClock } from './common/clock';
import { AdminKeysController } from './auth/admin-keys.controller';
import { ApiKeys } from './auth/api-keys';
import { AuthGuard } from './auth/auth.guard';
import { ClientThrottle } from './auth/throttle';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { loggerParams } from './common/logging';
import { CallbacksController } from './callbacks/callbacks.controller';
import { CallbacksRepository } from './callbacks/callbacks.repository';
import { CallbacksService } from './callbacks/callbacks.service';
import { DryRunService } from './callbacks/dry-run.service';
import { ScheduleService } from './schedule/schedule.service';
import { IdempotencyRepository } from './callbacks/idempotency.repository';
import { PrismaService } from './database/prisma.service';
import { DispatchQueues } from './dispatch/dispatch-queues';
import { DispatchProcessor } from './dispatch/dispatch.processor';
import { DispatchWindowGuard } from './dispatch/dispatch-window';
import { DispatchScheduler } from './dispatch/dispatch.scheduler';
import { Reconciler } from './dispatch/reconciler';
import { WorkerHealth } from './dispatch/worker-health';
import { HealthController } from './ops/health.controller';
import { Metrics } from './ops/metrics';
import { MetricsController } from './ops/metrics.controller';
import { OpsRepository } from './ops/ops.repository';
import { Retention } from './ops/retention';
import { RetentionRepository } from './ops/retention.repository';
import type { VendorAdapter } from './vendors/vendor-adapter';
import { VENDOR_ADAPTERS } from './vendors/vendor.registry';
import { VendorsModule } from './vendors/vendors.module';

export interface AppModuleOptions {
  config: AppConfig;
  /** Replaces the system clock (tests). */
  clock?: Clock;
  /** Where logs go instead of stdout (tests capture them for the secrets/PII audit). */
  logDestination?: NodeJS.WritableStream;
}

@Global()
@Module({})
class CoreModule {
  static register(opts: AppModuleOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: APP_CONFIG, useValue: opts.config },
      { provide: Clock, useValue: opts.clock ?? new SystemClock() },
      {
        provide: AccountsRegistry,
        inject: [VENDOR_ADAPTERS],
        useFactory: (adapters: VendorAdapter[]) =>
          new AccountsRegistry(
            loadAccounts({
              file: opts.config.accountsFile,
              adapters: new Map(adapters.map((a) => [a.vendor, a])),
              env: opts.config.secretsEnv,
              allowInsecureUrls: opts.config.allowInsecureVendorUrls,
              defaultCallingWindow: opts.config.callingWindowDefault,
            }),
          ),
      },
      PrismaService,
      {
        provide: ApiKeys,
        inject: [PrismaService, Clock],
        useFactory: (prisma: PrismaService, clock: Clock) => new ApiKeys(prisma, clock, opts.config.apiKeyCacheMs),
      },
      DispatchQueues,
      DispatchScheduler,
      CallbacksRepository,
      IdempotencyRepository,
      ScheduleService,
      OpsRepository,
      Metrics,
    ];
    return { module: CoreModule, imports: [VendorsModule], providers, exports: providers };
  }
}

@Module({})
export class AppModule {
  static forRole(opts: AppModuleOptions): DynamicModule {
    const { role } = opts.config;
    const api = role === 'api' || role === 'all';
    const worker = role === 'worker' || role === 'all';
    return {
      module: AppModule,
      imports: [LoggerModule.forRoot(loggerParams(opts.config, opts.logDestination)), CoreModule.register(opts)],
      controllers: [HealthController, MetricsController, ...(api ? [CallbacksController, AdminKeysController] : [])],
      providers: [
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        ...(api ? [CallbacksService, DryRunService, ClientThrottle, { provide: APP_GUARD, useClass: AuthGuard }] : []),
        ...(worker ? [DispatchProcessor, DispatchWindowGuard, Reconciler, WorkerHealth, RetentionRepository, Retention] : []),
      ],
    };
  }
}
