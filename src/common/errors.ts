/**
 * Domain errors. Each carries its HTTP status and a stable code; the global
 * filter (http-exception.filter.ts) renders every one of them, and every other
 * error, as the one error body:
 *   {"error":{"code","message","details":[{"field","message"}]},"requestId"}
 */
export interface FieldProblem {
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldProblem[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** Response headers that belong with this error (WWW-Authenticate, Retry-After). */
  headers: Record<string, string> = {};
}

export class ValidationFailed extends DomainError {
  constructor(details: FieldProblem[], message = 'The request is invalid') {
    super(400, 'validation_failed', message, details);
  }
}

export class NotFound extends DomainError {
  constructor(what: string, id: string) {
    super(404, 'not_found', `${what} ${id} was not found`);
  }
}

export class DuplicateLiveCallback extends DomainError {
  constructor(readonly existingId: string | null) {
    super(
      409,
      'duplicate_live_callback',
      existingId
        ? `A live callback for this account and phone number already exists: ${existingId}`
        : 'A live callback for this account and phone number already exists (requested by another client)',
      [],
      existingId ? { existingId } : {},
    );
  }

  /** The live callback belongs to another client: refuse without naming it. */
  static ofOtherClient(): DuplicateLiveCallback {
    return new DuplicateLiveCallback(null);
  }
}

export class InvalidTransition extends DomainError {
  constructor(
    readonly currentStatus: string,
    action: string,
  ) {
    super(409, 'invalid_transition', `Cannot ${action} a callback whose status is ${currentStatus}`, [], { currentStatus });
  }
}

export class IdempotencyKeyReused extends DomainError {
  constructor() {
    super(422, 'idempotency_key_reused', 'This Idempotency-Key was already used with a different request body');
  }
}

/** The live callback we collided with kept changing while we looked: a safe retry. */
export class ConcurrentChange extends DomainError {
  constructor() {
    super(409, 'concurrent_change', 'The live callback for this account and phone number changed while the request was processed; retry it');
  }
}

export class VendorRefused extends DomainError {
  constructor(message: string, details: FieldProblem[] = []) {
    super(502, 'vendor_refused', message, details);
  }
}

export class VendorUnavailable extends DomainError {
  constructor(message: string) {
    super(503, 'vendor_unavailable', message);
  }
}

export class Unauthenticated extends DomainError {
  constructor(message = 'An API key is required: Authorization: Bearer <key>') {
    super(401, 'unauthenticated', message, [{ field: 'authorization', message }]);
    this.headers = { 'www-authenticate': 'Bearer realm="callback-orchestrator"' };
  }
}

export class MissingScope extends DomainError {
  constructor(scope: string) {
    super(403, 'insufficient_scope', `This API key lacks the scope ${scope}`, [{ field: 'authorization', message: `needs scope ${scope}` }], {
      requiredScope: scope,
    });
  }
}

export class Throttled extends DomainError {
  constructor(retryAfterSeconds: number, limit: number, windowSeconds: number) {
    super(429, 'rate_limited', `Too many requests: at most ${limit} per ${windowSeconds} s for this client; retry after ${retryAfterSeconds} s`, [], {
      retryAfterSeconds,
    });
    this.headers = { 'retry-after': String(retryAfterSeconds) };
  }
}

/** A calling window needs the callee's zone and none was given or could be inferred. */
export class TimezoneRequired extends DomainError {
  constructor(message: string) {
    super(422, 'timezone_required', message, [{ field: 'timezone', message }]);
  }
}

/** outsideWindow: reject, and the requested time is not allowed (window, business hours, holiday, attempt limit). */
export class OutsideAllowedTime extends DomainError {
  constructor(code: string, message: string, field: string, extra: Record<string, unknown>) {
    super(422, code, message, [{ field, message }], extra);
  }
}

/** The rules leave no time to call within the look-ahead (e.g. business hours never overlap the callee's window). */
export class NoOpening extends DomainError {
  constructor(message: string) {
    super(422, 'no_opening', message, [{ field: 'scheduledAt', message }]);
  }
}
