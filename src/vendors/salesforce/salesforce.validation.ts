/**
 * Boot-time check of the `salesforce:` accounts-file block and creation-time
 * check of an intent's routing. Errors name the field or the environment
 * variable, never the secret itself.
 */
import { createPrivateKey, KeyObject } from 'node:crypto';
import type { FieldProblem } from '../../common/errors';
import {
  DEFAULT_TIMEOUT_MS,
  DEFAULT_TOKEN_TTL_SECONDS,
  MAX_TOKEN_TTL_SECONDS,
  SALESFORCE_AUDIENCE,
  SalesforceSettings,
} from './salesforce.types';

const REQUIRED = ['myDomain', 'orgId', 'callCenterApiName', 'telephonyProviderName', 'privateKeyEnv'] as const;
const OPTIONAL = ['audience', 'tokenTtlSeconds', 'reuseToken', 'timeoutMs'] as const;
const KNOWN = new Set<string>([...REQUIRED, ...OPTIONAL]);

/** Labels of a My Domain name; sandboxes look like `acme--uat.sandbox`. */
const MY_DOMAIN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/i;
/** Salesforce org ids: 00D + 12 characters, or the 18-character form. */
const ORG_ID = /^00D[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$/;
/** Salesforce API names: a letter, then letters, digits and single underscores. */
const API_NAME = /^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Goes into an HTTP header: visible ASCII and spaces only. */
const HEADER_VALUE = /^[\x20-\x7e]+$/;
/** Goes into the URL path: Salesforce ids and vendor contact ids (UUIDs, ARNs' last part). */
const CALL_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,254}$/;

function text(raw: Record<string, unknown>, key: string, pattern: RegExp, max: number, what: string): string {
  const v = raw[key];
  if (v === undefined || v === null || v === '') throw new Error(`${key} is required`);
  if (typeof v !== 'string' || v.length > max || !pattern.test(v)) throw new Error(`${key} must be ${what}`);
  return v;
}

function intIn(raw: Record<string, unknown>, key: string, min: number, max: number, dflt: number): number {
  const v = raw[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new Error(`${key} must be an integer from ${min} to ${max}`);
  return v;
}

/**
 * Reads the PEM key from the variable the block names. Env vars often carry
 * PEMs with literal "\n" (one-line secrets), so those are turned back into newlines.
 */
function readPrivateKey(envName: string, env: Record<string, string | undefined>): KeyObject {
  const pem = env[envName];
  if (pem === undefined || pem.trim() === '') throw new Error(`privateKeyEnv: environment variable ${envName} is not set`);
  const normalised = pem.includes('\\n') ? pem.replace(/\\n/g, '\n') : pem;
  if (!normalised.includes('-----BEGIN')) throw new Error(`privateKeyEnv: ${envName} does not hold a PEM private key`);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: normalised, format: 'pem' });
  } catch {
    // The parser's message is not repeated: it could quote part of the secret.
    throw new Error(`privateKeyEnv: ${envName} does not hold a readable, unencrypted PEM private key`);
  }
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`privateKeyEnv: ${envName} must hold an RSA key (Salesforce signs with RS256)`);
  return key;
}

export function parseSalesforceSettings(raw: Record<string, unknown>, env: Record<string, string | undefined>): SalesforceSettings {
  for (const key of Object.keys(raw)) if (!KNOWN.has(key)) throw new Error(`unknown key "${key}"`);
  const myDomain = text(raw, 'myDomain', MY_DOMAIN, 200, 'a My Domain name such as "acme" (without .my.salesforce-scrt.com)');
  const orgId = text(raw, 'orgId', ORG_ID, 18, 'a Salesforce org id (00D… , 15 or 18 characters)');
  const callCenterApiName = text(raw, 'callCenterApiName', API_NAME, 80, 'the API name of the CallCenter record');
  const telephonyProviderName = text(raw, 'telephonyProviderName', HEADER_VALUE, 255, 'printable ASCII (it is sent as a header)');
  const privateKeyEnv = text(raw, 'privateKeyEnv', ENV_NAME, 200, 'the name of an environment variable');
  let audience = SALESFORCE_AUDIENCE;
  if (raw.audience !== undefined) {
    if (typeof raw.audience !== 'string' || !/^https:\/\/\S+$/.test(raw.audience)) throw new Error('audience must be an https URL');
    audience = raw.audience;
  }
  if (raw.reuseToken !== undefined && typeof raw.reuseToken !== 'boolean') throw new Error('reuseToken must be true or false');
  return {
    myDomain,
    orgId,
    callCenterApiName,
    telephonyProviderName,
    privateKeyEnv,
    privateKey: readPrivateKey(privateKeyEnv, env),
    audience,
    tokenTtlSeconds: intIn(raw, 'tokenTtlSeconds', 10, MAX_TOKEN_TTL_SECONDS, DEFAULT_TOKEN_TTL_SECONDS),
    reuseToken: (raw.reuseToken as boolean | undefined) ?? true,
    timeoutMs: intIn(raw, 'timeoutMs', 100, 120_000, DEFAULT_TIMEOUT_MS),
  };
}

const ROUTING_KEYS = new Set(['voiceCallId', 'isPreviewCallback']);

export function validateSalesforceRouting(routing: Record<string, unknown>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const key of Object.keys(routing)) {
    if (!ROUTING_KEYS.has(key)) problems.push({ field: `routing.${key}`, message: 'is not a Salesforce routing field (voiceCallId, isPreviewCallback)' });
  }
  const id = routing.voiceCallId;
  if (id === undefined || id === null || id === '') {
    problems.push({ field: 'routing.voiceCallId', message: 'is required: a Salesforce callback belongs to an earlier call (VoiceCall id or the telephony contact id)' });
  } else if (typeof id !== 'string' || !CALL_ID.test(id)) {
    problems.push({ field: 'routing.voiceCallId', message: 'must be a VoiceCall id or contact id (letters, digits, . _ : -; at most 255 characters)' });
  }
  if (routing.isPreviewCallback !== undefined && typeof routing.isPreviewCallback !== 'boolean') {
    problems.push({ field: 'routing.isPreviewCallback', message: 'must be true or false' });
  }
  return problems;
}
