/**
 * Extra liveness checks. /health/live runs every function provided under
 * LIVENESS_CHECKS (default: none). The worker-stall check
 * (src/dispatch/worker-health.ts) plugs in here, in AppModule, for the worker role:
 *   { provide: LIVENESS_CHECKS, inject: [WorkerHealth], useFactory: (w) => [() => w.check()] }
 * A check answers in terminus form, `{ <name>: { status: 'up' | 'down', ... } }`.
 */
import type { HealthIndicatorFunction } from '@nestjs/terminus';

export const LIVENESS_CHECKS = Symbol('LIVENESS_CHECKS');
export type LivenessChecks = HealthIndicatorFunction[];
