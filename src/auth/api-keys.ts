/**
 * The API-key store: create, list, rotate, revoke, and authenticate a presented
 * key. A plain class so the `keys` command can use it without the Nest app;
 * api-keys.provider.ts makes it injectable.
 */
import type { Clock } from '../common/clock';
import { DomainError, InvalidTransition, NotFound, ValidationFailed } from '../common/errors';
import type { Scope } from '../common/auth';
import type { PrismaClient } from '../generated/prisma/client';
import { CLIENT_NAME, mintKey, parseKey, parseScopes, secretMatches } from './api-key';

export interface AuthenticatedCaller {
  client: string;
  keyId: string;
  scopes: Scope[];
}

export type KeyStatus = 'active' | 'expiring' | 'expired' | 'revoked';

export interface ApiKeyView {
  id: string;
  client: string;
  name: string | null;
  scopes: Scope[];
  status: KeyStatus;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  rotatedTo: string | null;
}

export interface CreatedKey extends ApiKeyView {
  /** The full key. Shown only in this answer; store it in the caller's secret store. */
  key: string;
}

export interface CreateKeyInput {
  client: unknown;
  scopes: unknown;
  name?: unknown;
  expiresAt?: unknown;
}

type Row = {
  id: string;
  client: string;
  name: string | null;
  secretHash: string;
  scopes: string[];
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  rotatedTo: string | null;
};

const LAST_USED_RESOLUTION_MS = 60_000;

export class ApiKeys {
  private readonly cache = new Map<string, { row: Row | null; at: number }>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly clock: Clock,
    /** How long a looked-up key is trusted before it is read again (revocation delay in other processes). */
    private readonly cacheMs: number,
  ) {}

  async create(input: CreateKeyInput): Promise<CreatedKey> {
    const problems = [];
    if (typeof input.client !== 'string' || !CLIENT_NAME.test(input.client)) problems.push({ field: 'client', message: 'must be 1–100 letters, digits, . _ - (starting with a letter or digit)' });
    const { scopes, problem } = parseScopes(input.scopes);
    if (problem) problems.push({ field: 'scopes', message: problem });
    if (input.name !== undefined && input.name !== null && (typeof input.name !== 'string' || input.name.length > 100)) problems.push({ field: 'name', message: 'must be a string of at most 100 characters' });
    let expiresAt: Date | null = null;
    if (input.expiresAt !== undefined && input.expiresAt !== null) {
      expiresAt = typeof input.expiresAt === 'string' && /^\d{4}-\d\d-\d\dT/.test(input.expiresAt) ? new Date(input.expiresAt) : new Date(NaN);
      if (Number.isNaN(expiresAt.getTime()) || expiresAt <= this.clock.now()) problems.push({ field: 'expiresAt', message: 'must be an ISO-8601 date-time in the future' });
    }
    if (problems.length) throw new ValidationFailed(problems);
    return this.insert(input.client as string, scopes!, (input.name as string | undefined) ?? null, expiresAt);
  }

  async list(client?: string): Promise<ApiKeyView[]> {
    const rows = await this.prisma.apiKey.findMany({ where: client ? { client } : {}, orderBy: [{ client: 'asc' }, { createdAt: 'asc' }] });
    return rows.map((r) => this.view(r));
  }

  async get(id: string): Promise<ApiKeyView> {
    return this.view(await this.row(id));
  }

  /** A new key with the same client and scopes; the old one stays valid for `overlapMs`, then expires. */
  async rotate(id: string, overlapMs: number): Promise<CreatedKey> {
    const old = await this.row(id);
    const status = this.status(old);
    if (status === 'revoked' || status === 'expired') throw new InvalidTransition(status, 'rotate');
    if (old.rotatedTo) throw new DomainError(409, 'already_rotated', `Key ${id} was already rotated to ${old.rotatedTo}`, [], { rotatedTo: old.rotatedTo });
    const fresh = await this.insert(old.client, old.scopes as Scope[], old.name, old.expiresAt);
    const end = new Date(this.clock.now().getTime() + overlapMs);
    await this.prisma.apiKey.update({
      where: { id },
      data: { rotatedTo: fresh.id, expiresAt: old.expiresAt && old.expiresAt < end ? old.expiresAt : end },
    });
    this.cache.delete(id);
    return fresh;
  }

  async revoke(id: string): Promise<ApiKeyView> {
    const row = await this.row(id);
    const updated = row.revokedAt ? row : await this.prisma.apiKey.update({ where: { id }, data: { revokedAt: this.clock.now() } });
    this.cache.delete(id);
    return this.view(updated);
  }

  /** The caller a presented key stands for, or null (unknown, wrong secret, revoked, expired). */
  async authenticate(presented: string): Promise<AuthenticatedCaller | null> {
    const parsed = parseKey(presented);
    if (!parsed) return null;
    const row = await this.lookup(parsed.id);
    if (!row || !secretMatches(parsed.secret, row.secretHash)) return null;
    const status = this.status(row);
    if (status === 'revoked' || status === 'expired') return null;
    const now = this.clock.now();
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      row.lastUsedAt = now;
      this.prisma.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: now } }).catch(() => undefined);
    }
    return { client: row.client, keyId: row.id, scopes: row.scopes as Scope[] };
  }

  private async lookup(id: string): Promise<Row | null> {
    const hit = this.cache.get(id);
    const now = Date.now();
    if (hit && now - hit.at < this.cacheMs) return hit.row;
    const row = await this.prisma.apiKey.findUnique({ where: { id } });
    if (this.cacheMs > 0) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(id, { row, at: now });
    }
    return row;
  }

  private async insert(client: string, scopes: Scope[], name: string | null, expiresAt: Date | null): Promise<CreatedKey> {
    const minted = mintKey();
    const row = await this.prisma.apiKey.create({
      data: { id: minted.id, client, name, scopes, secretHash: minted.secretHash, expiresAt, createdAt: this.clock.now() },
    });
    return { ...this.view(row), key: minted.key };
  }

  private async row(id: string): Promise<Row> {
    const row = /^[0-9a-f]{12}$/.test(id) ? await this.prisma.apiKey.findUnique({ where: { id } }) : null;
    if (!row) throw new NotFound('API key', id);
    return row;
  }

  private status(r: Row): KeyStatus {
    if (r.revokedAt) return 'revoked';
    if (r.expiresAt && r.expiresAt <= this.clock.now()) return 'expired';
    return r.expiresAt ? 'expiring' : 'active';
  }

  private view(r: Row): ApiKeyView {
    return {
      id: r.id,
      client: r.client,
      name: r.name,
      scopes: r.scopes as Scope[],
      status: this.status(r),
      createdAt: r.createdAt.toISOString(),
      expiresAt: r.expiresAt?.toISOString() ?? null,
      revokedAt: r.revokedAt?.toISOString() ?? null,
      lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
      rotatedTo: r.rotatedTo,
    };
  }
}
