/**
 * Signs the JWT Salesforce's Telephony Integration REST API takes as a bearer
 * token (RS256; iss = org id, sub = CallCenter API name, aud, iat, exp ≤ 3 min
 * ahead, a fresh jti per token), with jose. Signing costs an RSA operation, so
 * a token is reused while it has more than TOKEN_REUSE_MARGIN_SECONDS left,
 * unless the account turns reuse off. The clock is injected so expiry and
 * reuse are tested without waiting.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Clock } from '../../common/clock';
import { TOKEN_REUSE_MARGIN_SECONDS, type SalesforceSettings } from './salesforce.types';

interface CachedToken {
  token: string;
  /** exp, in epoch seconds. */
  exp: number;
}

export type TokenSettings = Pick<
  SalesforceSettings,
  'orgId' | 'callCenterApiName' | 'audience' | 'privateKey' | 'tokenTtlSeconds' | 'reuseToken'
>;

export class SalesforceTokenSigner {
  private cached: CachedToken | null = null;
  /** Concurrent dispatches share one signing rather than each signing its own. */
  private pending: Promise<CachedToken> | null = null;

  constructor(
    private readonly settings: TokenSettings,
    private readonly clock: Clock,
  ) {}

  async token(): Promise<string> {
    if (!this.settings.reuseToken) return (await this.sign()).token;
    const now = this.nowSeconds();
    if (this.cached && this.cached.exp - now > TOKEN_REUSE_MARGIN_SECONDS) return this.cached.token;
    if (!this.pending) {
      this.pending = this.sign().finally(() => {
        this.pending = null;
      });
    }
    const fresh = await this.pending;
    this.cached = fresh;
    return fresh.token;
  }

  /** Forget the cached token (after Salesforce refused it), so the next call signs anew. */
  invalidate(): void {
    this.cached = null;
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }

  private async sign(): Promise<CachedToken> {
    const s = this.settings;
    const iat = this.nowSeconds();
    const exp = iat + s.tokenTtlSeconds;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(s.orgId)
      .setSubject(s.callCenterApiName)
      .setAudience(s.audience)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(s.privateKey);
    return { token, exp };
  }
}
