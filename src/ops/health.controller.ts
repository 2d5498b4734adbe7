/**
 * Health on @nestjs/terminus; bodies are terminus's
 *   { status, info, error, details: { <dependency>: { status: 'up'|'down', message? } } }
 * /health/live: the process serves (plus LIVENESS_CHECKS, e.g. the worker-stall check).
 * /health/ready: postgres, migrations, redis, accounts (credentials present and
 * accepted). A hard dependency down → 503, status "error". Redis down for the
 * api role and account problems are soft: intake goes on against Postgres, so
 * the answer stays 200 with status "degraded" and the failing dependency under
 * `error` and `details`.
 */
import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckResult, HealthCheckService, HealthIndicatorFunction } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { APP_CONFIG, AppConfig } from '../config/config';
import { HealthIndicators } from './health.indicators';
import { LIVENESS_CHECKS, LivenessChecks } from './liveness';

type HealthBody = Omit<HealthCheckResult, 'status'> & { status: HealthCheckResult['status'] | 'degraded' };

/** { <dependency>: { status: 'up' | 'down', message? } } */
const DEP = { type: 'object', additionalProperties: true } as const;

class HealthView {
  @ApiProperty({ enum: ['ok', 'degraded', 'error', 'shutting_down'], example: 'degraded' }) status!: string;
  @ApiProperty({ ...DEP, description: 'Dependencies that are up', example: { postgres: { status: 'up' }, migrations: { status: 'up' } } }) info!: Record<string, unknown>;
  @ApiProperty({ ...DEP, description: 'Dependencies that are down, each with a message', example: { redis: { status: 'down', message: 'redis unreachable: connect ECONNREFUSED 127.0.0.1:6379' } } }) error!: Record<string, unknown>;
  @ApiProperty({ ...DEP, description: 'Every dependency' }) details!: Record<string, unknown>;
}

@ApiTags('ops')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicators,
    @Inject(LIVENESS_CHECKS) private readonly livenessChecks: LivenessChecks,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process serves (and, for workers, is not stalled)' })
  @ApiOkResponse({ type: HealthView })
  @ApiServiceUnavailableResponse({ type: HealthView, description: 'A liveness check failed: restart' })
  live(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthBody> {
    return this.run(this.livenessChecks, new Set(), reply);
  }

  @Get('ready')
  @ApiOperation({ summary: "Readiness: postgres, migrations, redis, accounts' credentials; names what fails" })
  @ApiOkResponse({ type: HealthView, description: 'ok, or degraded (redis down for the api role, an account refused): still serving' })
  @ApiServiceUnavailableResponse({ type: HealthView, description: 'A hard dependency is down (see error)' })
  ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthBody> {
    const i = this.indicators;
    // The worker cannot work without Redis; the API can (intake goes to Postgres, the reconciler catches up).
    const soft = new Set(this.config.role === 'worker' ? ['accounts'] : ['redis', 'accounts']);
    return this.run([() => i.postgres(), () => i.migrations(), () => i.redis(), () => i.accountsCredentials()], soft, reply);
  }

  private async run(checks: HealthIndicatorFunction[], soft: Set<string>, reply: FastifyReply): Promise<HealthBody> {
    let result: HealthCheckResult;
    try {
      result = await this.health.check(checks);
    } catch (e) {
      if (!(e instanceof ServiceUnavailableException)) throw e;
      result = e.getResponse() as HealthCheckResult;
    }
    const failing = Object.keys(result.error ?? {});
    const hard = failing.filter((k) => !soft.has(k));
    const status = result.status === 'shutting_down' ? 'shutting_down' : hard.length ? 'error' : failing.length ? 'degraded' : 'ok';
    void reply.status(status === 'ok' || status === 'degraded' ? 200 : 503);
    return { ...result, status };
  }
}
