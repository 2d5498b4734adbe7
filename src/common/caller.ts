import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ValidationFailed } from './errors';

const CLIENT = /^[a-z0-9][a-z0-9._-]{0,99}$/i;

/**
 * The calling service. Until API keys exist it is named by the X-Client-Id
 * header (default "default"); intents are always scoped to it.
 */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const req = ctx.switchToHttp().getRequest<FastifyRequest>();
  const raw = req.headers['x-client-id'];
  if (raw === undefined) return 'default';
  if (typeof raw !== 'string' || !CLIENT.test(raw)) {
    throw new ValidationFailed([{ field: 'X-Client-Id', message: 'must be 1–100 letters, digits, . _ -' }]);
  }
  return raw;
});
