/**
 * The worker's last check before it rings: the callee's calling window, the
 * contact center's hours and a region's call limit hold at dispatch time too,
 * not only at intake (a retry backoff can land at 21:05 local; business hours
 * or holidays can change). Same resolver as the API. Outside → the intent's
 * dueAt moves to the next opening (guarded by version; requestedAt is kept and
 * the reason recorded) and the job is delayed without spending an attempt.
 */
import { Injectable, Logger } from '@nestjs/common';
import type { Account } from '../config/accounts';
import { Clock } from '../common/clock';
import { CallbacksRepository, Intent } from '../callbacks/callbacks.repository';
import { ScheduleService } from '../schedule/schedule.service';
import type { ScheduleInfo } from '../schedule/schedule-resolver';

export type WindowDecision = { action: 'go' } | { action: 'delay'; dueAt: Date } | { action: 'skip'; reason: string };

@Injectable()
export class DispatchWindowGuard {
  private readonly logger = new Logger(DispatchWindowGuard.name);

  constructor(
    private readonly schedule: ScheduleService,
    private readonly repo: CallbacksRepository,
    private readonly clock: Clock,
  ) {}

  async check(account: Account, intent: Intent): Promise<WindowDecision> {
    if (!this.schedule.hasRules(account)) return { action: 'go' };
    const now = this.clock.now();
    // When it would ring: now, or the due time for a vendor that gets it ahead and rings then.
    const ringAt = intent.dueAt > now ? intent.dueAt : now;
    const r = await this.schedule.resolve(
      { account, phoneNumber: intent.phoneNumber, timezone: intent.timezone, requested: { kind: 'instant', at: ringAt }, outsideWindow: 'defer' },
      now,
    );
    if (!r.ok) {
      // Only a config change since intake gets here (e.g. a window added, and no zone known for the number).
      this.logger.warn({ intentId: intent.id, account: account.id, err: r.error.message }, 'cannot check the calling window at dispatch; dispatching');
      return { action: 'go' };
    }
    if (r.effectiveAt.getTime() <= ringAt.getTime()) return { action: 'go' };

    const before = (intent.schedule as ScheduleInfo | null)?.reasons ?? [];
    const schedule: ScheduleInfo = {
      ...r.schedule,
      requestedLocal: (intent.schedule as ScheduleInfo | null)?.requestedLocal ?? null,
      reasons: [
        ...before,
        { code: 'dispatch_outside_window', message: `at dispatch (${ringAt.toISOString()}, after ${intent.attemptCount} attempt(s)) it was not allowed to ring; moved to ${r.effectiveAt.toISOString()}` },
        ...r.schedule.reasons,
      ],
    };
    const moved = await this.repo.deferScheduled(intent.id, intent.version, r.effectiveAt, schedule);
    if (moved) {
      this.logger.log({ intentId: intent.id, account: account.id, dueAt: moved.dueAt.toISOString() }, 'outside the calling window or business hours at dispatch; deferred');
      return { action: 'delay', dueAt: moved.dueAt };
    }
    const fresh = await this.repo.findById(intent.id);
    return fresh?.status === 'scheduled' ? { action: 'delay', dueAt: fresh.dueAt } : { action: 'skip', reason: `skipped: intent is ${fresh?.status ?? 'gone'}` };
  }
}
