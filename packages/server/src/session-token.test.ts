import { describe, expect, it } from 'vitest';
import { mintSessionToken, verifySessionToken } from './session-token.js';

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
