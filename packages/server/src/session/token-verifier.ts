import { LRUCache } from 'lru-cache';
import { checkSessionToken, checkSiteToken, type SessionToken, type SiteSecret, type VerifiedToken } from './session-token.js';

/** What verifying needs: this server's secret, each collector site's secrets, and how long a session lives. */
export interface TokenSecrets {
  secret: string;
  collector: ReadonlyMap<string, { secrets: readonly SiteSecret[] }> | null;
  sessionKeepDays: number;
}

/**
 * How many verified tokens are remembered. A page view's token comes back with each of its
 * reports, SDK batches and verdict polls; ten thousand live page views cost about 2 MB.
 */
const REMEMBERED_TOKENS = 10_000;

/**
 * Verifies the session tokens an observer accepts: this server's own (its secret) or, in
 * collector mode, a site's (that site's secrets), within the session's lifetime. A valid
 * token is remembered until it would stop being valid (its age limit, or the end of a retired
 * secret's grace period), so a page view's later requests skip the HMAC; forged tokens are
 * never remembered, so they cannot push real ones out.
 */
export class TokenVerifier {
  private readonly verified = new LRUCache<string, VerifiedToken>({ max: REMEMBERED_TOKENS });
  private readonly maxAgeSeconds: number;

  constructor(private readonly options: TokenSecrets) {
    this.maxAgeSeconds = options.sessionKeepDays * 86400;
  }

  verify(token: unknown, now = Date.now()): SessionToken | null {
    if (typeof token !== 'string') return null;
    const known = this.verified.get(token);
    if (known && now <= known.validUntil) return known.session;
    const checked = this.check(token, now);
    // Shared by every request that carries the token: nobody may change it.
    if (checked) this.verified.set(token, { session: Object.freeze(checked.session), validUntil: checked.validUntil });
    else if (known) this.verified.delete(token);
    return checked?.session ?? null;
  }

  private check(token: string, now: number): VerifiedToken | null {
    const { secret, collector } = this.options;
    return (
      checkSessionToken(secret, token, this.maxAgeSeconds, now) ??
      (collector ? checkSiteToken((site) => collector.get(site)?.secrets, token, this.maxAgeSeconds, now) : null)
    );
  }
}
