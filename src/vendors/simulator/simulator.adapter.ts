/**
 * The built-in simulator vendor: the default account `sim` for local runs,
 * demos and tests. It accepts every dispatch unless routing tells it to:
 *   routing.simulate  'ok' (default) | 'permanent' | 'retryable' | 'rate_limited' | 'unknown'
 *   routing.failTimes fail the first N calls for this intent, then succeed (default: always)
 *   routing.delayMs   answer after this long (0–30000)
 *   routing.retryAfterMs  with rate_limited: the Retry-After it answers (default 1000)
 * It remembers what it received, so tests can count deliveries.
 */
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { FieldProblem } from '../../common/errors';
import type { Account } from '../../config/accounts';
import { DispatchRequest, DispatchResult, VendorAdapter, SEND_WHEN_DUE, VendorCapabilities } from '../vendor-adapter';
import { VendorOutcomeUnknownError, VendorPermanentError, VendorRateLimitedError, VendorRetryableError } from '../vendor.errors';

const MODES = ['ok', 'permanent', 'retryable', 'rate_limited', 'unknown'] as const;
type Mode = (typeof MODES)[number];
const ROUTING_KEYS = new Set(['simulate', 'failTimes', 'delayMs', 'retryAfterMs']);

/** How many deliveries and per-intent call counts the simulator remembers. */
export const SIMULATOR_MEMORY = 50_000;

export interface SimulatorDelivery {
  intentId: string;
  phoneNumber: string;
  dueAt: Date | null;
  receivedAt: Date;
  vendorRef: string;
}

@Injectable()
export class SimulatorAdapter extends VendorAdapter<Record<string, never>> {
  readonly vendor = 'simulator' as const;
  readonly capabilities: VendorCapabilities = SEND_WHEN_DUE;

  /** Successful deliveries, in order. */
  /** The last SIMULATOR_MEMORY deliveries. */
  readonly received: SimulatorDelivery[] = [];
  /** Every call, successful or not, per intent. */
  readonly calls = new Map<string, number>();

  validateAccount(raw: Record<string, unknown>): Record<string, never> {
    const extra = Object.keys(raw);
    if (extra.length) throw new Error(`unknown key "${extra[0]}"`);
    return {};
  }

  validateRouting(routing: Record<string, unknown>): FieldProblem[] {
    const problems: FieldProblem[] = [];
    for (const key of Object.keys(routing)) {
      if (!ROUTING_KEYS.has(key)) problems.push({ field: `routing.${key}`, message: 'is not a simulator routing field' });
    }
    if (routing.simulate !== undefined && !MODES.includes(routing.simulate as Mode)) {
      problems.push({ field: 'routing.simulate', message: `must be one of ${MODES.join(', ')}` });
    }
    const intIn = (key: string, min: number, max: number) => {
      const v = routing[key];
      if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)) {
        problems.push({ field: `routing.${key}`, message: `must be an integer from ${min} to ${max}` });
      }
    };
    intIn('failTimes', 1, 100);
    intIn('delayMs', 0, 30_000);
    intIn('retryAfterMs', 1, 3_600_000);
    return problems;
  }

  async dispatch(_account: Account, req: DispatchRequest): Promise<DispatchResult> {
    const r = req.routing;
    const call = (this.calls.get(req.intentId) ?? 0) + 1;
    this.calls.set(req.intentId, call);
    if (typeof r.delayMs === 'number' && r.delayMs > 0) await new Promise((res) => setTimeout(res, r.delayMs as number));
    const mode = (r.simulate as Mode | undefined) ?? 'ok';
    const failing = mode !== 'ok' && (typeof r.failTimes !== 'number' || call <= r.failTimes);
    if (failing) {
      switch (mode) {
        case 'permanent':
          throw new VendorPermanentError('simulated permanent failure: number rejected', { httpStatus: 422, vendorCode: 'SimulatedInvalid' });
        case 'retryable':
          throw new VendorRetryableError('simulated vendor outage', { httpStatus: 503 });
        case 'rate_limited':
          throw new VendorRateLimitedError('simulated rate limit', (r.retryAfterMs as number | undefined) ?? 1_000, { httpStatus: 429 });
        case 'unknown':
          throw new VendorOutcomeUnknownError('simulated timeout after the request was sent');
      }
    }
    const vendorRef = `sim-${randomUUID()}`;
    this.received.push({ intentId: req.intentId, phoneNumber: req.phoneNumber, dueAt: req.dueAt, receivedAt: new Date(), vendorRef });
    // A long-running simulator (npm run local, benchmarks) keeps only the recent past.
    if (this.received.length > SIMULATOR_MEMORY) this.received.splice(0, this.received.length - SIMULATOR_MEMORY);
    if (this.calls.size > SIMULATOR_MEMORY) this.calls.delete(this.calls.keys().next().value!);
    return { vendorRef, httpStatus: 201 };
  }
}
