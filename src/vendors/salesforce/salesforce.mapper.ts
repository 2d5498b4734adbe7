/**
 * Intent → the requestCallback body, and Salesforce's answer → a DispatchResult
 * or one of vendor.errors.ts:
 *   2xx with recordId   → dispatched, recordId is the vendor reference
 *   2xx without one     → unknown (something may have been created; we cannot tell what)
 *   401 / 403           → misconfigured account (key, certificate or claims), permanent
 *   429                 → rate limited, waits Retry-After (or the account's default)
 *   408, 5xx            → retryable
 *   any other status    → permanent, with Salesforce's message
 * Phone numbers inside Salesforce's messages are masked before they reach an attempt record.
 */
import { maskPhonesInText } from '../../common/phone';
import type { Account } from '../../config/accounts';
import { parseRetryAfter, type VendorResponse } from '../http/vendor-http';
import type { DispatchResult } from '../vendor-adapter';
import {
  VendorError,
  VendorMisconfiguredError,
  VendorOutcomeUnknownError,
  VendorPermanentError,
  VendorRateLimitedError,
  VendorRetryableError,
} from '../vendor.errors';
import type { RequestCallbackBody, SalesforceSettings } from './salesforce.types';

export interface CallbackCall {
  callId: string;
  body: RequestCallbackBody;
  /** Set when the due time went to Salesforce as scheduledRoutingDateTime. */
  scheduledFor: Date | null;
}

/**
 * Salesforce takes ISO 8601; its example has whole seconds and Z. Rounded up,
 * so the customer is never routed before the time they asked for.
 */
export function toSalesforceDateTime(at: Date): string {
  const ms = Math.ceil(at.getTime() / 1000) * 1000;
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/**
 * A due time still ahead is handed to Salesforce (native scheduling); one that
 * has passed — the intent was due now, or retries ran past it — is left out
 * so Omni-Channel routes the callback at once rather than at a time in the past.
 */
export function buildCallbackCall(
  phoneNumber: string,
  dueAt: Date | null,
  routing: { voiceCallId: string; isPreviewCallback?: boolean },
  now: Date,
): CallbackCall {
  const body: RequestCallbackBody = { callbackNumber: phoneNumber, isPreviewCallback: routing.isPreviewCallback ?? false };
  let scheduledFor: Date | null = null;
  if (dueAt && dueAt.getTime() > now.getTime()) {
    body.scheduledRoutingDateTime = toSalesforceDateTime(dueAt);
    scheduledFor = new Date(body.scheduledRoutingDateTime);
  }
  return { callId: routing.voiceCallId, body, scheduledFor };
}

export interface SalesforceProblem {
  code?: string;
  message: string;
}

/**
 * Salesforce's error shape for this API is not documented. Its platform REST
 * APIs answer `[{"errorCode","message"}]`; others answer `{"errorCode","message"}`
 * or OAuth-style `{"error","error_description"}`. All are read; else the raw text.
 */
export function readProblem(res: VendorResponse): SalesforceProblem {
  const first = Array.isArray(res.json) ? res.json[0] : res.json;
  const o = first && typeof first === 'object' ? (first as Record<string, unknown>) : null;
  const pick = (...keys: string[]) => {
    for (const k of keys) if (o && typeof o[k] === 'string' && o[k]) return o[k] as string;
    return undefined;
  };
  const code = pick('errorCode', 'error', 'code');
  const message = pick('message', 'error_description', 'description') ?? (res.text.trim().slice(0, 300) || `HTTP ${res.status}`);
  return { code, message: maskPhonesInText(message) };
}

export function toDispatchResult(res: VendorResponse, call: CallbackCall): DispatchResult {
  const recordId = (res.json as { recordId?: unknown } | undefined)?.recordId;
  if (typeof recordId !== 'string' || recordId === '') {
    throw new VendorOutcomeUnknownError(`Salesforce answered ${res.status} without a recordId; a ContactRequest may have been created`, {
      httpStatus: res.status,
    });
  }
  const result: DispatchResult = { vendorRef: recordId, httpStatus: res.status };
  if (call.scheduledFor) {
    result.scheduledFor = call.scheduledFor;
    result.note = `scheduled at Salesforce for ${call.body.scheduledRoutingDateTime}`;
  }
  return result;
}

export function toVendorError(res: VendorResponse, account: Account<SalesforceSettings>, now: Date): VendorError {
  const { code, message } = readProblem(res);
  const info = { httpStatus: res.status, vendorCode: code };
  const said = `${res.status}${code ? ` ${code}` : ''}: ${message}`;
  if (res.status === 401 || res.status === 403) {
    const s = account.settings;
    return new VendorMisconfiguredError(
      `Salesforce account ${account.id} is misconfigured: its JWT was refused (${said}). ` +
        `Check the private key in ${s.privateKeyEnv} against the certificate on the CallCenter record, ` +
        `orgId (iss ${s.orgId}), callCenterApiName (sub ${s.callCenterApiName}) and the server clock`,
      info,
    );
  }
  if (res.status === 429) {
    const wait = parseRetryAfter(res.headers['retry-after'], account.defaultRetryAfterMs, now);
    return new VendorRateLimitedError(`Salesforce rate limit (${said})`, wait, info);
  }
  if (res.status === 408 || res.status >= 500) return new VendorRetryableError(`Salesforce is unavailable (${said})`, info);
  return new VendorPermanentError(`Salesforce refused the callback (${said})`, info);
}
