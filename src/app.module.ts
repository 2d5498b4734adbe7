/**
 * Modules by role. `api` serves HTTP; `worker` runs the BullMQ processors and
 * the reconciler; `all` (the local default) does both. Both roles serve
 * health and metrics.
 */
import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
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
import { HealthIndicators } from './ops/health.indicators';
import { LIVENESS_CHECKS } from './ops/liveness';
import { Metrics } from './ops/metrics';
import { MetricsController } from './ops/metrics.controller';
import { OpsRepository } from './ops/ops.repository';
import { Retention } from './ops/retention';
import { RetentionRepository } from './ops/retention.repository';
import type { VendorAdapter } from './vendors/vendor-adapter';
import { VENDOR_ADAPTERS } from './vendors/vendor.registry';
import { VendorsModule } from './vendors/vendors.module';
import { StatusEvents } from './webhooks/status-events';
import { WebhookProcessor } from './webhooks/webhook.processor';
import { WebhookScheduler } from './webhooks/webhook.scheduler';
import { WebhooksController } from './webhooks/webhooks.controller';
import { WebhooksRepository } from './webhooks/webhooks.repository';
import { WebhooksService } from './webhooks/webhooks.service';

export interface AppModuleOptions {
  config: AppConfig;
  /** Replaces the system clock (tests). */
  clock?: Clock;
  /** Where logs go instead of stdout (tests capture them for the secrets/PII audit). */
  logDestination?: NodeJS.WritableStream;
}

/** The worker-stall check (dispatch/worker-health.ts) as a terminus liveness indicator named `workers`. */
function workerLiveness(health: WorkerHealth, indicator: HealthIndicatorService) {
  return [
    async () => {
      const r = await health.check();
      const s = indicator.check('workers');
      return r.ok ? s.up({ message: r.detail }) : s.down({ message: r.detail });
    },
  ];
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
      WebhooksRepository,
      WebhookScheduler,
      StatusEvents,
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
      // Terminus's own logger off: readiness bodies name the failing dependency, and probes would log every few seconds.
      imports: [LoggerModule.forRoot(loggerParams(opts.config, opts.logDestination)), CoreModule.register(opts), TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController, MetricsController, ...(api ? [CallbacksController, AdminKeysController, WebhooksController] : [])],
      providers: [
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        HealthIndicators,
        // Liveness checks: for the worker role, the worker-stall check (src/dispatch/worker-health.ts).
        worker
          ? { provide: LIVENESS_CHECKS, inject: [WorkerHealth, HealthIndicatorService], useFactory: workerLiveness }
          : { provide: LIVENESS_CHECKS, useValue: [] },
        ...(api ? [CallbacksService, DryRunService, ClientThrottle, WebhooksService, { provide: APP_GUARD, useClass: AuthGuard }] : []),
        ...(worker ? [DispatchProcessor, DispatchWindowGuard, Reconciler, WorkerHealth, RetentionRepository, Retention, WebhookProcessor] : []),
      ],
    };
  }
}
