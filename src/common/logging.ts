/**
 * JSON logs through nestjs-pino; pretty only when a person runs it (LOG_PRETTY).
 * Every line of a request carries its id; phone numbers are masked and
 * credentials removed wherever they appear in a logged object; health and
 * metrics routes are not logged.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config/config';
import { maskPhone } from './phone';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Reuses a caller's X-Request-Id when it is sane, else makes one. */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  (req as IncomingMessage & { id?: string }).id = id;
  return id;
}

const PHONE_PATHS = ['phoneNumber', '*.phoneNumber', 'requester_phone_number', '*.requester_phone_number', 'callbackNumber', '*.callbackNumber'];
const SECRET_PATHS = [
  'req.headers.authorization',
  'req.headers["idempotency-key"]',
  'req.headers.cookie',
  'notes',
  '*.notes',
  'password',
  '*.password',
  'token',
  '*.token',
];

export function loggerParams(config: AppConfig, destination?: NodeJS.WritableStream): Params {
  const options = {
    level: config.logLevel,
    genReqId: (req) => (req as IncomingMessage & { id?: string }).id ?? requestIdFor(req),
    redact: {
      paths: [...PHONE_PATHS, ...SECRET_PATHS],
      censor: (value: unknown, path: string[]) => {
        const last = path[path.length - 1];
        if (PHONE_PATHS.some((p) => p.endsWith(last)) && typeof value === 'string') return maskPhone(value);
        return '[redacted]';
      },
    },
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: maskUrl(req.url) }),
    },
    transport: config.logPretty && !destination ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } } : undefined,
  } satisfies Params['pinoHttp'];
  return {
    exclude: [
      { method: RequestMethod.ALL, path: 'health/*path' },
      { method: RequestMethod.ALL, path: 'metrics' },
    ],
    // A destination (tests capture logs to a file for the secrets/PII audit) replaces stdout.
    pinoHttp: destination ? [options, destination as never] : options,
  };
}

/** Phone numbers in query strings (list filters) are masked too. */
export function maskUrl(url: string): string {
  return url.replace(/(%2B|\+)(\d{7,15})/gi, (_m, plus: string, digits: string) => maskPhone(`+${digits}`).replace('+', plus));
}
