/**
 * API key format and hashing. A key is `cbo_<id>_<secret>`: the id (12 hex) is
 * public and names the row; the secret (32 random bytes, base64url) is shown
 * once and stored only as its SHA-256. A high-entropy secret needs no slow
 * hash: nobody can guess 256 bits, and lookups stay one indexed read.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SCOPES, Scope } from '../common/auth';

const KEY = /^cbo_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface MintedKey {
  id: string;
  key: string;
  secretHash: string;
}

export function mintKey(): MintedKey {
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, key: `cbo_${id}_${secret}`, secretHash: hashSecret(secret) };
}

export function parseKey(key: string): { id: string; secret: string } | null {
  const m = KEY.exec(key);
  return m ? { id: m[1], secret: m[2] } : null;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `admin` implies every other scope. */
export function grants(scopes: readonly string[], needed: Scope): boolean {
  return scopes.includes('admin') || scopes.includes(needed);
}

export function parseScopes(raw: unknown): { scopes?: Scope[]; problem?: string } {
  const list = typeof raw === 'string' ? raw.split(',').map((s) => s.trim()) : raw;
  if (!Array.isArray(list) || list.length === 0) return { problem: `must be a non-empty list of ${SCOPES.join(', ')}` };
  const bad = list.filter((s) => !SCOPES.includes(s as Scope));
  if (bad.length) return { problem: `unknown scope ${JSON.stringify(bad[0])}; use ${SCOPES.join(', ')}` };
  return { scopes: [...new Set(list as Scope[])] };
}

export const CLIENT_NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/i;
