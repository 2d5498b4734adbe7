/**
 * A fake Talkdesk (token endpoint + Scheduled Callbacks preview API) on
 * 127.0.0.1, behaving as docs/vendors/talkdesk.md and the vendor's pages say:
 * client-credentials tokens (Basic auth, grant_type, expires_in, scopes), bearer
 * checks, exact body validation, the 1-minute lead rule, HAL list pages, PATCH
 * ops, DELETE → 204, and Talkdesk's `{code, message, description?, fields[]}`
 * errors. Tests script failures with `enqueue` and read every request received
 * (method, path, headers, raw body) from `requests`.
 *
 *   const fake = await TalkdeskFake.start();
 *   accounts: [fake.accountEntry('td')], env: fake.env()   (or baseUrl: fake.baseUrl + talkdesk: fake.accountBlock())
 *   fake.enqueue({ match: { method: 'POST' }, status: 503 }); fake.expireTokens(); fake.requests; await fake.stop();
 */
import { randomUUID } from 'node:crypto';
import http, { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TalkdeskFakeOptions {
  clientId?: string;
  clientSecret?: string;
  /** expires_in (seconds) of issued tokens; default 3600. */
  expiresIn?: number;
  /** Scopes the client may obtain; default read + write. */
  grantedScopes?: string[];
  /** Where create is served (Talkdesk's create path is unconfirmed); default /schedule-callbacks. */
  createPath?: string;
  minLeadMs?: number;
  now?: () => number;
}

/** A scripted answer, used once by the first request it matches (default: any API request, not the token endpoint). */
export interface FakeAnswer {
  match?: { method?: string; path?: string | RegExp };
  /** Wait this long first; without status/drop the request is then handled normally (pure latency). */
  delayMs?: number;
  status?: number;
  /** Object → JSON; string → sent as is. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Destroy the socket without handling the request or answering. */
  drop?: boolean;
  /** Handle the request normally (e.g. create the callback), then destroy the socket: the answer is lost. */
  loseAnswer?: boolean;
}

export interface RecordedRequest {
  method: string;
  /** Path with the query string, as received. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  receivedAt: number;
}

export interface FakeCallback {
  id: string;
  phoneNumber: string;
  timeToCall: string;
  timezone: string;
  assignmentType: string;
  assignees?: string[];
  callerId: string;
  dialingMode: string;
  interactionId?: string;
  notes?: string;
  status: string;
  origin: string;
  createdAt: string;
}

const TOKEN_PATH = '/oauth/token';
const LIST_PATH = '/schedule-callbacks';
const E164 = /^\+[1-9]\d{6,14}$/;
const UTC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const ASSIGNMENT_TYPES = ['SPECIFIC_AGENT', 'SPECIFIC_RING_GROUP', 'ANY_ELIGIBLE_AGENT'];
const OPEN = ['UNATTEMPTED', 'TO_BE_RETRIED'];
const BODY_KEYS = ['phoneNumber', 'timeToCall', 'timezone', 'assignmentType', 'assignees', 'callerId', 'dialingMode', 'interactionId', 'notes'];
const PATCHABLE = ['/timeToCall', '/timezone', '/phoneNumber', '/notes', '/assignmentType', '/assignees', '/callerId'];

type Fields = { name: string; description: string }[];
class Reply {
  constructor(readonly status: number, readonly body?: unknown, readonly headers: Record<string, string> = {}) {}
}
const fail = (status: number, code: string, message: string, fields: Fields = []) => new Reply(status, { code, message, fields });

function validZone(z: unknown): boolean {
  if (typeof z !== 'string' || z === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: z });
    return true;
  } catch {
    return false;
  }
}

export class TalkdeskFake {
  readonly requests: RecordedRequest[] = [];
  readonly callbacks = new Map<string, FakeCallback>();
  readonly clientId: string;
  readonly clientSecret: string;
  expiresIn: number;
  private readonly queue: FakeAnswer[] = [];
  private readonly tokens = new Map<string, { expiresAt: number; scopes: string[] }>();
  private readonly opts: Required<Omit<TalkdeskFakeOptions, 'clientId' | 'clientSecret' | 'expiresIn'>>;
  private server!: http.Server;
  baseUrl = '';

  private constructor(o: TalkdeskFakeOptions) {
    this.clientId = o.clientId ?? 'td-fake-client';
    this.clientSecret = o.clientSecret ?? 'td-fake-secret';
    this.expiresIn = o.expiresIn ?? 3600;
    this.opts = {
      grantedScopes: o.grantedScopes ?? ['schedule-callbacks:read', 'schedule-callbacks:write'],
      createPath: o.createPath ?? LIST_PATH,
      minLeadMs: o.minLeadMs ?? 60_000,
      now: o.now ?? Date.now,
    };
  }

  static async start(opts: TalkdeskFakeOptions = {}): Promise<TalkdeskFake> {
    const fake = new TalkdeskFake(opts);
    fake.server = http.createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.baseUrl = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  get tokenUrl(): string {
    return `${this.baseUrl}${TOKEN_PATH}`;
  }
  get tokenRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === TOKEN_PATH);
  }
  get apiRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path !== TOKEN_PATH);
  }

  /** The accounts-file `talkdesk:` block for this fake (use with baseUrl: fake.baseUrl and env: fake.env()). */
  accountBlock(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { region: 'us', accountName: 'fake', clientIdEnv: 'TD_FAKE_ID', clientSecretEnv: 'TD_FAKE_SECRET', tokenUrl: this.tokenUrl, ...extra };
  }
  /** A whole accounts-file entry pointing API and token URL at this fake. */
  accountEntry(id = 'talkdesk-fake', extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { id, vendor: 'talkdesk', baseUrl: this.baseUrl, talkdesk: this.accountBlock(extra) };
  }
  env(): Record<string, string> {
    return { TD_FAKE_ID: this.clientId, TD_FAKE_SECRET: this.clientSecret, ALLOW_INSECURE_VENDOR_URLS: 'true' };
  }

  enqueue(...answers: FakeAnswer[]): void {
    this.queue.push(...answers);
  }
  /** Every token issued so far stops working: the next API call gets 401. */
  expireTokens(): void {
    this.tokens.clear();
  }
  /** Seeds a callback Talkdesk already holds (e.g. an open one for a number). */
  addCallback(c: Partial<FakeCallback> & { phoneNumber: string }): FakeCallback {
    const cb: FakeCallback = {
      id: randomUUID().replace(/-/g, ''), timeToCall: new Date(this.opts.now() + 3_600_000).toISOString(), timezone: 'UTC',
      assignmentType: 'ANY_ELIGIBLE_AGENT', callerId: '+14155550100', dialingMode: 'PREVIEW', status: 'UNATTEMPTED', origin: 'API',
      createdAt: new Date(this.opts.now()).toISOString(), ...c,
    };
    this.callbacks.set(cb.id, cb);
    return cb;
  }
  reset(): void {
    this.requests.length = 0;
    this.queue.length = 0;
    this.callbacks.clear();
    this.tokens.clear();
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const u = new URL(req.url ?? '/', this.baseUrl);
    const rec: RecordedRequest = {
      method: req.method ?? '', url: req.url ?? '', path: u.pathname, query: u.searchParams,
      headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), receivedAt: this.opts.now(),
    };
    this.requests.push(rec);
    const i = this.queue.findIndex((a) => this.matches(a, rec));
    const scripted = i >= 0 ? this.queue.splice(i, 1)[0] : undefined;
    if (scripted?.delayMs) await new Promise((r) => setTimeout(r, scripted.delayMs));
    if (scripted?.drop) return void req.socket.destroy();
    const reply = scripted?.status !== undefined ? new Reply(scripted.status, scripted.body, scripted.headers) : this.route(rec);
    if (scripted?.loseAnswer) return void req.socket.destroy();
    const isText = typeof reply.body === 'string';
    const payload = reply.body === undefined ? '' : isText ? (reply.body as string) : JSON.stringify(reply.body);
    const type = reply.body === undefined ? {} : { 'content-type': isText ? 'text/plain' : 'application/json' };
    res.writeHead(reply.status, { ...type, ...reply.headers });
    res.end(payload);
  }

  private matches(a: FakeAnswer, r: RecordedRequest): boolean {
    const m = a.match;
    if (!m?.path && r.path === TOKEN_PATH) return false;
    if (m?.method && m.method.toUpperCase() !== r.method) return false;
    if (m?.path instanceof RegExp) return m.path.test(r.path);
    return !m?.path || m.path === r.path;
  }

  private route(r: RecordedRequest): Reply {
    if (r.path === TOKEN_PATH) return r.method === 'POST' ? this.token(r) : fail(405, '3600405', 'Method not allowed');
    const scopes = this.authorize(r);
    if (scopes instanceof Reply) return scopes;
    const need = r.method === 'GET' ? 'schedule-callbacks:read' : 'schedule-callbacks:write';
    if (!scopes.includes(need)) return fail(403, '3600030', 'Forbidden', [{ name: 'scope', description: `requires ${need}` }]);
    if (r.method === 'POST' && r.path === this.opts.createPath) return this.create(r);
    if (r.method === 'GET' && r.path === LIST_PATH) return this.list(r);
    const m = /^\/schedule-callbacks\/([^/]+)$/.exec(r.path);
    if (m && (r.method === 'PATCH' || r.method === 'DELETE')) {
      const cb = this.callbacks.get(decodeURIComponent(m[1]));
      if (!cb) return fail(404, '3600040', 'Scheduled callback not found');
      if (!OPEN.includes(cb.status)) return fail(409, '3600090', `Scheduled callback is ${cb.status} and cannot be changed`);
      if (r.method === 'DELETE') {
        cb.status = 'CANCELED';
        return new Reply(204);
      }
      return this.patch(r, cb);
    }
    return fail(404, '3600040', `No route for ${r.method} ${r.path}`);
  }

  private token(r: RecordedRequest): Reply {
    const expected = `Basic ${Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64')}`;
    if (r.headers.authorization !== expected) return new Reply(401, { error: 'invalid_client', error_description: 'Client authentication failed' });
    if (!String(r.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return new Reply(400, { error: 'invalid_request', error_description: 'Expected a form body' });
    }
    const form = new URLSearchParams(r.body);
    if (form.get('grant_type') !== 'client_credentials') return new Reply(400, { error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' });
    const asked = form.get('scope')?.split(' ').filter(Boolean) ?? this.opts.grantedScopes;
    if (asked.some((s) => !this.opts.grantedScopes.includes(s))) return new Reply(400, { error: 'invalid_scope', error_description: 'Scope not granted to this client' });
    const accessToken = `fake-${randomUUID()}`;
    this.tokens.set(accessToken, { expiresAt: this.opts.now() + this.expiresIn * 1000, scopes: asked });
    return new Reply(200, { access_token: accessToken, token_type: 'Bearer', expires_in: this.expiresIn, scope: asked.join(' ') });
  }

  private authorize(r: RecordedRequest): string[] | Reply {
    const m = /^Bearer (\S+)$/.exec(String(r.headers.authorization ?? ''));
    const t = m ? this.tokens.get(m[1]) : undefined;
    if (!t || t.expiresAt <= this.opts.now()) return fail(401, '3600010', 'Unauthorized', [{ name: 'Authorization', description: 'invalid or expired token' }]);
    return t.scopes;
  }

  private json(r: RecordedRequest): unknown | Reply {
    if (!String(r.headers['content-type'] ?? '').startsWith('application/json')) return fail(415, '3600415', 'Content-Type must be application/json');
    try {
      return JSON.parse(r.body);
    } catch {
      return fail(400, '3600000', 'Malformed JSON body');
    }
  }

  /** Field problems of a (created or patched) callback, per Talkdesk's required information and lead rule. */
  private check(b: Record<string, unknown>): Fields {
    const f: Fields = [];
    const bad = (name: string, description: string) => f.push({ name, description });
    for (const k of Object.keys(b)) if (!BODY_KEYS.includes(k)) bad(k, 'unknown field');
    if (typeof b.phoneNumber !== 'string' || !E164.test(b.phoneNumber)) bad('phoneNumber', 'must be an E.164 number');
    if (typeof b.callerId !== 'string' || !E164.test(b.callerId)) bad('callerId', 'must be an E.164 number');
    if (typeof b.timeToCall !== 'string' || !UTC_TIME.test(b.timeToCall)) bad('timeToCall', 'must be a UTC date-time');
    else if (Date.parse(b.timeToCall) < this.opts.now() + this.opts.minLeadMs) bad('timeToCall', 'must be at least 1 minute in the future');
    if (!validZone(b.timezone)) bad('timezone', 'must be an IANA time zone');
    if (!ASSIGNMENT_TYPES.includes(b.assignmentType as string)) bad('assignmentType', `must be one of ${ASSIGNMENT_TYPES.join(', ')}`);
    const a = b.assignees;
    if (a !== undefined && (!Array.isArray(a) || !a.every((x) => typeof x === 'string' && x))) bad('assignees', 'must be a list of ids');
    else if (String(b.assignmentType).startsWith('SPECIFIC_') && !(Array.isArray(a) && a.length)) bad('assignees', 'required for this assignment type');
    if (b.dialingMode !== 'PREVIEW') bad('dialingMode', 'must be PREVIEW');
    if (b.interactionId !== undefined && (typeof b.interactionId !== 'string' || !b.interactionId)) bad('interactionId', 'must be an interaction id');
    if (b.notes !== undefined && (typeof b.notes !== 'string' || b.notes.length > 2000)) bad('notes', 'must be text up to 2000 characters');
    return f;
  }

  private create(r: RecordedRequest): Reply {
    const b = this.json(r);
    if (b instanceof Reply) return b;
    if (!b || typeof b !== 'object' || Array.isArray(b)) return fail(400, '3600000', 'Body must be an object');
    const fields = this.check(b as Record<string, unknown>);
    if (fields.length) return fail(400, '3600001', 'Invalid scheduled callback', fields);
    const cb = this.addCallback(b as FakeCallback & Record<string, unknown>);
    return new Reply(201, { ...cb, _links: { self: { href: `${this.baseUrl}${LIST_PATH}/${cb.id}` } } });
  }

  private list(r: RecordedRequest): Reply {
    const q = r.query;
    const page = Number(q.get('page') ?? '1');
    const perPage = Number(q.get('per_page') ?? '50');
    if (!Number.isInteger(page) || page < 1) return fail(400, '3600001', 'Invalid query', [{ name: 'page', description: 'must be ≥ 1' }]);
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 500) return fail(400, '3600001', 'Invalid query', [{ name: 'per_page', description: 'must be 1 to 500' }]);
    const statuses = q.getAll('status').flatMap((s) => s.split(','));
    const phone = q.get('phone_number');
    const all = [...this.callbacks.values()].filter((c) => (!phone || c.phoneNumber === phone) && (!statuses.length || statuses.includes(c.status)));
    const totalPages = Math.max(1, Math.ceil(all.length / perPage));
    const self = (p: number) => ({ href: `${this.baseUrl}${LIST_PATH}?${new URLSearchParams({ ...Object.fromEntries(q), page: String(p) })}` });
    const links: Record<string, { href: string }> = { self: self(page) };
    if (page < totalPages) links.next = self(page + 1);
    if (page > 1) links.prev = self(page - 1);
    const items = all.slice((page - 1) * perPage, page * perPage);
    return new Reply(200, { count: items.length, total: all.length, page, per_page: perPage, total_pages: totalPages, _embedded: { callbacks: items }, _links: links }, {
      'content-type': 'application/hal+json',
    });
  }

  private patch(r: RecordedRequest, cb: FakeCallback): Reply {
    const ops = this.json(r);
    if (ops instanceof Reply) return ops;
    if (!Array.isArray(ops) || !ops.length) return fail(400, '3600000', 'Body must be a non-empty list of operations');
    const next: Record<string, unknown> = { ...cb };
    for (const op of ops as { op?: unknown; path?: unknown; value?: unknown }[]) {
      if (op?.op !== 'replace' || !PATCHABLE.includes(op.path as string) || op.value === undefined) {
        return fail(400, '3600001', 'Invalid operation', [{ name: String(op?.path ?? 'op'), description: 'only replace of a patchable field' }]);
      }
      next[(op.path as string).slice(1)] = op.value;
    }
    const { id, status, origin, createdAt, ...body } = next;
    const fields = this.check(body);
    if (fields.length) return fail(400, '3600001', 'Invalid scheduled callback', fields);
    Object.assign(cb, body, { id, status, origin, createdAt });
    return new Reply(200, cb);
  }
}
