/**
 * The Talk phone numbers API (seeds/004) for one account: list (following
 * next_page), search available numbers, show, create from a search token,
 * update (with settings), delete. Parameters are checked before any request
 * leaves (zendesk-phone-numbers.params.ts); Zendesk's errors come back as the
 * same vendor error classes dispatch uses.
 */
import type { FieldProblem } from '../../common/errors';
import { VendorPermanentError } from '../vendor.errors';
import type { ZendeskAnswer, ZendeskClient } from './zendesk.client';
import {
  buildCreateBody,
  buildUpdateBody,
  checkInclude,
  checkPhoneNumberId,
  checkSearchParams,
  CreateParams,
  SearchParams,
  ZendeskInclude,
  ZendeskParamsError,
} from './zendesk-phone-numbers.params';
import type { ZendeskAvailablePhoneNumber, ZendeskPage, ZendeskPhoneNumber } from './zendesk.types';

export const PHONE_NUMBERS_PATH = '/api/v2/channels/voice/phone_numbers';

export interface ListOptions {
  /** Fewer properties per number (id, country_code, capabilities, …). */
  minimalMode?: boolean;
  /** Stop following next_page after this many pages (a guard against a looping link). */
  maxPages?: number;
}

function includeQuery(include: ZendeskInclude[]): Record<string, string | undefined> {
  return { include: include.length ? include.join(',') : undefined };
}

function expectObject<T>(answer: ZendeskAnswer, key: string, what: string): T {
  const v = (answer.json as Record<string, unknown> | undefined)?.[key];
  if (!v || typeof v !== 'object') throw new VendorPermanentError(`Zendesk answered ${what} with ${answer.status} but no "${key}"`, { httpStatus: answer.status });
  return v as T;
}

export class ZendeskPhoneNumbersClient {
  constructor(private readonly client: ZendeskClient) {}

  /** Every phone number of the account, following next_page until it is null. */
  async list(opts: ListOptions = {}): Promise<ZendeskPhoneNumber[]> {
    const all: ZendeskPhoneNumber[] = [];
    for await (const page of this.pages(opts)) all.push(...page);
    return all;
  }

  /** One array per page, for callers that want to stop early. */
  async *pages(opts: ListOptions = {}): AsyncGenerator<ZendeskPhoneNumber[]> {
    if (opts.minimalMode !== undefined && typeof opts.minimalMode !== 'boolean') {
      throw new ZendeskParamsError([{ field: 'minimal_mode', message: 'must be true or false' }]);
    }
    const maxPages = opts.maxPages ?? 100;
    let next: string | null = PHONE_NUMBERS_PATH;
    let query: Record<string, string | undefined> | undefined = opts.minimalMode ? { minimal_mode: 'true' } : undefined;
    const seen = new Set<string>();
    for (let n = 1; next; n++) {
      if (n > maxPages) throw new VendorPermanentError(`Zendesk phone numbers: more than ${maxPages} pages; stopped`);
      const answer = await this.client.call({ method: 'GET', path: next, query, what: 'list phone numbers' });
      const page = answer.json as ZendeskPage<ZendeskPhoneNumber> | undefined;
      if (!page || !Array.isArray(page.phone_numbers)) throw new VendorPermanentError('Zendesk answered list phone numbers without phone_numbers', { httpStatus: answer.status });
      yield page.phone_numbers;
      seen.add(next);
      // next_page is an absolute URL that already carries the query (minimal_mode included).
      next = typeof page.next_page === 'string' && page.next_page ? page.next_page : null;
      query = undefined;
      if (next && seen.has(next)) throw new VendorPermanentError('Zendesk phone numbers: next_page points back to a page already read');
    }
  }

  /** Numbers available to buy; each carries the token `create` needs. */
  async search(params: SearchParams): Promise<ZendeskAvailablePhoneNumber[]> {
    const query = checkSearchParams(params);
    const answer = await this.client.call({ method: 'GET', path: `${PHONE_NUMBERS_PATH}/search`, query, what: 'search phone numbers' });
    const list = (answer.json as ZendeskPage<ZendeskAvailablePhoneNumber> | undefined)?.phone_numbers;
    if (!Array.isArray(list)) throw new VendorPermanentError('Zendesk answered search phone numbers without phone_numbers', { httpStatus: answer.status });
    return list;
  }

  async show(id: number, opts: { include?: ZendeskInclude[] } = {}): Promise<ZendeskPhoneNumber> {
    const answer = await this.showRaw(id, opts);
    if (answer.status === 404) throw this.client.errorFor(answer, `phone number ${id}`);
    return expectObject<ZendeskPhoneNumber>(answer, 'phone_number', `phone number ${id}`);
  }

  /** Show's answer when it is 2xx or 404 (the adapter's pre-dispatch check reads 404 itself); other statuses throw. */
  async showRaw(id: number, opts: { include?: ZendeskInclude[] } = {}): Promise<ZendeskAnswer> {
    checkPhoneNumberId(id);
    const include = checkInclude(opts.include);
    const what = `phone number ${id}`;
    const answer = await this.client.send({ method: 'GET', path: `${PHONE_NUMBERS_PATH}/${id}`, query: includeQuery(include), what });
    if (answer.status === 404 || (answer.status >= 200 && answer.status < 300)) return answer;
    throw this.client.errorFor(answer, what);
  }

  /** Provisions a number found by search (200 in the seed). */
  async create(params: CreateParams): Promise<ZendeskPhoneNumber> {
    const body = buildCreateBody(params);
    const answer = await this.client.call({ method: 'POST', path: PHONE_NUMBERS_PATH, body, what: 'create phone number' });
    return expectObject<ZendeskPhoneNumber>(answer, 'phone_number', 'create phone number');
  }

  /** Changes the given fields; `settings` adds ?include=settings as Zendesk requires. */
  async update(id: number, fields: Record<string, unknown>, opts: { include?: ZendeskInclude[] } = {}): Promise<ZendeskPhoneNumber> {
    // Report the id, include and fields together, so one round of fixes is enough.
    const problems: FieldProblem[] = [];
    const collect = <T>(check: () => T): T | undefined => {
      try {
        return check();
      } catch (e) {
        if (!(e instanceof ZendeskParamsError)) throw e;
        problems.push(...e.problems);
        return undefined;
      }
    };
    collect(() => checkPhoneNumberId(id));
    const include = collect(() => checkInclude(opts.include)) ?? [];
    const built = collect(() => buildUpdateBody(fields, include));
    if (problems.length || !built) throw new ZendeskParamsError(problems);
    const answer = await this.client.call({ method: 'PUT', path: `${PHONE_NUMBERS_PATH}/${id}`, query: includeQuery(built.include), body: built.body, what: `update phone number ${id}` });
    return expectObject<ZendeskPhoneNumber>(answer, 'phone_number', `update phone number ${id}`);
  }

  /** Zendesk answers 200 with a null body (seeds/004); 204 is accepted too. */
  async delete(id: number): Promise<void> {
    checkPhoneNumberId(id);
    await this.client.call({ method: 'DELETE', path: `${PHONE_NUMBERS_PATH}/${id}`, what: `delete phone number ${id}` });
  }
}
