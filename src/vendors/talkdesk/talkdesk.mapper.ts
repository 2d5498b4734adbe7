/**
 * Pure mapping between our intents and Talkdesk's wire shapes: the time to
 * call (with Talkdesk's 1-minute lead rule), create and patch bodies, list
 * pages, and Talkdesk answers → results or vendor error classes.
 */
import type { FieldProblem } from '../../common/errors';
import { maskPhonesInText, normalizeE164 } from '../../common/phone';
import type { VendorResponse } from '../http/vendor-http';
import { parseRetryAfter } from '../http/vendor-http';
import {
  VendorError,
  VendorMisconfiguredError,
  VendorPermanentError,
  VendorRateLimitedError,
  VendorRetryableError,
} from '../vendor.errors';
import {
  LEAD_SAFETY_MS,
  OPEN_STATUSES,
  TALKDESK_MIN_LEAD_MS,
  TalkdeskCallback,
  TalkdeskCreateBody,
  TalkdeskErrorBody,
  TalkdeskPatchOp,
  TalkdeskRouting,
} from './talkdesk.types';

export interface TimeToCallPlan {
  at: Date;
  /** Why `at` is not the intent's own due time; null when it is. */
  adjusted: null | 'asap' | 'short_lead';
}

/** Whole seconds, rounded up: never call earlier than asked, and keep the wire format plain. */
function ceilToSecond(ms: number): Date {
  return new Date(Math.ceil(ms / 1000) * 1000);
}

/** The earliest time Talkdesk accepts for a request sent at `now`, with room for clock skew and transit. */
export function earliestAccepted(now: Date): Date {
  return ceilToSecond(now.getTime() + TALKDESK_MIN_LEAD_MS + LEAD_SAFETY_MS);
}

/** The intent's due time when Talkdesk will take it, else the earliest time it will. */
export function planTimeToCall(dueAt: Date | null, now: Date): TimeToCallPlan {
  const earliest = earliestAccepted(now);
  if (dueAt === null) return { at: earliest, adjusted: 'asap' };
  const at = ceilToSecond(dueAt.getTime());
  if (at.getTime() < earliest.getTime()) return { at: earliest, adjusted: 'short_lead' };
  return { at, adjusted: null };
}

