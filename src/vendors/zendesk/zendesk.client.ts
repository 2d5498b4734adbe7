/**
 * HTTP to one Zendesk account: base URL (`https://{subdomain}.zendesk.com` or the
 * account's baseUrl override), HTTP Basic `{email}/token:{api_token}`, the
 * account's timeouts on a keep-alive pool (the shared VendorHttp), and the rate
 * limit headers read from every answer. It never retries: the processor does.
 */
import type { Account } from '../../config/accounts';
import { VendorHttp, VendorResponse } from '../http/vendor-http';
import { VendorError, VendorMisconfiguredError } from '../vendor.errors';
import { toVendorError } from './zendesk.mapper';
import { zendeskBaseUrl } from './zendesk.settings';
import type { ZendeskRateLimitInfo, ZendeskSettings } from './zendesk.types';

export type ZendeskMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ZendeskCall {
  method: ZendeskMethod;
  /** A path under the base URL (`/api/v2/...`), or an absolute URL on the same origin (next_page links). */
  path: string;
  query?: Record<string, string | undefined>;
  /** Sent as-is with Content-Type application/json, so callers control the exact bytes. */
  body?: string;
  /** Named in error messages, e.g. "callback request". */
  what: string;
}

export interface ZendeskAnswer extends VendorResponse {
  rateLimit: ZendeskRateLimitInfo;
}

const USER_AGENT = 'callback-orchestrator (zendesk adapter)';

function intHeader(v: string | undefined): number | null {
  if (v === undefined || !/^\d+$/.test(v.trim())) return null;
  return Number(v.trim());
}

export function readRateLimit(headers: Record<string, string>, at: Date): ZendeskRateLimitInfo {
  return {
    limit: intHeader(headers['x-rate-limit']),
    remaining: intHeader(headers['x-rate-limit-remaining']),
    retryAfter: headers['retry-after'] ?? null,
    at,
  };
}

export class ZendeskClient {
  readonly baseUrl: string;
  private readonly origin: string;
  private readonly authorization: string;
  private readonly http: VendorHttp;
  /** The rate limit headers of the latest answer (for notes, metrics and operators). */
  lastRateLimit: ZendeskRateLimitInfo | null = null;

  constructor(
    readonly account: Account<ZendeskSettings>,
    private readonly now: () => Date = () => new Date(),
  ) {
    const base = zendeskBaseUrl(account);
    // The loader cannot see baseUrl and subdomain together at boot, so the rule is enforced here.
    if (!base) throw new VendorMisconfiguredError(`account ${account.id}: zendesk.subdomain is required when the account has no baseUrl`);
    this.baseUrl = base;
    this.origin = new URL(base).origin;
    const s = account.settings;
    this.authorization = `Basic ${Buffer.from(`${s.email}/token:${s.apiToken.reveal()}`, 'utf8').toString('base64')}`;
    this.http = new VendorHttp({ timeoutMs: s.timeoutMs, connectTimeoutMs: s.connectTimeoutMs });
  }

  /** Sends one request; any 2xx is returned, anything else is thrown as the vendor error it maps to. */
  async call(c: ZendeskCall): Promise<ZendeskAnswer> {
    const answer = await this.send(c);
    if (answer.status >= 200 && answer.status < 300) return answer;
    throw this.errorFor(answer, c.what);
  }

  /** The vendor error a non-2xx answer maps to (429 falls back to the account's defaultRetryAfterMs). */
  errorFor(answer: VendorResponse, what: string): VendorError {
    return toVendorError(answer, what, this.account.defaultRetryAfterMs);
  }

  /** Sends one request and returns whatever status came back (transport failures still throw). */
  async send(c: ZendeskCall): Promise<ZendeskAnswer> {
    const headers: Record<string, string> = {
      authorization: this.authorization,
      accept: 'application/json',
      'user-agent': USER_AGENT,
    };
    if (c.body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.http.send({ method: c.method, url: this.urlFor(c.path, c.query), headers, body: c.body });
    const rateLimit = readRateLimit(res.headers, this.now());
    this.lastRateLimit = rateLimit;
    return { ...res, rateLimit };
  }

  /**
   * Absolute URLs (Zendesk's next_page) must stay on the account's origin:
   * following one elsewhere would hand our Basic credentials to another host.
   */
  urlFor(path: string, query?: Record<string, string | undefined>): string {
    const url = /^https?:\/\//i.test(path) ? new URL(path) : new URL(this.baseUrl + path);
    if (url.origin !== this.origin) throw new VendorMisconfiguredError(`Zendesk sent a link to another host (${url.origin}); not following it`);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    return url.toString();
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
