/**
 * Talkdesk Scheduled Callbacks (preview API). Talkdesk schedules natively, so
 * the dispatcher hands an intent over `handOverAheadMs` before it is due and
 * Talkdesk calls at the intent's own time. Talkdesk refuses a time less than
 * 1 minute ahead: an ASAP or late intent goes out with the earliest time it
 * accepts, and the result says so.
 *
 * Before creating, the adapter lists the open callbacks Talkdesk holds for the
 * number and links to one if it exists. This is what Talkdesk asks of API
 * clients, keeps one live callback per number, and makes a resend after an
 * unknown outcome safe (capabilities.canLookup).
 */
import { Injectable, OnModuleDestroy, Optional } from '@nestjs/common';
import { Clock } from '../../common/clock';
import type { FieldProblem } from '../../common/errors';
import { normalizeE164 } from '../../common/phone';
import { isValidTimeZone } from '../../common/time';
import type { Account } from '../../config/accounts';
import { VendorHttp } from '../http/vendor-http';
import { DispatchRequest, DispatchResult, VendorAdapter, VendorCapabilities, VendorChange } from '../vendor-adapter';
import { VendorOutcomeUnknownError, VendorPermanentError } from '../vendor.errors';
import { TalkdeskClient } from './talkdesk.client';
import { parseTalkdeskAccount, resolveTalkdeskRouting, validateTalkdeskRouting } from './talkdesk.config';
import { createdId, errorFromResponse, parseTime, planNote, planTimeToCall, toCreateBody, toPatchOps } from './talkdesk.mapper';
import { TalkdeskTokens } from './talkdesk.token';
import { DEFAULT_HAND_OVER_AHEAD_MS, TALKDESK_MIN_LEAD_MS, TalkdeskSettings } from './talkdesk.types';

const ok = (status: number) => status >= 200 && status < 300;

@Injectable()
export class TalkdeskAdapter extends VendorAdapter<TalkdeskSettings> implements OnModuleDestroy {
  readonly vendor = 'talkdesk' as const;
  readonly capabilities: VendorCapabilities = {
    nativeScheduling: true,
    minLeadMs: TALKDESK_MIN_LEAD_MS,
    // Default only: an account may set its own (see handOverAheadFor).
    handOverAheadMs: DEFAULT_HAND_OVER_AHEAD_MS,
    canUpdate: true,
    canCancel: true,
    canLookup: true,
  };
  // Talkdesk publishes no limit for this preview API: none of ours unless the account sets one.
  override readonly defaultRateLimit = null;

  private readonly http: VendorHttp;
  private ownsHttp: boolean;
  private readonly client: TalkdeskClient;
  private readonly clock: Clock | null;

  constructor(@Optional() clock?: Clock, @Optional() http?: VendorHttp) {
    super();
    this.clock = clock ?? null;
    this.ownsHttp = !http;
    this.http = http ?? new VendorHttp();
    this.client = new TalkdeskClient(this.http, new TalkdeskTokens(this.http, () => this.now().getTime()));
  }

  validateAccount(raw: Record<string, unknown>, env: Record<string, string | undefined>): TalkdeskSettings {
    return parseTalkdeskAccount(raw, env);
  }

  validateRouting(routing: Record<string, unknown>, account: Account<TalkdeskSettings>): FieldProblem[] {
    return validateTalkdeskRouting(routing, account.settings);
  }

  /** How long before its due time this account's intents should be handed over. */
  override handOverAheadFor(account: Account<TalkdeskSettings>): number {
    return account.settings.handOverAheadMs;
  }

  async dispatch(account: Account<TalkdeskSettings>, req: DispatchRequest): Promise<DispatchResult> {
    const problems = validateTalkdeskRouting(req.routing, account.settings);
    if (problems.length) {
      throw new VendorPermanentError(`routing is not valid for Talkdesk: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`);
    }
    const phone = normalizeE164(req.phoneNumber);
    if (!phone) throw new VendorPermanentError('the phone number is not a valid E.164 number');

    const existing = await this.client.findOpen(account, phone);
    if (existing) {
      const id = String(existing.id);
      return { vendorRef: id, httpStatus: 200, note: `linked to existing Talkdesk callback ${id}`, scheduledFor: parseTime(existing.timeToCall) };
    }

    // Planned after the lookup, as close to sending as possible, so the lead is measured from the request.
    const plan = planTimeToCall(req.dueAt, this.now());
    const body = toCreateBody(phone, plan, this.zoneFor(account, req.timezone), resolveTalkdeskRouting(req.routing, account.settings), req.notes);
    const res = await this.client.call(account, { method: 'POST', path: account.settings.createPath, body });
    if (!ok(res.status)) throw errorFromResponse(res, 'create callback', account.defaultRetryAfterMs);
    const id = createdId(res.json);
    if (id === null) {
      // Created, but we cannot name it: the next attempt finds it by phone number instead of creating another.
      throw new VendorOutcomeUnknownError(`Talkdesk answered ${res.status} to create callback without an id`, { httpStatus: res.status });
    }
    return { vendorRef: id, httpStatus: res.status, scheduledFor: plan.at, note: planNote(plan, req.dueAt) };
  }

  /** Reschedules at Talkdesk; a time it would refuse (ASAP, < 1 min ahead) becomes the earliest it accepts. */
  override async update(account: Account<TalkdeskSettings>, change: VendorChange): Promise<void> {
    const plan = planTimeToCall(change.dueAt, this.now());
    const res = await this.client.call(account, {
      method: 'PATCH',
      path: `/schedule-callbacks/${encodeURIComponent(change.vendorRef)}`,
      body: toPatchOps(plan, this.zoneFor(account, change.timezone)),
    });
    if (!ok(res.status)) throw errorFromResponse(res, 'reschedule callback', account.defaultRetryAfterMs);
  }

  override async cancel(account: Account<TalkdeskSettings>, vendorRef: string): Promise<void> {
    const res = await this.client.call(account, { method: 'DELETE', path: `/schedule-callbacks/${encodeURIComponent(vendorRef)}` });
    if (!ok(res.status)) throw errorFromResponse(res, 'cancel callback', account.defaultRetryAfterMs);
  }

  /** Closes the connection pool this adapter opened (once; a shared VendorHttp is its owner's to close). */
  async onModuleDestroy(): Promise<void> {
    if (!this.ownsHttp) return;
    this.ownsHttp = false;
    await this.http.close();
  }

  /** Talkdesk needs a zone to read the time in: the intent's, else the account's, else UTC. */
  private zoneFor(account: Account<TalkdeskSettings>, timezone: string | null): string {
    if (timezone && isValidTimeZone(timezone)) return timezone;
    if (account.defaultTimezone) return account.defaultTimezone;
    return 'UTC';
  }

  private now(): Date {
    return this.clock ? this.clock.now() : new Date();
  }
}