/** `2026-03-01T14:30:00Z`: UTC, whole seconds. */
export function formatTimeToCall(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function planNote(plan: TimeToCallPlan, dueAt: Date | null): string | undefined {
  const at = formatTimeToCall(plan.at);
  if (plan.adjusted === 'asap') return `as soon as possible: sent with the earliest time Talkdesk accepts (${at})`;
  if (plan.adjusted === 'short_lead') {
    return `due ${dueAt?.toISOString()} is closer than Talkdesk's 1-minute lead: sent with the earliest time it accepts (${at})`;
  }
  return undefined;
}

export function toCreateBody(phoneNumber: string, plan: TimeToCallPlan, timezone: string, routing: TalkdeskRouting, notes: string | null): TalkdeskCreateBody {
  const body: TalkdeskCreateBody = {
    phoneNumber,
    timeToCall: formatTimeToCall(plan.at),
    timezone,
    assignmentType: routing.assignmentType,
    ...(routing.assignees.length ? { assignees: routing.assignees } : {}),
    callerId: routing.callerId,
    dialingMode: 'PREVIEW',
  };
  if (routing.interactionId) body.interactionId = routing.interactionId;
  if (notes) body.notes = notes;
  return body;
}

export function toPatchOps(plan: TimeToCallPlan, timezone: string): TalkdeskPatchOp[] {
  return [
    { op: 'replace', path: '/timeToCall', value: formatTimeToCall(plan.at) },
    { op: 'replace', path: '/timezone', value: timezone },
  ];
}

/** The id of a created callback, or null when the answer does not carry one. */
export function createdId(json: unknown): string | null {
  const id = (json as { id?: unknown } | undefined)?.id;
  if (typeof id === 'string' && id !== '') return id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  return null;
}

export interface CallbackPage {
  callbacks: TalkdeskCallback[];
  hasNext: boolean;
}

/** One HAL page of `GET /schedule-callbacks`. A next page is announced by `_links.next` or by page < total_pages. */
export function parseCallbackPage(json: unknown, page: number): CallbackPage {
  const doc = (json ?? {}) as { _embedded?: { callbacks?: unknown }; _links?: { next?: unknown }; total_pages?: unknown; page?: unknown };
  const list = doc._embedded?.callbacks;
  const callbacks = Array.isArray(list) ? (list.filter((c) => c && typeof c === 'object') as TalkdeskCallback[]) : [];
  const totalPages = typeof doc.total_pages === 'number' ? doc.total_pages : null;
  const current = typeof doc.page === 'number' ? doc.page : page;
  const hasNext = callbacks.length > 0 && (doc._links?.next !== undefined || (totalPages !== null && current < totalPages));
  return { callbacks, hasNext };
}

/**
 * An open callback for the number. The list was already filtered by number and
 * status; fields that are present are checked again so a filter Talkdesk ignored
 * cannot link us to someone else's callback.
 */
export function findOpenCallback(callbacks: TalkdeskCallback[], phoneNumber: string): TalkdeskCallback | null {
  for (const c of callbacks) {
    if (createdId(c) === null) continue;
    if (typeof c.status === 'string' && !(OPEN_STATUSES as readonly string[]).includes(c.status)) continue;
    const phone = c.phoneNumber ?? c.phone_number ?? c.contactPhoneNumber;
    if (typeof phone === 'string' && normalizeE164(phone) !== phoneNumber) continue;
    return c;
  }
  return null;
}

export function parseTime(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** A vendor error that also carries Talkdesk's own message and field problems, for the service to show. */
export type TalkdeskError = VendorError & { vendorMessage: string; details: FieldProblem[] };

function withDetails<E extends VendorError>(err: E, vendorMessage: string, details: FieldProblem[]): E & TalkdeskError {
  return Object.assign(err, { vendorMessage, details });
}

/** Talkdesk's `{code, message, description?, fields[]}` (or an OAuth `{error, error_description}`) as text and fields. */
export function describeErrorBody(res: VendorResponse): { code?: string; message: string; details: FieldProblem[] } {
  const body = (res.json ?? {}) as TalkdeskErrorBody & { error?: unknown; error_description?: unknown };
  const code = body.code !== undefined ? String(body.code) : typeof body.error === 'string' ? body.error : undefined;
  let message = typeof body.message === 'string' ? body.message : typeof body.error_description === 'string' ? body.error_description : '';
  if (typeof body.description === 'string' && body.description !== message) message = message ? `${message} (${body.description})` : body.description;
  if (!message) message = res.text ? res.text.slice(0, 200) : `HTTP ${res.status}`;
  const details = Array.isArray(body.fields)
    ? body.fields.map((f) => ({ field: String(f?.name ?? ''), message: maskPhonesInText(String(f?.description ?? '')) }))
    : [];
  return { code, message: maskPhonesInText(message), details };
}

/**
 * Maps a non-2xx answer. `what` says which call it was ("create callback").
 * 401 reaches here only after the one token refresh, so it means bad credentials.
 */
export function errorFromResponse(res: VendorResponse, what: string, defaultRetryAfterMs: number): TalkdeskError {
  const { code, message, details } = describeErrorBody(res);
  const fields = details.length ? `; ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}` : '';
  const text = `Talkdesk ${what} answered ${res.status}${code ? ` ${code}` : ''}: ${message}${fields}`;
  const info = { httpStatus: res.status, vendorCode: code };
  const s = res.status;
  if (s === 429) {
    return withDetails(new VendorRateLimitedError(text, parseRetryAfter(res.headers['retry-after'], defaultRetryAfterMs), info), message, details);
  }
  if (s === 401 || s === 403) return withDetails(new VendorMisconfiguredError(text, info), message, details);
  if (s === 408 || s >= 500) return withDetails(new VendorRetryableError(text, info), message, details);
  return withDetails(new VendorPermanentError(text, info), message, details);
}
