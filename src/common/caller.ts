import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Unauthenticated } from './errors';

/**
 * The calling service: the client its API key belongs to (set by the global
 * AuthGuard). Intents are always scoped to it.
 */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const req = ctx.switchToHttp().getRequest<FastifyRequest & { caller?: { client: string } }>();
  if (!req.caller) throw new Unauthenticated();
  return req.caller.client;
});
