/**
 * Salesforce Voice: asks Salesforce to call a customer back by creating a
 * ContactRequest tied to an earlier call
 * (POST https://{MyDomain}.my.salesforce-scrt.com/telephony/v1/voiceCalls/{callId}/requestCallback),
 * routed by Omni-Channel. The ContactRequest's recordId is the vendor reference.
 *
 * Scheduling: Salesforce routes at `scheduledRoutingDateTime`, so it schedules
 * natively. We hand the intent over HAND_OVER_AHEAD_MS before it is due: enough
 * for queue latency, a 429 wait or a couple of retries to pass without making
 * the call late, yet short, because this API has no update or cancel — a
 * reschedule or cancel made after hand-over stays with us and does not reach
 * Salesforce. Far-future intents therefore wait in our queue, not at Salesforce.
 *
 * Auth failures are remembered per account (cleared by the next success) so
 * readiness can report the account through checkAuth().
 */
import { Injectable, OnModuleDestroy, Optional } from '@nestjs/common';
import { Clock, SystemClock } from '../../common/clock';
import type { FieldProblem } from '../../common/errors';
import type { Account } from '../../config/accounts';
import { AuthCheck, DispatchRequest, DispatchResult, VendorAdapter, VendorCapabilities } from '../vendor-adapter';
import { VendorMisconfiguredError, VendorPermanentError } from '../vendor.errors';
import { SalesforceClient } from './salesforce.client';
import { buildCallbackCall, toDispatchResult, toVendorError } from './salesforce.mapper';
import type { SalesforceSettings } from './salesforce.types';
import { parseSalesforceSettings, validateSalesforceRouting } from './salesforce.validation';

export const HAND_OVER_AHEAD_MS = 5 * 60_000;


@Injectable()
export class SalesforceAdapter extends VendorAdapter<SalesforceSettings> implements OnModuleDestroy {
  readonly vendor = 'salesforce' as const;
  readonly capabilities: VendorCapabilities = {
    nativeScheduling: true,
    minLeadMs: 0,
    handOverAheadMs: HAND_OVER_AHEAD_MS,
    canUpdate: false,
    canCancel: false,
    canLookup: false,
  };

  private readonly clock: Clock;
  private readonly clients = new Map<string, { client: SalesforceClient; settings: SalesforceSettings; baseUrl: string | null }>();
  private readonly authFailures = new Map<string, string>();

  constructor(@Optional() clock?: Clock) {
    super();
    this.clock = clock ?? new SystemClock();
  }

  validateAccount(raw: Record<string, unknown>, env: Record<string, string | undefined>): SalesforceSettings {
    return parseSalesforceSettings(raw, env);
  }

  validateRouting(routing: Record<string, unknown>): FieldProblem[] {
    return validateSalesforceRouting(routing);
  }

  async dispatch(account: Account<SalesforceSettings>, req: DispatchRequest): Promise<DispatchResult> {
    // Routing was checked at creation; re-checked because an intent can outlive a change of rules.
    const problems = validateSalesforceRouting(req.routing);
    if (problems.length) throw new VendorPermanentError(`${problems[0].field} ${problems[0].message}`);
    const call = buildCallbackCall(req.phoneNumber, req.dueAt, req.routing as { voiceCallId: string; isPreviewCallback?: boolean }, this.clock.now());
    const client = this.clientFor(account);
    try {
      const res = await client.requestCallback(call.callId, call.body);
      if (res.status < 200 || res.status >= 300) throw toVendorError(res, account, this.clock.now());
      const result = toDispatchResult(res, call);
      this.authFailures.delete(account.id);
      return result;
    } catch (err) {
      if (err instanceof VendorMisconfiguredError) {
        this.authFailures.set(account.id, err.message);
        client.signer.invalidate();
      }
      throw err;
    }
  }

  /** Whether the last call for this account was refused for auth (a later success clears it). */
  override checkAuth(account: Pick<Account, 'id'>): Promise<AuthCheck> {
    const reason = this.authFailures.get(account.id);
    return Promise.resolve(reason ? { ok: false, reason } : { ok: true });
  }

  async onModuleDestroy(): Promise<void> {
    const closing = [...this.clients.values()].map((c) => c.client.close());
    this.clients.clear();
    await Promise.allSettled(closing);
  }

  /** One client per account; rebuilt if the account's settings object was replaced. */
  private clientFor(account: Account<SalesforceSettings>): SalesforceClient {
    const known = this.clients.get(account.id);
    if (known && known.settings === account.settings && known.baseUrl === account.baseUrl) return known.client;
    if (known) known.client.close().catch(() => undefined);
    const client = new SalesforceClient(account.id, account.settings, account.baseUrl, this.clock);
    this.clients.set(account.id, { client, settings: account.settings, baseUrl: account.baseUrl });
    return client;
  }
}
