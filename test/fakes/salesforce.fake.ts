/**
 * A fake Salesforce Telephony Integration REST API on 127.0.0.1 (port 0) that
 * behaves as VENDORS.md and seeds/003 describe, for adapter specs and e2e tests:
 *
 *   const keys = await SalesforceFake.generateKeys();
 *   const fake = await SalesforceFake.start({ publicKey: keys.publicKey });
 *   // account: baseUrl fake.baseUrl, salesforce block SalesforceFake.accountBlock('SF_KEY'),
 *   //          env { SF_KEY: keys.privateKeyPem }
 *   fake.enqueue(SalesforceFake.answers.rateLimited('7'));   // next request answers 429
 *   fake.requests[0].rawBody; fake.requests[0].jwt?.claims; fake.callbacks;
 *   await fake.stop();
 *
 * Only POST /telephony/v1/voiceCalls/{callId}/requestCallback exists. It checks,
 * in order: the route (404), the bearer JWT — RS256 signature against the
 * configured public key, iss, sub, aud, exp not passed and at most 3 minutes
 * ahead, jti present and never reused by another token (401) — the
 * Content-Type and Telephony-Provider-Name headers, the exact body (400), and
 * the call id when `voiceCallIds` is given (404). Then it answers 200 {recordId}.
 * Error bodies are `{"errorCode","message"}` (Salesforce's shape for this API is
 * unconfirmed). Scripted answers, queued with enqueue(), replace the next
 * answers in order; one with only delayMs delays the normal answer.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KeyObject } from 'node:crypto';
import type { CryptoKey } from 'jose';
import { decodeJwt, decodeProtectedHeader, exportPKCS8, exportSPKI, generateKeyPair, importSPKI, jwtVerify } from 'jose';

/** The claims and header the fake expects unless told otherwise; accountBlock() uses the same. */
export const SALESFORCE_FAKE_DEFAULTS = {
  orgId: '00Dxx0000001gEH',
  callCenterApiName: 'ACME_CC',
  telephonyProviderName: 'Acme Telephony',
  audience: 'https://scrt.salesforce.com',
} as const;
/** Salesforce: "exp — the expiration time of the assertion within 3 minutes". */
const MAX_EXP_AHEAD_SECONDS = 180;
const BODY_KEYS = new Set(['callbackNumber', 'isPreviewCallback', 'scheduledRoutingDateTime']);
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export interface SalesforceFakeOptions {
  /** Verifies the JWT signature: the public half of the account's key (CryptoKey, KeyObject or SPKI PEM). */
  publicKey: CryptoKey | KeyObject | string;
  orgId?: string;
  callCenterApiName?: string;
  telephonyProviderName?: string;
  audience?: string;
  /** The fake's clock, for exp checks; share the adapter's test clock. */
  now?: () => Date;
  /** Refuse any jti seen before, even on the same token (if Salesforce treats jti as single-use). */
  singleUseJti?: boolean;
  /** Known call ids; when given, any other answers 404. */
  voiceCallIds?: string[];
}

export interface ScriptedAnswer {
  /** Omitted: answer normally (after delayMs). */
  status?: number;
  /** An object is sent as JSON; a string as-is. */
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** Lower-cased names, as received. */
  headers: Record<string, string>;
  rawBody: string;
  receivedAt: Date;
  /** The bearer JWT, decoded without verification (null when absent or unreadable). */
  jwt: { token: string; header: Record<string, unknown>; claims: Record<string, unknown> } | null;
  /** Why the fake refused it, when it did on its own. */
  refusal?: string;
  /** The status answered (undefined while still pending or when the client went away). */
  status?: number;
}

export interface CreatedCallback {
  recordId: string;
  callId: string;
  body: Record<string, unknown>;
}

const ROUTE = /^\/telephony\/v1\/voiceCalls\/([^/]+)\/requestCallback$/;

export class SalesforceFake {
  static readonly defaults = SALESFORCE_FAKE_DEFAULTS;

