/**
 * Zendesk Talk adapter: one callback request per intent,
 *   POST /api/v2/channels/voice/callback_requests
 *   {"callback_request":{"phone_number_id":…,"requester_phone_number":…,"group_ids":[…]}}
 * Zendesk cannot schedule, update, cancel or look up a callback request, so the
 * processor holds the intent and hands it over when due; Zendesk then rings
 * when an agent is free. Before each request the Talk number is checked (exists,
 * capabilities.voice), cached per account and number, so a wrong number fails
 * as one clear permanent error instead of spending the 30-per-10-minutes budget.
 * Accounts share this singleton; each gets its own client (base URL, Basic
 * auth, timeouts, keep-alive pool). Retries belong to the processor, not here.
 */
import { Injectable, OnModuleDestroy, Optional } from '@nestjs/common';
import { Clock, SystemClock } from '../../common/clock';
import type { FieldProblem } from '../../common/errors';
import type { Account } from '../../config/accounts';
import { DispatchRequest, DispatchResult, VendorAdapter, SEND_WHEN_DUE, VendorCapabilities } from '../vendor-adapter';
import { VendorOutcomeUnknownError, VendorPermanentError, VendorRetryableError } from '../vendor.errors';
import { ZendeskClient } from './zendesk.client';
import { buildCallbackRequestBody, describeZendeskError, readVendorRef } from './zendesk.mapper';
import { ZendeskPhoneNumbersClient } from './zendesk-phone-numbers.client';
import { resolveZendeskRouting, validateZendeskAccount, validateZendeskRouting } from './zendesk.settings';
import type { ZendeskPhoneNumber, ZendeskRateLimitInfo, ZendeskSettings } from './zendesk.types';

export const CALLBACK_REQUESTS_PATH = '/api/v2/channels/voice/callback_requests';
const E164 = /^\+[1-9]\d{6,14}$/;
/** Past this many remembered checks, expired ones are dropped (ids are few; this only bounds a bad client). */
const CHECK_CACHE_SWEEP = 500;

type NumberVerdict = { ok: true } | { ok: false; reason: string; httpStatus: number; vendorCode?: string };

@Injectable()
export class ZendeskAdapter extends VendorAdapter<ZendeskSettings> implements OnModuleDestroy {
  readonly vendor = 'zendesk' as const;
  readonly capabilities: VendorCapabilities = SEND_WHEN_DUE;
  /** Zendesk's documented limit for creating callback requests. */
  override readonly defaultRateLimit = { max: 30, windowMs: 600_000 };

  private readonly clock: Clock;
  private readonly clients = new Map<string, { account: Account<ZendeskSettings>; client: ZendeskClient }>();
  private readonly numberChecks = new Map<string, { verdict: NumberVerdict; expiresAt: number }>();

  constructor(@Optional() clock?: Clock) {
    super();
    this.clock = clock ?? new SystemClock();
  }

  validateAccount(raw: Record<string, unknown>, env: Record<string, string | undefined>): ZendeskSettings {
    return validateZendeskAccount(raw, env);
  }

  validateRouting(routing: Record<string, unknown>, account: Account<ZendeskSettings>): FieldProblem[] {
    return validateZendeskRouting(routing, account);
  }

  async dispatch(account: Account<ZendeskSettings>, req: DispatchRequest): Promise<DispatchResult> {
    // Routing was checked at creation; checked again because the account default may have changed since.
    const problems = validateZendeskRouting(req.routing ?? {}, account);
    if (problems.length) throw new VendorPermanentError(`invalid Zendesk routing: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`);
    if (!E164.test(req.phoneNumber)) throw new VendorPermanentError('requester_phone_number must be in E.164 format');
    const routing = resolveZendeskRouting(req.routing ?? {}, account);
    const client = this.clientFor(account);
    if (account.settings.verifyPhoneNumber) await this.checkPhoneNumber(account, client, routing.phoneNumberId);

    const body = buildCallbackRequestBody({ phoneNumberId: routing.phoneNumberId, requesterPhoneNumber: req.phoneNumber, groupIds: routing.groupIds });
    const answer = await client.call({ method: 'POST', path: CALLBACK_REQUESTS_PATH, body, what: 'callback request' });
    const notes: string[] = [];
    // Zendesk offers no way to ask whether the earlier request landed; the account's unknownOutcomePolicy chose to resend.
    if (req.previousOutcomeUnknown) notes.push('sent again after an attempt with unknown outcome (Zendesk cannot be asked)');
    const rl = answer.rateLimit;
    if (rl.remaining !== null) notes.push(`Zendesk rate limit remaining ${rl.remaining}${rl.limit !== null ? ` of ${rl.limit}` : ''}`);
    return { vendorRef: readVendorRef(answer.json, req.intentId), httpStatus: answer.status, note: notes.length ? notes.join('; ') : undefined };
  }

