/**
 * Prometheus metrics (prom-client), served at /metrics by every role. Names
 * match docs/grafana-dashboard.json. Labels carry account ids, vendors,
 * outcomes and routes only: never phone numbers or secrets.
 */
import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DispatchQueues } from '../dispatch/dispatch-queues';

@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly intentsCreated = new Counter({
    name: 'callback_intents_created_total',
    help: 'Create requests by account and outcome (created, duplicate, idempotent_replay, rejected)',
    labelNames: ['account', 'outcome'],
    registers: [this.registry],
  });

  readonly lateness = new Histogram({
    name: 'dispatch_lateness_seconds',
    help: 'Start of dispatch minus the time it was due to start',
    labelNames: ['account'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300],
    registers: [this.registry],
  });

  readonly attempts = new Counter({
    name: 'dispatch_attempts_total',
    help: 'Dispatch attempts by account, vendor and outcome',
    labelNames: ['account', 'vendor', 'outcome'],
    registers: [this.registry],
  });

  readonly vendorResponses = new Counter({
    name: 'vendor_responses_total',
    help: 'Vendor HTTP answers by status',
    labelNames: ['account', 'vendor', 'status'],
    registers: [this.registry],
  });

  readonly rateLimitWaits = new Counter({
    name: 'rate_limit_waits_total',
    help: 'Times an account queue waited for its rate limit (ours or a vendor 429)',
    labelNames: ['account', 'source'],
    registers: [this.registry],
  });

  readonly reconcilerRepairs = new Counter({
    name: 'reconciler_repairs_total',
    help: 'Repairs made by the reconciler',
    labelNames: ['kind'],
    registers: [this.registry],
  });

  readonly throttled = new Counter({
    name: 'client_throttled_total',
    help: 'Requests refused with 429 by the per-client throttle',
    labelNames: ['client'],
    registers: [this.registry],
  });

  readonly throttleBypassed = new Counter({
    name: 'client_throttle_bypassed_total',
    help: 'Requests let through unthrottled because the throttle store (Redis) was unreachable',
    registers: [this.registry],
  });

  readonly retentionPurged = new Counter({
    name: 'retention_purged_total',
    help: 'Terminal intents deleted or anonymised by the retention job',
    labelNames: ['mode'],
    registers: [this.registry],
  });

  readonly webhookDeliveries = new Counter({
    name: 'webhook_deliveries_total',
    help: 'Status-webhook delivery tries by outcome (delivered, retry, failed)',
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  constructor(queues: DispatchQueues) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'queue_jobs',
      help: 'Jobs per account queue and state',
      labelNames: ['account', 'state'],
      registers: [this.registry],
      async collect() {
        await Promise.all(
          queues.all().map(async (q) => {
            const account = q.name.replace(/^dispatch-/, '');
            try {
              const counts = await queues.bounded('metrics', () => q.getJobCounts('waiting', 'delayed', 'active', 'failed', 'completed'));
              for (const [state, n] of Object.entries(counts)) this.set({ account, state }, n);
            } catch {
              /* Redis unreachable: keep the last values; readiness reports it */
            }
          }),
        );
      },
    });
  }
}
