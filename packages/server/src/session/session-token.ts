import { createHmac, timingSafeEqual } from 'node:crypto';
import { randomText } from '../http/random-pool.js';

/**
 * Session tokens name one page view without writing anything per view. Two forms, both
 * URL-safe:
 * - this server's own pages: `<id>.<issued>.<mac>`;
 * - a site reporting to a central collector: `<site>.<id>.<issued>.<flags>.<mac>`, signed with
 *   that site's secret, so the collector knows whose page view it is and that it may be.
 * id is 128 random bits, issued the Unix time in base 36, flags what the site's policy lets the
 * verdict expect (see SessionPolicy), mac HMAC-SHA256 over the rest cut to 128 bits. The two
 * forms are signed under different labels: one can never pass for the other.
 */
export interface SessionToken {
  /** The session's key in storage: the random id, prefixed with `<site>.` for a site's page views. */
  id: string;
  /** When the token was minted, Unix seconds. */
  issuedAt: number;
  /** The site of a collector that sent the page ("" for this server's own pages). */
  site: string;
  /** What a site's policy lets the verdict expect; absent for this server's own pages (its options say). */
  policy?: SessionPolicy;
}

/** What the policy of the page view's site allows the verdict to expect. */
export interface SessionPolicy {
  /** The policy forbids eval and asks for samples: the SDK's canary can work. */
  canary: boolean;
  /** Reporting API on HTTPS pages: native reports may come about a minute late. */
  reportingApi: boolean;
}

/** A secret a collector accepts for a site; `until` (epoch ms) ends a retired secret's grace period. */
export interface SiteSecret {
  secret: string;
  until: number | null;
}

const SITE = '[a-z0-9][a-z0-9-]{0,31}';
/** Site ids: lower-case letters, digits and dashes, as in `shop` or `blog-eu`. */
export const SITE_ID = new RegExp(`^${SITE}$`);
/** The dashboard's name for this server's own pages: no collector site may take it. */
export const LOCAL_SITE = 'local';
/** A stored session id: the random id, after `<site>.` for a collector site's page views. */
export const STORED_SESSION_ID = new RegExp(`^(?:${SITE}\\.)?[A-Za-z0-9_-]{1,32}$`);

const LOCAL_TOKEN = /^([A-Za-z0-9_-]{22})\.([0-9a-z]{1,9})\.([A-Za-z0-9_-]{22})$/;
const SITE_TOKEN = new RegExp(`^(${SITE})\\.([A-Za-z0-9_-]{22})\\.([0-9a-z]{1,9})\\.([0-3])\\.([A-Za-z0-9_-]{22})$`);
const MAX_TOKEN_LENGTH = 100;
/** Clock skew tolerated between processes that mint and verify. */
const FUTURE_SKEW_SECONDS = 300;

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest().subarray(0, 16);
}

function newSession(now: number): { id: string; issued: string; issuedAt: number } {
  const issuedAt = Math.floor(now / 1000);
  return { id: randomText(16, 'base64url'), issued: issuedAt.toString(36), issuedAt };
}

/** Mints a token for a new page view of this server's own pages. */
export function mintSessionToken(secret: string, now = Date.now()): { token: string; session: SessionToken } {
  const { id, issued, issuedAt } = newSession(now);
  const payload = `${id}.${issued}`;
  return { token: `${payload}.${mac(secret, `v1.${payload}`).toString('base64url')}`, session: { id, issuedAt, site: '' } };
}

/** Mints a token for a page view of `site`, to be verified by the collector that knows the site's secret. */
export function mintSiteToken(
  site: string,
  secret: string,
  policy: SessionPolicy,
  now = Date.now(),
): { token: string; session: SessionToken } {
  const { id, issued, issuedAt } = newSession(now);
  const payload = `${site}.${id}.${issued}.${policyFlags(policy)}`;
  return {
    token: `${payload}.${mac(secret, `s1.${payload}`).toString('base64url')}`,
    session: { id: `${site}.${id}`, issuedAt, site, policy },
  };
}

/** A policy's facts as the token's flags digit (and the sessions table's `policy` column). */
export function policyFlags(policy: SessionPolicy): number {
  return (policy.canary ? 1 : 0) | (policy.reportingApi ? 2 : 0);
}

/** The facts of a flags value written by policyFlags. */
export function policyOfFlags(flags: number): SessionPolicy {
  return { canary: (flags & 1) !== 0, reportingApi: (flags & 2) !== 0 };
}

