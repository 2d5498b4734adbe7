/**
 * Intent → Zendesk wire body, and Zendesk answer → result or error class.
 * The status rules (issue + DESIGN "Errors"):
 *   401/403            → VendorMisconfiguredError (the account's credentials or role are wrong)
 *   408                → VendorRetryableError (Zendesk says it never received the whole request)
 *   429                → VendorRateLimitedError, Retry-After seconds, else account.defaultRetryAfterMs
 *   other 4xx          → VendorPermanentError with Zendesk's description and field details
 *   5xx                → VendorRetryableError
 *   anything else      → VendorPermanentError (a redirect means a wrong subdomain or base URL)
 * Phone numbers in Zendesk's messages are masked: error messages end up in logs and attempt rows.
 */
import { maskPhonesInText } from '../../common/phone';
import { parseRetryAfter, VendorResponse } from '../http/vendor-http';
import {
  VendorError,
  VendorMisconfiguredError,
  VendorPermanentError,
  VendorRateLimitedError,
  VendorRetryableError,
} from '../vendor.errors';
import type { ZendeskErrorBody } from './zendesk.types';

export interface CallbackRequestInput {
  phoneNumberId: number;
  requesterPhoneNumber: string;
  groupIds?: number[];
}

/**
 * The exact body of seeds/000: `{"callback_request":{"phone_number_id":…,"requester_phone_number":…}}`,
 * with `group_ids` only when given. Key order is fixed so the bytes are stable.
 */
export function buildCallbackRequestBody(input: CallbackRequestInput): string {
  const callbackRequest: Record<string, unknown> = {
    phone_number_id: input.phoneNumberId,
    requester_phone_number: input.requesterPhoneNumber,
  };
  if (input.groupIds && input.groupIds.length > 0) callbackRequest.group_ids = input.groupIds;
  return JSON.stringify({ callback_request: callbackRequest });
}

/**
 * The seed's 201 carries no body (`null`), so there is no Zendesk id to keep:
 * we use `zendesk:<intentId>`, stable across attempts. Should Zendesk start
 * returning `{"callback_request":{"id":…}}` (or `{"id":…}`), that id is used instead.
 */
export function readVendorRef(json: unknown, intentId: string): string {
  const obj = (json ?? {}) as { callback_request?: { id?: unknown }; id?: unknown };
  const id = obj.callback_request?.id ?? obj.id;
  if ((typeof id === 'number' && Number.isFinite(id)) || (typeof id === 'string' && /^[\w-]{1,64}$/.test(id))) return String(id);
  return `zendesk:${intentId}`;
}

export interface ZendeskErrorSummary {
  /** Zendesk's error code, e.g. RecordInvalid, RecordNotFound. */
  code: string | undefined;
  /** Zendesk's description plus field details, masked. */
  message: string;
}

/** Reads `{error, description, details}` (and the newer `{errors:[…]}`) into one readable line. */
export function describeZendeskError(res: Pick<VendorResponse, 'status' | 'json' | 'text'>): ZendeskErrorSummary {
  const body = (res.json && typeof res.json === 'object' ? res.json : {}) as ZendeskErrorBody;
  let code: string | undefined;
  let description: string | undefined = typeof body.description === 'string' ? body.description : undefined;
  if (typeof body.error === 'string') {
    // `{"error":"RecordInvalid"}` is a code; `{"error":"Couldn't authenticate you"}` is a sentence.
    if (/^[A-Za-z_]+$/.test(body.error)) code = body.error;
    else description ??= body.error;
  } else if (body.error && typeof body.error === 'object') {
    code = body.error.title;
    description ??= body.error.message;
  }
  const parts: string[] = [];
  if (body.details && typeof body.details === 'object') {
    for (const [field, problems] of Object.entries(body.details)) {
      const texts = Array.isArray(problems)
        ? problems.map((p) => p?.description ?? p?.error).filter((t): t is string => typeof t === 'string')
        : typeof problems === 'string' ? [problems] : [];
      if (texts.length) parts.push(`${field}: ${texts.join('; ')}`);
    }
  }
  if (Array.isArray(body.errors)) {
    for (const e of body.errors) {
      code ??= e?.code;
      const t = e?.detail ?? e?.title;
      if (t) parts.push(t);
    }
  }
  if (!description && !parts.length && res.text && !res.json) description = res.text.trim().slice(0, 200);
  let message = description ?? `HTTP ${res.status}`;
  if (parts.length) message += ` (${parts.join('; ')})`;
  return { code, message: maskPhonesInText(message) };
}

/**
 * The error a non-2xx answer becomes. `what` names the call in the message,
 * e.g. "callback request" or "phone number 1001".
 */
export function toVendorError(res: VendorResponse, what: string, defaultRetryAfterMs: number): VendorError {
  const { code, message } = describeZendeskError(res);
  const info = { httpStatus: res.status, vendorCode: code };
  const text = `Zendesk ${res.status}${code ? ` ${code}` : ''} on ${what}: ${message}`;
  const s = res.status;
  if (s === 401 || s === 403) return new VendorMisconfiguredError(`${text} (check the account's email, API token and agent role)`, info);
  if (s === 429) {
    // Only the header counts: a 429 from Zendesk's edge may come with a text/plain body and no Retry-After.
    return new VendorRateLimitedError(text, parseRetryAfter(res.headers['retry-after'], defaultRetryAfterMs), info);
  }
  if (s === 408) return new VendorRetryableError(text, info);
  if (s >= 500) return new VendorRetryableError(text, info);
  return new VendorPermanentError(text, info);
}
