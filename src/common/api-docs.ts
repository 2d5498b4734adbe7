/**
 * OpenAPI pieces shared by every controller: the one error body as a schema,
 * and `ApiErrors(...)`, which documents the error answers a route can give
 * (each with an example), so a generated client knows every response.
 */
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';

export class FieldProblemView {
  @ApiProperty({ example: 'phoneNumber' }) field!: string;
  @ApiProperty({ example: 'phoneNumber must be a valid phone number in E.164 format, e.g. +12518717081' }) message!: string;
}

export class ErrorDetailView {
  @ApiProperty({ description: 'Stable machine-readable code', example: 'validation_failed' }) code!: string;
  @ApiProperty({ example: 'The request is invalid' }) message!: string;
  @ApiProperty({ type: [FieldProblemView] }) details!: FieldProblemView[];
  @ApiPropertyOptional({ format: 'uuid', description: 'duplicate_live_callback: the live callback' }) existingId?: string;
  @ApiPropertyOptional({ description: 'invalid_transition: the status that forbids the change', example: 'dispatched' }) currentStatus?: string;
  @ApiPropertyOptional({ description: 'insufficient_scope: the scope the route needs', example: 'callbacks:write' }) requiredScope?: string;
}

export class ErrorResponse {
  @ApiProperty({ type: ErrorDetailView }) error!: ErrorDetailView;
  @ApiProperty({ description: 'Also in the X-Request-Id header', example: '6f1c2a0e-0b7e-4a57-9a43-3c2b0c1f9d10' }) requestId!: string;
}

const example = (code: string, message: string, details: { field: string; message: string }[] = [], extra: Record<string, unknown> = {}) => ({
  error: { code, message, details, ...extra },
  requestId: '6f1c2a0e-0b7e-4a57-9a43-3c2b0c1f9d10',
});

const ERRORS: Record<number, { description: string; example: unknown }> = {
  400: {
    description: 'Invalid input; details name each field (validation_failed, malformed_json)',
    example: example('validation_failed', 'The request is invalid', [{ field: 'phoneNumber', message: 'phoneNumber must be a valid phone number in E.164 format, e.g. +12518717081' }]),
  },
  401: {
    description: 'No API key, or an unknown, revoked or expired one (unauthenticated)',
    example: example('unauthenticated', 'An API key is required: Authorization: Bearer <key>', [{ field: 'authorization', message: 'An API key is required: Authorization: Bearer <key>' }]),
  },
  403: {
    description: 'The API key lacks the scope this route needs (insufficient_scope, error.requiredScope)',
    example: example('insufficient_scope', 'This API key lacks the scope callbacks:write', [{ field: 'authorization', message: 'needs scope callbacks:write' }], { requiredScope: 'callbacks:write' }),
  },
  404: { description: 'Not found, or owned by another calling service (not_found)', example: example('not_found', 'callback 5b0c… was not found') },
  409: {
    description: 'Conflict: duplicate_live_callback (error.existingId), invalid_transition (error.currentStatus), concurrent_change, too_many_webhooks',
    example: example('invalid_transition', 'Cannot cancel a callback whose status is dispatched', [], { currentStatus: 'dispatched' }),
  },
  413: { description: 'Body larger than BODY_LIMIT_BYTES (payload_too_large)', example: example('payload_too_large', 'The request body is larger than the limit', [{ field: 'body', message: 'The request body is larger than the limit' }]) },
  415: { description: 'Body is not application/json (unsupported_media_type)', example: example('unsupported_media_type', 'Content-Type must be application/json', [{ field: 'content-type', message: 'Content-Type must be application/json' }]) },
  422: {
    description:
      'Unprocessable: Idempotency-Key reused with a different body (idempotency_key_reused); outside the calling window / business hours with outsideWindow reject (error.nextOpening); timezone_required; no_opening',     example: example('idempotency_key_reused', 'This Idempotency-Key was already used with a different request body'),
  },
  502: { description: 'The vendor refused the change (vendor_refused); nothing changed here', example: example('vendor_refused', 'Talkdesk refused the cancel: callback already completed') },
  503: { description: 'The vendor did not answer (vendor_unavailable); our record is unchanged, retry', example: example('vendor_unavailable', 'Talkdesk did not answer the cancel in time') },
};

/** Documents the given error statuses with the one error schema; 400, 401, 403 and 500 go on every route. */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  const all = [...new Set([400, 401, 403, ...statuses])].sort();
  return applyDecorators(
    ...all.map((status) => ApiResponse({ status, type: ErrorResponse, description: ERRORS[status].description, example: ERRORS[status].example })),
    ApiResponse({ status: 500, type: ErrorResponse, description: 'Internal error (internal_error)', example: example('internal_error', 'Internal error') }),
  );
}