/** Whether `signature` is the canonical base64url of the expected MAC (constant time). */
function signatureMatches(signature: string, expected: Buffer): boolean {
  const given = Buffer.from(signature, 'base64url');
  // The last of 22 characters carries 4 unused bits: accept only the canonical spelling, so a
  // token has exactly one valid form.
  return given.length === expected.length && given.toString('base64url') === signature && timingSafeEqual(given, expected);
}

/** The secrets a collector accepts for a site; undefined for a site it does not know. */
export type SecretsOfSite = (site: string) => readonly SiteSecret[] | undefined;

/** A verified token, and the last moment it stays valid (its age limit, or its secret's grace period). */
export interface VerifiedToken {
  session: SessionToken;
  /** Epoch ms; after it the token must be verified again (and will fail). */
  validUntil: number;
}

/** The token's issue time if it is not too old nor too far in the future; with when it expires. */
function fresh(issued: string, maxAgeSeconds: number, now: number): { issuedAt: number; expiresAt: number } | null {
  const issuedAt = parseInt(issued, 36);
  const nowSeconds = Math.floor(now / 1000);
  if (issuedAt > nowSeconds + FUTURE_SKEW_SECONDS || nowSeconds - issuedAt > maxAgeSeconds) return null;
  return { issuedAt, expiresAt: (issuedAt + maxAgeSeconds + 1) * 1000 - 1 };
}

/** verifySessionToken, with how long the answer holds. */
export function checkSessionToken(secret: string, token: unknown, maxAgeSeconds: number, now = Date.now()): VerifiedToken | null {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
  const match = LOCAL_TOKEN.exec(token);
  if (!match) return null;
  const [, id, issued, signature] = match as unknown as [string, string, string, string];
  if (!signatureMatches(signature, mac(secret, `v1.${id}.${issued}`))) return null;
  const age = fresh(issued, maxAgeSeconds, now);
  return age && { session: { id, issuedAt: age.issuedAt, site: '' }, validUntil: age.expiresAt };
}

/**
 * Verifies a token of this server's own pages: form, signature and age. Returns null for
 * anything forged, tampered, expired or malformed (a site's token included); never throws.
 */
export function verifySessionToken(secret: string, token: unknown, maxAgeSeconds: number, now = Date.now()): SessionToken | null {
  return checkSessionToken(secret, token, maxAgeSeconds, now)?.session ?? null;
}

/** verifySiteToken, with how long the answer holds. */
export function checkSiteToken(secretsOf: SecretsOfSite, token: unknown, maxAgeSeconds: number, now = Date.now()): VerifiedToken | null {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
  const match = SITE_TOKEN.exec(token);
  if (!match) return null;
  const [, site, id, issued, flags, signature] = match as unknown as [string, string, string, string, string, string];
  const secrets = secretsOf(site);
  if (!secrets) return null;
  const payload = `s1.${site}.${id}.${issued}.${flags}`;
  // Every accepted secret is tried (no early exit): the time taken does not say which one matched.
  let acceptedUntil = -Infinity;
  for (const { secret, until } of secrets) {
    if (signatureMatches(signature, mac(secret, payload)) && (until === null || now <= until))
      acceptedUntil = Math.max(acceptedUntil, until ?? Infinity);
  }
  if (acceptedUntil === -Infinity) return null;
  const age = fresh(issued, maxAgeSeconds, now);
  if (!age) return null;
  return {
    session: { id: `${site}.${id}`, issuedAt: age.issuedAt, site, policy: policyOfFlags(Number(flags)) },
    validUntil: Math.min(age.expiresAt, acceptedUntil),
  };
}

/**
 * Verifies a site's token against the secrets the collector accepts for that site (a retired
 * one only until its `until`). Null for an unknown site, a wrong or retired secret, tampering,
 * age or form; never throws.
 */
export function verifySiteToken(secretsOf: SecretsOfSite, token: unknown, maxAgeSeconds: number, now = Date.now()): SessionToken | null {
  return checkSiteToken(secretsOf, token, maxAgeSeconds, now)?.session ?? null;
}

/** The site of a stored session id ("" for this server's own page views). */
export function siteOfSession(id: string): string {
  const dot = id.indexOf('.');
  return dot === -1 ? '' : id.slice(0, dot);
}
