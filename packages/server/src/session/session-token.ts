import { ID_BYTES, LOCAL_KIND, type MintedParts, PerSecret, SITE_KIND, TokenCheck, TokenMint, TOKEN_BLOCK } from './token-cipher.js';

/**
 * Session tokens name one page view without writing anything per view. Two forms, both
 * URL-safe:
 * - this server's own pages: `<id>.<issued>.<tag>`;
 * - a site reporting to a central collector: `<site>.<id>.<issued>.<tag>`, signed with that
 *   site's secret, so the collector knows whose page view it is and that it may be.
 * id is 16 characters of base64url: 11 random bytes (88 bits) and a kind byte, which says whether
 * the token is a site's and carries the flags of what the site's policy lets the verdict expect
 * (see SessionPolicy); issued is the Unix time in base 36; tag is the AES-256 block signature of id
 * and time (token-cipher.ts) under a key derived from the secret, and for a site from its id too:
 * one form can never pass for the other, nor one site's token for another's.
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

const ID = '[A-Za-z0-9_-]{16}';
const TAG = '[A-Za-z0-9_-]{22}';
const ISSUED = '[1-9a-z][0-9a-z]{0,6}';
const LOCAL_TOKEN = new RegExp(`^(${ID})\\.(${ISSUED})\\.(${TAG})$`);
const SITE_TOKEN = new RegExp(`^(${SITE})\\.(${ID})\\.(${ISSUED})\\.(${TAG})$`);
const MAX_TOKEN_LENGTH = 100;
/** Clock skew tolerated between processes that mint and verify. */
const FUTURE_SKEW_SECONDS = 300;

const localMints = new PerSecret((secret) => new TokenMint(secret, '', LOCAL_KIND));
const siteMints = new PerSecret((secret, siteAndFlags) => {
  const [site, flags] = siteAndFlags.split(' ') as [string, string];
  return new TokenMint(secret, site, SITE_KIND | Number(flags));
}, 1024);
const checks = new PerSecret((secret, site) => new TokenCheck(secret, site));

/** A local token's text: `<id>.<issued>.<tag>`; a site's: `<site>.<id>.<issued>.<tag>`. */
function tokenText({ id, issuedAt, tag }: MintedParts, site = ''): string {
  return `${site === '' ? '' : `${site}.`}${id}.${issuedAt.toString(36)}.${tag}`;
}

/** Mints a token for a new page view of this server's own pages. */
export function mintSessionToken(secret: string, now = Date.now()): { token: string; session: SessionToken } {
  const parts = localMints.get(secret, '').mint(now);
  return { token: tokenText(parts), session: { id: parts.id, issuedAt: parts.issuedAt, site: '' } };
}

/** Mints a token for a page view of `site`, to be verified by the collector that knows the site's secret. */
export function mintSiteToken(
  site: string,
  secret: string,
  policy: SessionPolicy,
  now = Date.now(),
): { token: string; session: SessionToken } {
  const parts = siteMints.get(secret, `${site} ${policyFlags(policy)}`).mint(now);
  return { token: tokenText(parts, site), session: { id: `${site}.${parts.id}`, issuedAt: parts.issuedAt, site, policy } };
}

/**
 * The page path's minter: the tokens of mintSessionToken (or, with `site`, mintSiteToken) as text
 * only, from a mint held here rather than looked up per page.
 */
export function tokenMinter(secret: string, site?: { id: string; policy: SessionPolicy }): () => string {
  const mint = site ? siteMints.get(secret, `${site.id} ${policyFlags(site.policy)}`) : localMints.get(secret, '');
  const siteId = site?.id ?? '';
  return () => tokenText(mint.mint(Date.now()), siteId);
}

/** A policy's facts as the token's flags digit (and the sessions table's `policy` column). */
export function policyFlags(policy: SessionPolicy): number {
  return (policy.canary ? 1 : 0) | (policy.reportingApi ? 2 : 0);
}

/** The facts of a flags value written by policyFlags. */
export function policyOfFlags(flags: number): SessionPolicy {
  return { canary: (flags & 1) !== 0, reportingApi: (flags & 2) !== 0 };
}

/** A token's id, issue time and tag as bytes, or null where a spelling is not the one canonical form. */
function decoded(id: string, issued: string, tag: string): { id: Buffer; issuedAt: number; tag: Buffer } | null {
  const idBytes = Buffer.from(id, 'base64url');
  const tagBytes = Buffer.from(tag, 'base64url');
  // 16 characters are exactly 12 bytes; the last of 22 carries 4 unused bits: accept only the
  // canonical spelling, so that a token has exactly one valid form.
  if (idBytes.length !== ID_BYTES || tagBytes.length !== TOKEN_BLOCK || tagBytes.toString('base64url') !== tag) return null;
  return { id: idBytes, issuedAt: parseInt(issued, 36), tag: tagBytes };
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
  const [, id, issued, tag] = match as unknown as [string, string, string, string];
  const parts = decoded(id, issued, tag);
  if (!parts || parts.id[ID_BYTES - 1] !== LOCAL_KIND || !checks.get(secret, '').signs(parts.id, parts.issuedAt, parts.tag)) return null;
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
  const [, site, id, issued, tag] = match as unknown as [string, string, string, string, string];
  const secrets = secretsOf(site);
  if (!secrets) return null;
  const parts = decoded(id, issued, tag);
  const kind = parts?.id[ID_BYTES - 1] ?? 0;
  if (!parts || (kind & ~3) !== SITE_KIND) return null;
  // Every accepted secret is tried (no early exit): the time taken does not say which one matched.
  let acceptedUntil = -Infinity;
  for (const { secret, until } of secrets) {
    if (checks.get(secret, site).signs(parts.id, parts.issuedAt, parts.tag) && (until === null || now <= until))
      acceptedUntil = Math.max(acceptedUntil, until ?? Infinity);
  }
  if (acceptedUntil === -Infinity) return null;
  const age = fresh(issued, maxAgeSeconds, now);
  if (!age) return null;
  return {
    session: { id: `${site}.${id}`, issuedAt: age.issuedAt, site, policy: policyOfFlags(kind & 3) },
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
