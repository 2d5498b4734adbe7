import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, FieldProblem } from './errors';

interface ErrorBody {
  error: { code: string; message: string; details: FieldProblem[]; [k: string]: unknown };
  requestId: string;
}

/** Fastify's own errors (body parsing, limits) keyed by their code. */
const FASTIFY_ERRORS: Record<string, { status: number; code: string; message: string; field?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'malformed_json', message: 'The request body is not valid JSON', field: 'body' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'malformed_json', message: 'The request body is empty but declared as JSON', field: 'body' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large', message: 'The request body is larger than the limit', field: 'body' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type', message: 'Content-Type must be application/json', field: 'content-type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'bad_request', message: 'Content-Length does not match the body', field: 'content-length' },
};

export function toErrorBody(err: unknown, requestId: string): { status: number; body: ErrorBody } {
  if (err instanceof DomainError) {
    return {
      status: err.status,
      body: { error: { code: err.code, message: err.message, details: err.details, ...err.extra }, requestId },
    };
  }
  const fastifyCode = (err as { code?: string })?.code;
  if (fastifyCode && FASTIFY_ERRORS[fastifyCode]) {
    const f = FASTIFY_ERRORS[fastifyCode];
    const details = f.field ? [{ field: f.field, message: f.message }] : [];
    return { status: f.status, body: { error: { code: f.code, message: f.message, details }, requestId } };
  }
  if (err instanceof HttpException) {
    // Nest hands Fastify's body-parser errors over as plain HttpExceptions: recognise them by status.
    const status = err.getStatus();
    const byStatus: Record<number, [string, string | null]> = {
      400: [/json/i.test(err.message) ? 'malformed_json' : 'bad_request', /json|body/i.test(err.message) ? 'body' : null],
      404: ['not_found', null],
      413: ['payload_too_large', 'body'],
      415: ['unsupported_media_type', 'content-type'],
      429: ['rate_limited', null],
    };
    const [code, field] = byStatus[status] ?? [status < 500 ? 'bad_request' : 'internal_error', null];
    const message = status === 415 ? 'Content-Type must be application/json' : err.message;
    return { status, body: { error: { code, message, details: field ? [{ field, message }] : [] }, requestId } };
  }
  const status = (err as { statusCode?: number })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: { error: { code: 'bad_request', message: (err as Error).message, details: [] }, requestId } };
  }
  return { status: 500, body: { error: { code: 'internal_error', message: 'Internal error', details: [] }, requestId } };
}

@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<FastifyRequest>();
    const reply = ctx.getResponse<FastifyReply>();
    const { status, body } = toErrorBody(exception, String(req?.id ?? ''));
    if (status >= 500) this.logger.error({ err: exception }, 'request failed');
    if (exception instanceof DomainError) for (const [k, v] of Object.entries(exception.headers)) void reply.header(k, v);
    void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}