  /** Canned answers for each error class the adapter maps. */
  static readonly answers = {
    badRequest: (message = 'Invalid callbackNumber'): ScriptedAnswer => ({ status: 400, body: { errorCode: 'INVALID_INPUT', message } }),
    notFound: (message = 'The requested VoiceCall was not found'): ScriptedAnswer => ({ status: 404, body: { errorCode: 'NOT_FOUND', message } }),
    unauthorized: (message = 'Invalid JWT'): ScriptedAnswer => ({ status: 401, body: { errorCode: 'INVALID_AUTH', message } }),
    forbidden: (message = 'Insufficient access'): ScriptedAnswer => ({ status: 403, body: { errorCode: 'FORBIDDEN', message } }),
    rateLimited: (retryAfter?: string): ScriptedAnswer => ({
      status: 429,
      headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter },
      body: { errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'Too many requests' },
    }),
    unavailable: (status = 503): ScriptedAnswer => ({ status, body: { errorCode: 'SERVER_ERROR', message: 'Service unavailable' } }),
    slow: (delayMs: number): ScriptedAnswer => ({ delayMs }),
  };

  /** An RSA key pair made at run time (no key files in the repo); the private half as PKCS#8 PEM for the env var. */
  static async generateKeys(): Promise<{ privateKeyPem: string; publicKey: CryptoKey; publicKeyPem: string }> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
    return { privateKeyPem: await exportPKCS8(privateKey), publicKey, publicKeyPem: await exportSPKI(publicKey) };
  }

  /** The accounts-file `salesforce:` block matching the fake's defaults. */
  static accountBlock(privateKeyEnv: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const { orgId, callCenterApiName, telephonyProviderName } = SALESFORCE_FAKE_DEFAULTS;
    return { myDomain: 'acme', orgId, callCenterApiName, telephonyProviderName, privateKeyEnv, ...extra };
  }

  static async start(opts: SalesforceFakeOptions): Promise<SalesforceFake> {
    const key = typeof opts.publicKey === 'string' ? await importSPKI(opts.publicKey, 'RS256') : opts.publicKey;
    const fake = new SalesforceFake(opts, key);
    fake.server.listen(0, '127.0.0.1');
    await once(fake.server, 'listening');
    const { port } = fake.server.address() as AddressInfo;
    fake.baseUrl = `http://127.0.0.1:${port}`;
    return fake;
  }

  baseUrl = '';
  readonly requests: RecordedRequest[] = [];
  readonly callbacks: CreatedCallback[] = [];
  private readonly script: ScriptedAnswer[] = [];
  /** jti → the token that carried it. */
  private readonly seenJti = new Map<string, string>();
  private readonly server: http.Server;
  private nextRecord = 1;

  private constructor(
    readonly opts: SalesforceFakeOptions,
    private readonly key: CryptoKey | KeyObject,
  ) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((err) => {
          if (!res.headersSent) this.reply(res, undefined, 500, { errorCode: 'FAKE_ERROR', message: String(err) });
        });
      });
    });
  }

  /** Queue answers for the next requests, in order. */
  enqueue(...answers: ScriptedAnswer[]): void {
    this.script.push(...answers);
  }

  /** Forget requests, callbacks, seen jtis and queued answers (between tests sharing one fake). */
  reset(): void {
    this.requests.length = 0;
    this.callbacks.length = 0;
    this.script.length = 0;
    this.seenJti.clear();
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private now(): Date {
    return this.opts.now ? this.opts.now() : new Date();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, rawBody: string): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v ?? '');
    const token = /^Bearer (\S+)$/.exec(headers.authorization ?? '')?.[1] ?? null;
    const rec: RecordedRequest = {
      method: req.method ?? '', path: req.url ?? '', headers, rawBody, receivedAt: this.now(), jwt: decodeQuietly(token),
    };
    this.requests.push(rec);
    const scripted = this.script.shift();
    if (scripted?.delayMs) await waitOrHangUp(scripted.delayMs, res);
    if (res.destroyed) return;
    if (scripted?.status !== undefined) return this.reply(res, rec, scripted.status, scripted.body, scripted.headers);

    const route = ROUTE.exec((req.url ?? '').split('?')[0]);
    if (req.method !== 'POST' || !route) return this.refuse(res, rec, 404, 'NOT_FOUND', `No resource at ${req.method} ${req.url}`);
    const authProblem = await this.checkToken(token);
    if (authProblem) return this.refuse(res, rec, 401, 'INVALID_AUTH', authProblem);
    if (!/^application\/json(\s*;.*)?$/i.test(headers['content-type'] ?? '')) {
      return this.refuse(res, rec, 400, 'INVALID_CONTENT_TYPE', 'Content-Type must be application/json');
    }
    const provider = this.opts.telephonyProviderName ?? SALESFORCE_FAKE_DEFAULTS.telephonyProviderName;
    if (headers['telephony-provider-name'] !== provider) {
      return this.refuse(res, rec, 400, 'INVALID_HEADER', `Telephony-Provider-Name must be ${provider}`);
    }
    const checked = checkCallbackBody(rawBody);
    if ('problem' in checked) return this.refuse(res, rec, 400, 'INVALID_INPUT', checked.problem);
    const callId = decodeURIComponent(route[1]);
    if (this.opts.voiceCallIds && !this.opts.voiceCallIds.includes(callId)) {
      return this.refuse(res, rec, 404, 'NOT_FOUND', `The VoiceCall ${callId} was not found`);
    }
    const recordId = `0TzLT${String(this.nextRecord++).padStart(11, '0')}AA`;
    this.callbacks.push({ recordId, callId, body: checked.body });
    this.reply(res, rec, 200, { recordId });
  }

  /** null when the token passes every check Salesforce documents; else why not. */
  private async checkToken(token: string | null): Promise<string | null> {
    if (!token) return 'Missing bearer token';
    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(token, this.key, {
        algorithms: ['RS256'],
        issuer: this.opts.orgId ?? SALESFORCE_FAKE_DEFAULTS.orgId,
        subject: this.opts.callCenterApiName ?? SALESFORCE_FAKE_DEFAULTS.callCenterApiName,
        audience: this.opts.audience ?? SALESFORCE_FAKE_DEFAULTS.audience,
        currentDate: this.now(),
        requiredClaims: ['exp', 'jti'],
      }));
    } catch (err) {
      return `JWT refused: ${(err as Error).message}`;
    }
    const aheadSeconds = (claims.exp as number) - this.now().getTime() / 1000;
    if (aheadSeconds > MAX_EXP_AHEAD_SECONDS) return `JWT refused: exp is ${Math.round(aheadSeconds)} s ahead, more than 3 minutes`;
    if (typeof claims.jti !== 'string' || claims.jti === '') return 'JWT refused: jti must be a non-empty string';
    const jti = claims.jti as string;
    const seenWith = this.seenJti.get(jti);
    if (seenWith !== undefined && (seenWith !== token || this.opts.singleUseJti)) return `JWT refused: jti ${jti} was already used`;
    this.seenJti.set(jti, token);
    return null;
  }

  private refuse(res: http.ServerResponse, rec: RecordedRequest, status: number, errorCode: string, message: string): void {
    rec.refusal = message;
    this.reply(res, rec, status, { errorCode, message });
  }

  private reply(res: http.ServerResponse, rec: RecordedRequest | undefined, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.destroyed) return;
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    const type = typeof body === 'string' ? 'text/plain' : 'application/json;charset=UTF-8';
    res.writeHead(status, { 'content-type': type, ...headers });
    res.end(text);
    if (rec) rec.status = status;
  }
}

