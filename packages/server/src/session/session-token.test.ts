import { describe, expect, it } from 'vitest';
import { mintSessionToken, mintSiteToken, siteOfSession, verifySessionToken, verifySiteToken } from './session-token.js';

const SECRET = 'a-secret-of-enough-length';
const DAY = 86400;

describe('session tokens', () => {
  it('verifies what it minted and nothing else', () => {
    const { token, session } = mintSessionToken(SECRET);
    expect(verifySessionToken(SECRET, token, DAY)).toEqual(session);
    expect(verifySessionToken('another-secret-of-length', token, DAY)).toBeNull();
  });

  it('refuses any changed character', () => {
    const { token } = mintSessionToken(SECRET);
    for (let i = 0; i < token.length; i++) {
      if (token[i] === '.') continue;
      const changed = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
      expect(verifySessionToken(SECRET, changed, DAY), `changed at ${i}`).toBeNull();
    }
  });

  it('refuses expired and far-future tokens', () => {
    const now = Date.now();
    const { token } = mintSessionToken(SECRET, now - 2 * DAY * 1000);
    expect(verifySessionToken(SECRET, token, DAY, now)).toBeNull();
    expect(verifySessionToken(SECRET, token, 3 * DAY, now)).not.toBeNull();
    const future = mintSessionToken(SECRET, now + 3600_000).token;
    expect(verifySessionToken(SECRET, future, DAY, now)).toBeNull();
  });

  it('refuses malformed input without throwing', () => {
    for (const bad of [undefined, null, 42, '', 'a.b.c', 'x'.repeat(500), '../../etc/passwd']) {
      expect(verifySessionToken(SECRET, bad, DAY)).toBeNull();
    }
  });

  it('mints distinct ids', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => mintSessionToken(SECRET).session.id));
    expect(ids.size).toBe(1000);
  });
});

describe("a collector site's tokens", () => {
  const POLICY = { canary: true, reportingApi: false };
  const accepted = (secrets: Array<{ secret: string; until: number | null }>) => (site: string) => (site === 'shop' ? secrets : undefined);

  it("names the site, keys the session under it, and carries the site policy's facts", () => {
    const { token, session } = mintSiteToken('shop', SECRET, { canary: false, reportingApi: true });
    expect(session.id).toMatch(/^shop\.[A-Za-z0-9_-]{16}$/);
    expect(verifySiteToken(accepted([{ secret: SECRET, until: null }]), token, DAY)).toEqual(session);
    expect(siteOfSession(session.id)).toBe('shop');
    expect(siteOfSession(mintSessionToken(SECRET).session.id)).toBe('');
  });

  it('accepts a retired secret until its grace period ends, and no other secret or site', () => {
    const now = Date.now();
    const { token } = mintSiteToken('shop', 'old-secret-of-enough-length', POLICY, now);
    const rotating = accepted([
      { secret: SECRET, until: null },
      { secret: 'old-secret-of-enough-length', until: now + 1000 },
    ]);
    expect(verifySiteToken(rotating, token, DAY, now)).not.toBeNull();
    expect(verifySiteToken(rotating, token, DAY, now + 2000)).toBeNull();
    expect(verifySiteToken(accepted([{ secret: SECRET, until: null }]), token, DAY, now)).toBeNull();
    expect(verifySiteToken(() => undefined, token, DAY, now)).toBeNull();
  });

  it('refuses a changed site, id, time, flag or signature, and never mixes with local tokens', () => {
    const { token } = mintSiteToken('shop', SECRET, POLICY);
    const verify = (t: string) =>
      verifySiteToken((site) => (site === 'shop' || site === 'shoq' ? [{ secret: SECRET, until: null }] : undefined), t, DAY);
    for (let i = 0; i < token.length; i++) {
      if (token[i] === '.') continue;
      const swapped = token[i] === 'A' ? 'B' : token[i] === '1' ? '0' : token[i] === 'p' ? 'q' : 'A';
      expect(verify(token.slice(0, i) + swapped + token.slice(i + 1)), `changed at ${i}`).toBeNull();
    }
    expect(verifySessionToken(SECRET, token, DAY)).toBeNull();
    expect(verify(mintSessionToken(SECRET).token)).toBeNull();
  });
});

describe('minting in batches', () => {
  it('stamps each token with its own second, even from a batch made a second earlier', () => {
    const now = 1_800_000_000_000;
    const first = mintSessionToken(SECRET, now);
    const later = mintSessionToken(SECRET, now + 1000);
    expect(first.session.issuedAt).toBe(1_800_000_000);
    expect(later.session.issuedAt).toBe(1_800_000_001);
    expect(verifySessionToken(SECRET, later.token, DAY, now + 1000)).toEqual(later.session);
  });

  it('hands out every token of a batch once, each verifiable, across batches', () => {
    const now = Date.now();
    const tokens = Array.from({ length: 300 }, () => mintSessionToken(SECRET, now).token);
    expect(new Set(tokens).size).toBe(300);
    for (const token of tokens) expect(verifySessionToken(SECRET, token, DAY, now)).not.toBeNull();
  });

  it("keeps each secret's tokens under its own key", () => {
    const now = Date.now();
    const a = mintSessionToken(SECRET, now).token;
    const b = mintSessionToken('another-secret-of-length', now).token;
    expect(verifySessionToken('another-secret-of-length', a, DAY, now)).toBeNull();
    expect(verifySessionToken(SECRET, b, DAY, now)).toBeNull();
    expect(verifySessionToken('another-secret-of-length', b, DAY, now)).not.toBeNull();
  });
});