  /** The phone numbers API for an account (operators' tooling; not used by dispatch beyond show). */
  phoneNumbers(account: Account<ZendeskSettings>): ZendeskPhoneNumbersClient {
    return new ZendeskPhoneNumbersClient(this.clientFor(account));
  }

  /** X-Rate-Limit / X-Rate-Limit-Remaining of the account's latest answer, null before any. */
  rateLimitStatus(accountId: string): ZendeskRateLimitInfo | null {
    return this.clients.get(accountId)?.client.lastRateLimit ?? null;
  }

  /** Forgets cached phone number checks (e.g. after an operator fixed a number). */
  forgetPhoneNumberChecks(accountId?: string): void {
    for (const key of [...this.numberChecks.keys()]) if (!accountId || key.startsWith(`${accountId}:`)) this.numberChecks.delete(key);
  }

  async onModuleDestroy(): Promise<void> {
    const all = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(all.map((e) => e.client.close()));
  }

  private clientFor(account: Account<ZendeskSettings>): ZendeskClient {
    const entry = this.clients.get(account.id);
    if (entry && entry.account === account) return entry.client;
    // A different object under the same id means the account was re-declared: drop the old pool.
    if (entry) void entry.client.close();
    const client = new ZendeskClient(account, () => this.clock.now());
    this.clients.set(account.id, { account, client });
    return client;
  }

  private async checkPhoneNumber(account: Account<ZendeskSettings>, client: ZendeskClient, id: number): Promise<void> {
    const key = `${account.id}:${id}`;
    const now = this.clock.now().getTime();
    let verdict = this.numberChecks.get(key);
    if (!verdict || verdict.expiresAt <= now) {
      verdict = { verdict: await this.fetchVerdict(client, id), expiresAt: now + account.settings.phoneNumberCacheMs };
      if (account.settings.phoneNumberCacheMs > 0) this.remember(key, verdict, now);
    }
    const v = verdict.verdict;
    if (!v.ok) throw new VendorPermanentError(`phone_number_id ${id} ${v.reason}; no callback request was sent`, { httpStatus: v.httpStatus, vendorCode: v.vendorCode });
  }

  private async fetchVerdict(client: ZendeskClient, id: number): Promise<NumberVerdict> {
    let answer;
    try {
      answer = await new ZendeskPhoneNumbersClient(client).showRaw(id);
    } catch (e) {
      // A GET changes nothing at Zendesk and no callback request left yet: "unknown" here is simply retryable.
      if (e instanceof VendorOutcomeUnknownError) throw new VendorRetryableError(`checking phone_number_id ${id}: ${e.message}`, e.info);
      throw e;
    }
    if (answer.status === 404) {
      const { code, message } = describeZendeskError(answer);
      return { ok: false, reason: `was not found in Zendesk Talk (${code ?? 'RecordNotFound'}: ${message})`, httpStatus: 404, vendorCode: code ?? 'RecordNotFound' };
    }
    const number = (answer.json as { phone_number?: ZendeskPhoneNumber } | undefined)?.phone_number;
    if (!number || number.capabilities?.voice !== true) {
      return { ok: false, reason: 'is not a voice-capable Talk number (capabilities.voice is not true)', httpStatus: answer.status, vendorCode: 'NotVoiceCapable' };
    }
    return { ok: true };
  }

  private remember(key: string, entry: { verdict: NumberVerdict; expiresAt: number }, now: number): void {
    if (this.numberChecks.size >= CHECK_CACHE_SWEEP) {
      for (const [k, v] of this.numberChecks) if (v.expiresAt <= now) this.numberChecks.delete(k);
    }
    this.numberChecks.set(key, entry);
  }
}
