import { describe, expect, it } from 'vitest';
import { mintSessionToken, mintSiteToken, type SiteSecret } from './session-token.js';
import { TokenVerifier } from './token-verifier.js';

const SECRET = 'a-secret-of-enough-length';
const DAY_MS = 86400_000;
const policy = { canary: true, reportingApi: false };

function verifier(shopSecrets: SiteSecret[] = [{ secret: 'shop-secret-of-enough-length', until: null }]) {
  const collector = new Map([['shop', { id: 'shop', secrets: shopSecrets, origins: new Set(['https://shop.test']) }]]);
  return new TokenVerifier({ secret: SECRET, sessionKeepDays: 1, collector: collector as never });
}

describe('TokenVerifier', () => {
  it("verifies this server's tokens and a site's, and gives the same answer when asked again", () => {
    const tokens = verifier();
    const local = mintSessionToken(SECRET);
    const site = mintSiteToken('shop', 'shop-secret-of-enough-length', policy);
    for (let i = 0; i < 2; i++) {
      expect(tokens.verify(local.token)).toEqual(local.session);
      expect(tokens.verify(site.token)).toEqual(site.session);
    }
  });

  it('refuses forged, malformed and foreign tokens, however often they come', () => {
    const tokens = verifier();
    const forged = mintSessionToken('another-secret-of-length').token;
    const otherSite = mintSiteToken('blog', 'shop-secret-of-enough-length', policy).token;
    for (let i = 0; i < 2; i++) {
      for (const bad of [forged, otherSite, undefined, 42, '', 'a.b.c', 'x'.repeat(500)]) expect(tokens.verify(bad)).toBeNull();
    }
  });

  it('stops accepting a remembered token once it is too old', () => {
    const now = Date.now();
    const tokens = verifier();
    const { token } = mintSessionToken(SECRET, now);
    expect(tokens.verify(token, now)).not.toBeNull();
    expect(tokens.verify(token, now + DAY_MS - 1000)).not.toBeNull();
    expect(tokens.verify(token, now + DAY_MS + 1000)).toBeNull();
  });

  it("stops accepting a remembered token when its retired secret's grace period ends", () => {
    const now = Date.now();
    const tokens = verifier([
      { secret: 'new-shop-secret-of-length', until: null },
      { secret: 'old-shop-secret-of-length', until: now + 60_000 },
    ]);
    const old = mintSiteToken('shop', 'old-shop-secret-of-length', policy, now).token;
    const current = mintSiteToken('shop', 'new-shop-secret-of-length', policy, now).token;
    expect(tokens.verify(old, now)).not.toBeNull();
    expect(tokens.verify(old, now + 59_000)).not.toBeNull();
    expect(tokens.verify(old, now + 61_000)).toBeNull();
    expect(tokens.verify(current, now + 61_000)).not.toBeNull();
  });

  it('hands out sessions nobody can change', () => {
    const tokens = verifier();
    const { token } = mintSessionToken(SECRET);
    const session = tokens.verify(token)!;
    expect(() => Object.assign(session, { id: 'other' })).toThrow(TypeError);
    expect(tokens.verify(token)!.id).not.toBe('other');
  });
});
