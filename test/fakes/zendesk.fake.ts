/**
 * A fake Zendesk Talk on 127.0.0.1 (port 0) that behaves as VENDORS.md and the
 * seeds say, for unit, integration and e2e tests:
 *   - HTTP Basic `{email}/token:{api_token}` checked on every call (401 `{"error":"Couldn't authenticate you"}`)
 *   - POST /api/v2/channels/voice/callback_requests: exact body check (only the seed's keys,
 *     E.164 requester, known phone_number_id), 201 with a `null` body as in the seed
 *   - the phone numbers API (zendesk-phone-numbers.fake.ts)
 *   - X-Rate-Limit / X-Rate-Limit-Remaining on every answer; an optional rolling-window
 *     limit on callback requests answering 429 + Retry-After and counting violations (every
 *     POST to callback_requests counts, scripted or not, since each one reached "Zendesk")
 *   - scripted answers (status, headers, raw body, delay, connection reset) taken in order
 *   - every request recorded with method, path, headers and raw body.
 * Driving it:
 *   const fake = await ZendeskFake.start({ limit: { max: 3, windowMs: 2000 } });
 *   fake.baseUrl; fake.enqueue({ status: 429, headers: { 'retry-after': '2' } });
 *   const account = fake.account({ id: 'zd' }, { timeoutMs: 300 });   // Account<ZendeskSettings> for the adapter
 *   fake.requests; fake.callbackRequests; fake.limitViolations; await fake.stop();
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Account } from '../../src/config/accounts';
import { validateZendeskAccount } from '../../src/vendors/zendesk/zendesk.settings';
import type { ZendeskSettings } from '../../src/vendors/zendesk/zendesk.types';
import { FakeAnswer, FakeAvailableNumber, FakePhoneNumber, FakePhoneNumberStore, invalid, SEED_AVAILABLE, smsOnlyNumber, voiceNumber } from './zendesk-phone-numbers.fake';

export { voiceNumber, smsOnlyNumber, SEED_AVAILABLE };
export type { FakePhoneNumber, FakeAvailableNumber };

export interface ZendeskFakeOptions {
  email?: string;
  apiToken?: string;
  /** Talk numbers in the account; default 1001 (voice) and 1002 (SMS only). */
  phoneNumbers?: FakePhoneNumber[];
  /** Numbers the search endpoint offers; default the seed's example. */
  availableNumbers?: FakeAvailableNumber[];
  /** Phone numbers per list page (small values exercise next_page). Default 100. */
  pageSize?: number;
  /** Rolling-window limit on POST callback_requests, as Zendesk's 30 per 10 minutes. */
  limit?: { max: number; windowMs: number };
  /** What a created callback request answers: the seed's `null` (default) or `{"callback_request":{"id":…}}`. */
  callbackAnswer?: 'null' | 'with-id';
}

export interface ScriptedAnswer {
  /** Only a request matching this takes the answer; others pass by it. Path ignores a `.json` suffix. */
  match?: { method?: string; path?: string | RegExp };
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent byte for byte (text/plain unless headers say otherwise); anything else as JSON. */
  body?: unknown;
  /** Wait this long before answering. */
  delayMs?: number;
  /** After delayMs, behave normally instead of answering status/body (pure latency). */
  passThrough?: boolean;
  /** Destroy the connection without answering. */
  reset?: boolean;
}

export interface RecordedRequest {
  method: string;
  /** Path and query as sent. */
  url: string;
  /** Path without query and without a `.json` suffix. */
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export const FAKE_EMAIL = 'agent@acme.example';
export const FAKE_TOKEN = 'fake-zendesk-token';
export const CALLBACKS = '/api/v2/channels/voice/callback_requests';
const NUMBERS = '/api/v2/channels/voice/phone_numbers';
const E164 = /^\+[1-9]\d{6,14}$/;

export class ZendeskFake {
  readonly requests: RecordedRequest[] = [];
  /** Callback requests Zendesk accepted (201), parsed. */
  readonly callbackRequests: Array<{ phone_number_id: number; requester_phone_number: string; group_ids?: number[] }> = [];
  /** Requests refused because they went past the rolling-window limit. */
  limitViolations = 0;
  readonly store: FakePhoneNumberStore;
  readonly expectedAuthorization: string;
  baseUrl = '';

