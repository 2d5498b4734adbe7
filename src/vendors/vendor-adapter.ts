/**
 * The vendor port. One adapter per vendor kind; accounts of that kind share it
 * and pass their settings on every call. Adapters are registered in
 * vendors.module.ts and found by `VendorRegistry.forAccount`.
 *
 * Contract for adapters:
 * - `validateAccount` checks the vendor block of an accounts-file entry at boot
 *   and returns the typed settings (secrets resolved from the environment
 *   variables the entry names). Throw an Error naming the field/variable.
 * - `validateRouting` runs at creation time, before anything is written: a
 *   problem is a 400 naming `routing.<field>`.
 * - `dispatch` sends one callback and returns the vendor's reference, or throws
 *   one of vendor.errors.ts. It must not retry by itself: the processor owns retries.
 */
import type { FieldProblem } from '../common/errors';
import type { Account, RateLimit } from '../config/accounts';

export type VendorKind = 'simulator' | 'zendesk' | 'talkdesk' | 'salesforce';

export interface VendorCapabilities {
  /** The vendor holds the callback until a time we give it. */
  nativeScheduling: boolean;
  /** The vendor needs the time to call at least this far after the request. */
  minLeadMs: number;
  /** With native scheduling: hand the intent over this long before it is due. */
  handOverAheadMs: number;
  /** A dispatched callback can be rescheduled at the vendor. */
  canUpdate: boolean;
  /** A dispatched callback can be cancelled at the vendor. */
  canCancel: boolean;
  /** The vendor can be asked whether a request whose outcome is unknown landed. */
  canLookup: boolean;
}

/** A vendor with no scheduling of its own: we hold the intent until due; nothing to update, cancel or ask. */
export const SEND_WHEN_DUE: VendorCapabilities = Object.freeze({
  nativeScheduling: false,
  minLeadMs: 0,
  handOverAheadMs: 0,
  canUpdate: false,
  canCancel: false,
  canLookup: false,
});

export interface AuthCheck {
  ok: boolean;
  reason?: string;
}

export interface DispatchRequest {
  intentId: string;
  phoneNumber: string;
  /** When the customer should be called; null = as soon as possible. */
  dueAt: Date | null;
  timezone: string | null;
  notes: string | null;
  routing: Record<string, unknown>;
  /** 1-based number of this attempt. */
  attempt: number;
  /** A previous attempt may have reached the vendor. */
  previousOutcomeUnknown: boolean;
}

export interface DispatchResult {
  vendorRef: string;
  httpStatus?: number;
  /** Said in the attempt record, e.g. "linked to existing callback". */
  note?: string;
  /** With native scheduling, the time the vendor will call (may be later than asked). */
  scheduledFor?: Date;
}

export interface VendorChange {
  vendorRef: string;
  dueAt: Date | null;
  timezone: string | null;
}

export abstract class VendorAdapter<S = unknown> {
  abstract readonly vendor: VendorKind;
  abstract readonly capabilities: VendorCapabilities;
  /** Used when the account sets no rateLimit; null = no limit of ours. */
  readonly defaultRateLimit: RateLimit | null = null;

  abstract validateAccount(raw: Record<string, unknown>, env: Record<string, string | undefined>): S;

  abstract validateRouting(routing: Record<string, unknown>, account: Account<S>): FieldProblem[];

  abstract dispatch(account: Account<S>, req: DispatchRequest): Promise<DispatchResult>;

  /** How long before the due time this account's intents are handed over (native scheduling). */
  handOverAheadFor(_account: Account<S>): number {
    return this.capabilities.handOverAheadMs;
  }

  /** Whether the vendor last refused this account's credentials (readiness reports it). */
  checkAuth(_account: Account<S>): Promise<AuthCheck> {
    return Promise.resolve({ ok: true });
  }

  /** Carries a reschedule to the vendor. Only called when capabilities.canUpdate. */
  update(_account: Account<S>, _change: VendorChange): Promise<void> {
    return Promise.reject(new Error(`${this.vendor} cannot update callbacks`));
  }

  /** Carries a cancel to the vendor. Only called when capabilities.canCancel. */
  cancel(_account: Account<S>, _vendorRef: string): Promise<void> {
    return Promise.reject(new Error(`${this.vendor} cannot cancel callbacks`));
  }
}
