import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Session tokens name one page view without writing anything per view: `<id>.<issued>.<mac>`
 * where id is 128 random bits, issued is the Unix time in base 36 and mac is HMAC-SHA256 over
 * both, cut to 128 bits. All parts are URL-safe.
 */
export interface SessionToken {
  /** The session id: 22 base64url characters. */
  id: string;
  /** When the token was minted, Unix seconds. */
  issuedAt: number;
}

const TOKEN = /^([A-Za-z0-9_-]{22})\.([0-9a-z]{1,9})\.([A-Za-z0-9_-]{22})$/;
/** Clock skew tolerated between processes that mint and verify. */
const FUTURE_SKEW_SECONDS = 300;

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`v1.${payload}`).digest().subarray(0, 16);
}

/** Mints a token for a new session. */
export function mintSessionToken(secret: string, now = Date.now()): { token: string; session: SessionToken } {
  const id = randomBytes(16).toString('base64url');
  const issuedAt = Math.floor(now / 1000);
  const payload = `${id}.${issuedAt.toString(36)}`;
  return { token: `${payload}.${mac(secret, payload).toString('base64url')}`, session: { id, issuedAt } };
}

/**
 * Verifies a token's form, signature and age. Returns null for anything forged, tampered,
 * expired or malformed; never throws.
 */
export function verifySessionToken(
  secret: string,
  token: unknown,
  maxAgeSeconds: number,
  now = Date.now(),
): SessionToken | null {
  if (typeof token !== 'string' || token.length > 64) return null;
  const match = TOKEN.exec(token);
  if (!match) return null;
  const [, id, issued, signature] = match as unknown as [string, string, string, string];
  const expected = mac(secret, `${id}.${issued}`);
  const given = Buffer.from(signature, 'base64url');
  // The last of 22 characters carries 4 unused bits: accept only the canonical spelling, so a
  // token has exactly one valid form.
  if (given.length !== expected.length || given.toString('base64url') !== signature) return null;
  if (!timingSafeEqual(given, expected)) return null;
  const issuedAt = parseInt(issued, 36);
  const nowSeconds = Math.floor(now / 1000);
  if (issuedAt > nowSeconds + FUTURE_SKEW_SECONDS || nowSeconds - issuedAt > maxAgeSeconds) return null;
  return { id, issuedAt };
}
