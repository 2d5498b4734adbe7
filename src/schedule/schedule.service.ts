/**
 * The effective-time resolver as the API and the worker use it: the pure
 * resolveSchedule (schedule-resolver.ts) fed with the account's rules, the
 * injected clock, the configured limits and — only where a region caps calls
 * per 24 h — the recent calls to that number from Postgres.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Account } from '../config/accounts';
import { APP_CONFIG, AppConfig } from '../config/config';
import { Clock } from '../common/clock';
import { CallbacksRepository } from '../callbacks/callbacks.repository';
import { regionsFor } from './callee-zone';
import { OutsideWindow, Requested, Resolution, attemptLimitFor, resolveSchedule } from './schedule-resolver';

export interface ScheduleRequest {
  account: Account;
  phoneNumber: string;
  timezone: string | null | undefined;
  requested: Requested;
  outsideWindow: OutsideWindow;
}

@Injectable()
export class ScheduleService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly repo: CallbacksRepository,
  ) {}

  /** True when the account has a rule that can move a dispatch time. */
  hasRules(account: Account): boolean {
    return !!account.callingWindow || (!!account.businessHours && !account.businessHours.vendorQueuesWhenClosed);
  }

  async resolve(req: ScheduleRequest, now: Date = this.clock.now()): Promise<Resolution> {
    const regions = regionsFor(req.account.callingWindow, req.phoneNumber);
    const recentCalls =
      attemptLimitFor(regions) === null ? [] : await this.repo.recentCallTimes(req.account.id, req.phoneNumber, new Date(now.getTime() - 86_400_000));
    return resolveSchedule(
      {
        now,
        phoneNumber: req.phoneNumber,
        requested: req.requested,
        timezone: req.timezone,
        callingWindow: req.account.callingWindow,
        businessHours: req.account.businessHours,
        accountDefaultZone: req.account.defaultTimezone,
        recentCalls,
        outsideWindow: req.outsideWindow,
        limits: { clockSkewMs: this.config.clockSkewMs, horizonDays: this.config.scheduleHorizonDays },
      },
      regions,
    );
  }
}
