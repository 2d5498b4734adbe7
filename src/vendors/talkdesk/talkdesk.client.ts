/**
 * HTTP to the Talkdesk API: base URL by region (or the account's override),
 * a bearer token from TalkdeskTokens, and the one retry the contract allows —
 * after a 401 the token is refreshed once and the call is sent again. Any other
 * retry belongs to the dispatch processor.
 */
import type { Account } from '../../config/accounts';
import type { VendorHttp, VendorResponse } from '../http/vendor-http';
import { VendorOutcomeUnknownError, VendorRetryableError } from '../vendor.errors';
import { errorFromResponse, findOpenCallback, parseCallbackPage } from './talkdesk.mapper';
import type { TalkdeskTokens } from './talkdesk.token';
import { OPEN_STATUSES, TalkdeskCallback, TalkdeskSettings } from './talkdesk.types';

export interface TalkdeskCall {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string>;
  body?: unknown;
}

const PER_PAGE = 100;
/** Enough for any real list of open callbacks for one number; stops a server that always says "next". */
const MAX_PAGES = 20;

export class TalkdeskClient {
  constructor(
    private readonly http: VendorHttp,
    private readonly tokens: TalkdeskTokens,
  ) {}

  async call(account: Account<TalkdeskSettings>, call: TalkdeskCall): Promise<VendorResponse> {
    const base = (account.baseUrl ?? account.settings.apiBaseUrl).replace(/\/$/, '');
    const qs = call.query ? `?${new URLSearchParams(call.query).toString()}` : '';
    const url = `${base}${call.path}${qs}`;
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    const send = (token: string) =>
      this.http.send({
        method: call.method,
        url,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/hal+json, application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body,
      });
    const token = await this.tokens.get(account);
    const res = await send(token);
    if (res.status !== 401) return res;
    // The token may have been revoked or expired early: refresh once, then let a second 401 count.
    this.tokens.invalidate(account, token);
    return send(await this.tokens.get(account));
  }

  /**
   * The first open (UNATTEMPTED or TO_BE_RETRIED) callback Talkdesk holds for
   * the number, following pages; null when there is none. One status per query
   * since the list's multi-status syntax is not documented.
   */
  async findOpen(account: Account<TalkdeskSettings>, phoneNumber: string): Promise<TalkdeskCallback | null> {
    for (const status of OPEN_STATUSES) {
      for (let page = 1; page <= MAX_PAGES; page++) {
        const query = { phone_number: phoneNumber, status, page: String(page), per_page: String(PER_PAGE) };
        let res: VendorResponse;
        try {
          res = await this.call(account, { method: 'GET', path: '/schedule-callbacks', query });
        } catch (err) {
          // A list changes nothing at Talkdesk: a lost answer is simply retryable.
          if (err instanceof VendorOutcomeUnknownError) throw new VendorRetryableError(`Talkdesk list callbacks: ${err.message}`, err.info);
          throw err;
        }
        if (res.status < 200 || res.status >= 300) throw errorFromResponse(res, 'list callbacks', account.defaultRetryAfterMs);
        const { callbacks, hasNext } = parseCallbackPage(res.json, page);
        const open = findOpenCallback(callbacks, phoneNumber);
        if (open) return open;
        if (!hasNext) break;
      }
    }
    return null;
  }
}
