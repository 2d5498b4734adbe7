/**
 * OAuth 2 client-credentials tokens for Talkdesk accounts. One token per
 * account is cached until shortly before it expires and shared by every job;
 * concurrent callers wait on the one refresh in flight (single flight), so
 * 50 jobs starting together cost one token request.
 */
import type { Account } from '../../config/accounts';
import type { VendorHttp } from '../http/vendor-http';
import { VendorMisconfiguredError, VendorOutcomeUnknownError, VendorRetryableError } from '../vendor.errors';
import { describeErrorBody, errorFromResponse } from './talkdesk.mapper';
import type { TalkdeskSettings } from './talkdesk.types';

interface CachedToken {
  token: string;
  /** Stop using the token at this time (before Talkdesk's expiry). */
  refreshAt: number;
}

/** Used when the answer carries no usable expires_in. */
const FALLBACK_LIFETIME_S = 300;
/** Refresh this long before expiry (at most a tenth of the lifetime, for short-lived tokens). */
const EXPIRY_MARGIN_MS = 60_000;

export class TalkdeskTokens {
  private readonly cache = new Map<string, CachedToken>();
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(
    private readonly http: VendorHttp,
    private readonly now: () => number = Date.now,
  ) {}

  /** A valid access token for the account: cached, or the result of the one refresh in flight. */
  get(account: Account<TalkdeskSettings>): Promise<string> {
    const key = this.key(account);
    const cached = this.cache.get(key);
    if (cached && this.now() < cached.refreshAt) return Promise.resolve(cached.token);
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.fetch(account, key).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  /**
   * Forgets a token Talkdesk refused. Only the token that was refused is dropped:
   * when many jobs see the same 401, the first one's refresh serves them all.
   */
  invalidate(account: Account<TalkdeskSettings>, token: string): void {
    const key = this.key(account);
    if (this.cache.get(key)?.token === token) this.cache.delete(key);
  }

  private key(account: Account<TalkdeskSettings>): string {
    return `${account.id}\u0000${account.settings.tokenUrl}\u0000${account.settings.credentials.clientId}`;
  }

  private async fetch(account: Account<TalkdeskSettings>, key: string): Promise<string> {
    const s = account.settings;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (s.scopes.length) form.set('scope', s.scopes.join(' '));
    const basic = Buffer.from(`${s.credentials.clientId}:${s.credentials.clientSecret}`).toString('base64');
    let res;
    try {
      res = await this.http.send({
        method: 'POST',
        url: s.tokenUrl,
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
      });
    } catch (err) {
      // A token request changes nothing at Talkdesk: a lost answer is simply retryable.
      if (err instanceof VendorOutcomeUnknownError) throw new VendorRetryableError(`Talkdesk token request: ${err.message}`, err.info);
      throw err;
    }
    if (res.status === 400 || res.status === 401) {
      // invalid_client / invalid_grant / invalid_scope: the credentials or scopes in the accounts file are wrong.
      const { code, message } = describeErrorBody(res);
      throw new VendorMisconfiguredError(`Talkdesk token request refused (${res.status}${code ? ` ${code}` : ''}): ${message}`, {
        httpStatus: res.status,
        vendorCode: code,
      });
    }
    if (res.status < 200 || res.status >= 300) throw errorFromResponse(res, 'token request', account.defaultRetryAfterMs);
    const body = (res.json ?? {}) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string' || body.access_token === '') {
      throw new VendorRetryableError('Talkdesk token answer carries no access_token', { httpStatus: res.status });
    }
    const expiresIn = Number(body.expires_in);
    const lifetimeS = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : FALLBACK_LIFETIME_S;
    const lifetimeMs = lifetimeS * 1000;
    const refreshAt = this.now() + lifetimeMs - Math.min(EXPIRY_MARGIN_MS, lifetimeMs / 10);
    this.cache.set(key, { token: body.access_token, refreshAt });
    return body.access_token;
  }
}
