/**
 * What an adapter throws when a vendor call does not succeed. The processor
 * maps each class to an attempt outcome and a next step:
 *   VendorPermanentError     → outcome permanent, intent failed, no retry
 *   VendorMisconfiguredError → same, and the account is reported in readiness
 *   VendorRetryableError     → outcome retryable, retried with backoff
 *   VendorRateLimitedError   → the account's queue waits retryAfterMs; no attempt spent
 *   VendorOutcomeUnknownError→ outcome unknown: the request may have reached the vendor
 */
export interface VendorErrorInfo {
  httpStatus?: number;
  vendorCode?: string;
}

export abstract class VendorError extends Error {
  constructor(
    message: string,
    readonly info: VendorErrorInfo = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class VendorPermanentError extends VendorError {}

export class VendorMisconfiguredError extends VendorPermanentError {}

export class VendorRetryableError extends VendorError {}

export class VendorRateLimitedError extends VendorError {
  constructor(
    message: string,
    readonly retryAfterMs: number,
    info: VendorErrorInfo = {},
  ) {
    super(message, info);
  }
}

export class VendorOutcomeUnknownError extends VendorError {}
