/**
 * The global guard: every /v1 route needs `Authorization: Bearer <key>` with
 * the scopes the route declares (@RequireScopes; a /v1 route that declares
 * none needs `admin`, so a forgotten decorator fails closed). The caller's
 * client is then throttled per client. Health, metrics and docs are open.
 */
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Scope, SCOPES_KEY } from '../common/auth';
import { MissingScope, Unauthenticated } from '../common/errors';
import { grants } from './api-key';
import { ApiKeys, AuthenticatedCaller } from './api-keys';
import { ClientThrottle } from './throttle';

export type AuthedRequest = FastifyRequest & { caller?: AuthenticatedCaller };

/** The key in `Authorization: Bearer <key>`, or in Basic auth's password (browsers). */
export function presentedKey(header: string | undefined): string | null {
  if (!header) return null;
  const [scheme, value] = header.trim().split(/\s+/, 2);
  if (!value) return null;
  if (/^bearer$/i.test(scheme)) return value;
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    return i >= 0 ? decoded.slice(i + 1) : null;
  }
  return null;
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeys,
    private readonly throttle: ClientThrottle,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const declared = this.reflector.getAllAndOverride<Scope[] | undefined>(SCOPES_KEY, [ctx.getHandler(), ctx.getClass()]);
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const path = req.url.split('?')[0];
    const needed: Scope[] | undefined = declared ?? (path === '/v1' || path.startsWith('/v1/') ? ['admin'] : undefined);
    if (!needed) return true;

    const key = presentedKey(req.headers.authorization);
    if (!key) throw new Unauthenticated();
    const caller = await this.keys.authenticate(key);
    if (!caller) throw new Unauthenticated('The API key is unknown, revoked or expired');
    req.caller = caller;
    for (const scope of needed) if (!grants(caller.scopes, scope)) throw new MissingScope(scope);

    const t = await this.throttle.hit(caller.client);
    if (t) {
      const reply = ctx.switchToHttp().getResponse<FastifyReply>();
      void reply.header('ratelimit-limit', String(t.limit));
      void reply.header('ratelimit-remaining', String(t.remaining));
      void reply.header('ratelimit-reset', String(t.resetSeconds));
    }
    return true;
  }
}