  private readonly script: ScriptedAnswer[] = [];
  private readonly windowHits: number[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly server: http.Server;
  private nextCallbackId = 5000;

  private constructor(private readonly opts: ZendeskFakeOptions) {
    this.expectedAuthorization = `Basic ${Buffer.from(`${opts.email ?? FAKE_EMAIL}/token:${opts.apiToken ?? FAKE_TOKEN}`).toString('base64')}`;
    this.store = new FakePhoneNumberStore(opts.phoneNumbers ?? [voiceNumber(1001), smsOnlyNumber(1002)], opts.availableNumbers ?? [SEED_AVAILABLE], opts.pageSize ?? 100);
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.onRequest(req, res, Buffer.concat(chunks).toString('utf8')));
    });
  }

  static async start(opts: ZendeskFakeOptions = {}): Promise<ZendeskFake> {
    const fake = new ZendeskFake(opts);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.baseUrl = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  enqueue(...answers: ScriptedAnswer[]): void {
    this.script.push(...answers);
  }

  /**
   * An account pointing at this fake with its credentials, built through the real
   * block validation. `block` adds to / overrides the zendesk block (e.g. timeoutMs).
   */
  account(overrides: Partial<Omit<Account<ZendeskSettings>, 'settings'>> = {}, block: Record<string, unknown> = {}): Account<ZendeskSettings> {
    const env = { ZENDESK_FAKE_TOKEN: this.opts.apiToken ?? FAKE_TOKEN };
    const settings = validateZendeskAccount({ email: this.opts.email ?? FAKE_EMAIL, apiTokenEnv: 'ZENDESK_FAKE_TOKEN', defaultPhoneNumberId: 1001, ...block }, env);
    return {
      id: 'zendesk-fake', vendor: 'zendesk', baseUrl: this.baseUrl, rateLimit: { max: 30, windowMs: 600_000 }, defaultRetryAfterMs: 60_000,
      retry: { attempts: 5, backoffMs: 2_000, maxBackoffMs: 300_000, maxAgeMs: 21_600_000 }, unknownOutcomePolicy: 'resend',
      defaultTimezone: null, allowedClients: null, settings, ...overrides,
    };
  }

  /** Recorded requests for one method and path (`.json` suffix ignored). */
  requestsTo(method: string, path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  /** Forgets requests, scripted answers, the limit window and violations (the phone number store stays). */
  reset(): void {
    this.requests.length = 0;
    this.callbackRequests.length = 0;
    this.script.length = 0;
    this.windowHits.length = 0;
    this.limitViolations = 0;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname.replace(/\.json$/, '');
    const rec: RecordedRequest = {
      method: req.method ?? '', url: req.url ?? '', path, query: Object.fromEntries(url.searchParams), headers: req.headers, body, at: Date.now(),
    };
    this.requests.push(rec);
    if (rec.method === 'POST' && path === CALLBACKS && this.opts.limit) {
      const { max, windowMs } = this.opts.limit;
      const now = Date.now();
      while (this.windowHits.length && this.windowHits[0] <= now - windowMs) this.windowHits.shift();
      if (this.windowHits.length >= max) {
        this.limitViolations++;
        const retryAfter = Math.max(1, Math.ceil((this.windowHits[0] + windowMs - now) / 1000));
        return this.reply(res, { status: 429, body: { error: 'TooManyRequests', description: 'Rate limit for callback requests exceeded' } }, { 'retry-after': String(retryAfter) });
      }
      this.windowHits.push(now);
    }
    const i = this.script.findIndex((s) => matches(s, rec));
    if (i < 0) return this.reply(res, this.handle(rec, url.searchParams));
    const [s] = this.script.splice(i, 1);
    const act = () => {
      if (res.destroyed || req.socket.destroyed) return;
      if (s.reset) return void req.socket.destroy();
      if (s.passThrough) return this.reply(res, this.handle(rec, url.searchParams));
      const raw = typeof s.body === 'string';
      const headers = { 'content-type': raw ? 'text/plain' : 'application/json; charset=utf-8', ...(s.headers ?? {}) };
      this.reply(res, { status: s.status ?? 200, body: s.body === undefined ? null : s.body }, headers, raw);
    };
    if (s.delayMs) this.later(s.delayMs, act);
    else act();
  }

  private handle(r: RecordedRequest, q: URLSearchParams): FakeAnswer {
    if (r.headers.authorization !== this.expectedAuthorization) return { status: 401, body: { error: "Couldn't authenticate you" } };
    const include = (q.get('include') ?? '').split(',').filter(Boolean);
    const idMatch = /^\/api\/v2\/channels\/voice\/phone_numbers\/(\d+)$/.exec(r.path);
    const parsed = () => parseJson(r);
    if (r.path === CALLBACKS && r.method === 'POST') return this.createCallback(r);
    if (r.path === NUMBERS && r.method === 'GET') return this.store.list(this.baseUrl, q);
    if (r.path === NUMBERS && r.method === 'POST') return parsed() ?? this.store.create(JSON.parse(r.body));
    if (r.path === `${NUMBERS}/search` && r.method === 'GET') return this.store.search(q);
    if (idMatch && r.method === 'GET') return this.store.show(Number(idMatch[1]), include);
    if (idMatch && r.method === 'PUT') return parsed() ?? this.store.update(Number(idMatch[1]), JSON.parse(r.body), include);
    if (idMatch && r.method === 'DELETE') return this.store.delete(Number(idMatch[1]));
    return { status: 404, body: { error: 'InvalidEndpoint', description: 'Not found' } };
  }

  /** The seed's body and nothing else: unknown keys, wrong types or a non-E.164 number are 422s. */
  private createCallback(r: RecordedRequest): FakeAnswer {
    const bad = parseJson(r);
    if (bad) return bad;
    const body = JSON.parse(r.body) as { callback_request?: Record<string, unknown> } | null;
    const cr = body?.callback_request;
    if (!body || typeof body !== 'object' || Object.keys(body).length !== 1 || !cr || typeof cr !== 'object') {
      return invalid({ callback_request: 'is required and must be the only key' });
    }
    const problems: Record<string, string> = {};
    for (const k of Object.keys(cr)) if (!['phone_number_id', 'requester_phone_number', 'group_ids'].includes(k)) problems[k] = 'is not a callback request property';
    const id = cr.phone_number_id;
    if (typeof id !== 'number' || !Number.isInteger(id) || id <= 0) problems.phone_number_id = 'is required and must be a number';
    if (typeof cr.requester_phone_number !== 'string' || !E164.test(cr.requester_phone_number)) {
      problems.requester_phone_number = 'Requester phone number is invalid';
    }
    const groups = cr.group_ids;
    if (groups !== undefined && (!Array.isArray(groups) || !groups.every((g) => Number.isInteger(g) && g > 0))) problems.group_ids = 'must be a list of group ids';
    if (Object.keys(problems).length) return invalid(problems);
    if (!this.store.numbers.has(id as number)) return { status: 404, body: { error: 'RecordNotFound', description: 'Phone number not found' } };
    this.callbackRequests.push(cr as (typeof this.callbackRequests)[number]);
    const created = this.opts.callbackAnswer === 'with-id' ? { callback_request: { id: this.nextCallbackId++ } } : null;
    return { status: 201, body: created };
  }

  private reply(res: http.ServerResponse, a: FakeAnswer, headers: Record<string, string> = {}, raw = false): void {
    const limit = this.opts.limit?.max ?? 700;
    const remaining = Math.max(0, limit - this.windowHits.length);
    const h: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8', 'x-rate-limit': String(limit), 'x-rate-limit-remaining': String(remaining), ...headers,
    };
    const text = raw ? String(a.body) : JSON.stringify(a.body ?? null);
    res.writeHead(a.status, h);
    res.end(text);
  }
}

function parseJson(r: RecordedRequest): FakeAnswer | null {
  if (!String(r.headers['content-type'] ?? '').startsWith('application/json')) {
    return { status: 415, body: { error: 'UnsupportedMediaType', description: 'Content-Type must be application/json' } };
  }
  try {
    JSON.parse(r.body);
    return null;
  } catch {
    return { status: 400, body: { error: 'InvalidJSON', description: 'The request body is not valid JSON' } };
  }
}

function matches(s: ScriptedAnswer, r: RecordedRequest): boolean {
  if (s.match?.method && s.match.method.toUpperCase() !== r.method) return false;
  const p = s.match?.path;
  if (p === undefined) return true;
  return typeof p === 'string' ? p.replace(/\.json$/, '') === r.path : p.test(r.path);
}