/** Latency that ends early when the client hangs up (its timeout), so no timer outlives the test. */
function waitOrHangUp(ms: number, res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    res.once('close', done);
    function done() {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    }
  });
}

function decodeQuietly(token: string | null): RecordedRequest['jwt'] {
  if (!token) return null;
  try {
    return { token, header: decodeProtectedHeader(token) as Record<string, unknown>, claims: decodeJwt(token) as Record<string, unknown> };
  } catch {
    return null;
  }
}

/** The requestCallback body exactly as seeds/003 documents it: nothing missing, nothing extra. */
function checkCallbackBody(raw: string): { body: Record<string, unknown> } | { problem: string } {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return { problem: 'The request body is not valid JSON' };
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { problem: 'The request body must be a JSON object' };
  const o = body as Record<string, unknown>;
  const extra = Object.keys(o).find((k) => !BODY_KEYS.has(k));
  if (extra) return { problem: `Unrecognized field: ${extra}` };
  if (typeof o.callbackNumber !== 'string' || !/^\+[1-9]\d{6,14}$/.test(o.callbackNumber)) {
    return { problem: 'callbackNumber is required and must be a phone number in E.164 format' };
  }
  if (o.isPreviewCallback !== undefined && typeof o.isPreviewCallback !== 'boolean') return { problem: 'isPreviewCallback must be a boolean' };
  const at = o.scheduledRoutingDateTime;
  if (at !== undefined && (typeof at !== 'string' || !ISO_8601.test(at) || Number.isNaN(Date.parse(at)))) {
    return { problem: 'scheduledRoutingDateTime must be an ISO 8601 date and time' };
  }
  return { body: o };
}
