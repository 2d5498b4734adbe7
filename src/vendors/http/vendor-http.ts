/**
 * The one HTTP client for vendor calls (undici, keep-alive pool per origin).
 * It classifies transport failures the way the dispatch rules need:
 *   - the request never left (connect refused / connect timeout / DNS): retryable
 *   - it may have reached the vendor (headers/body timeout, reset after write): unknown
 * and it parses Retry-After. Mapping status codes to outcomes stays with each
 * vendor's mapper, since vendors differ (e.g. 409 or 422 meanings).
 */
import { Agent, request } from 'undici';
import { VendorOutcomeUnknownError, VendorRetryableError } from '../vendor.errors';

export interface VendorHttpOptions {
  /** Time allowed for the vendor to answer once the request was sent. */
  timeoutMs?: number;
  connectTimeoutMs?: number;
}

export interface VendorRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface VendorResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

export class VendorHttp {
  private readonly agent: Agent;
  private readonly timeoutMs: number;

  constructor(opts: VendorHttpOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.agent = new Agent({
      keepAliveTimeout: 30_000,
      connect: { timeout: opts.connectTimeoutMs ?? 5_000 },
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
  }

  async send(req: VendorRequest): Promise<VendorResponse> {
    let res;
    try {
      res = await request(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        dispatcher: this.agent,
      });
    } catch (err) {
      throw classifyTransportError(err, `${req.method} ${new URL(req.url).pathname}`);
    }
    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      throw classifyTransportError(err, `${req.method} ${new URL(req.url).pathname}`, true);
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v ?? '');
    let json: unknown;
    if (text && (headers['content-type'] ?? '').includes('json')) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    return { status: res.statusCode, headers, text, json };
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

export function classifyTransportError(err: unknown, what: string, afterHeaders = false): Error {
  const code = (err as { code?: string })?.code ?? '';
  const msg = `${what}: ${code || (err as Error)?.message || 'network error'}`;
  if (!afterHeaders && NOT_SENT.has(code)) return new VendorRetryableError(`request not sent (${msg})`, { vendorCode: code });
  return new VendorOutcomeUnknownError(`no answer after the request was sent (${msg})`, { vendorCode: code });
}

/**
 * Retry-After in milliseconds: delta-seconds or an HTTP date. Missing,
 * unparsable or negative → fallbackMs. Capped at one hour.
 */
export function parseRetryAfter(value: string | undefined, fallbackMs: number, now: Date = new Date()): number {
  if (!value) return fallbackMs;
  const v = value.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(v)) ms = Math.ceil(Number(v) * 1000);
  else {
    const at = Date.parse(v);
    if (Number.isNaN(at)) return fallbackMs;
    ms = at - now.getTime();
  }
  if (!Number.isFinite(ms) || ms < 0) return fallbackMs;
  return Math.min(ms, 3_600_000);
}
