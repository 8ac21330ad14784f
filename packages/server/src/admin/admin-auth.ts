import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { HttpError } from '../http/http-error.js';
import { clientIp, limitKey } from '../http/ip.js';
import { ownOrigin } from '../http/own-origin.js';
import { adminIsOpen, type ResolvedAdminOptions } from '../options/admin-options.js';
import type { AdminRevocations } from '../storage/admin-revocations.js';
import { LoginThrottle } from './login-throttle.js';

/** How a request reached the admin. */
export interface AdminAccess {
  via: 'hook' | 'token' | 'session';
  /** What state-changing calls must send as `X-CSRF-Token`; null for bearer-token calls (no ambient credentials). */
  csrfToken: string | null;
}

/** A handler that runs only for admins; it gets how the request got in. */
export type AdminHandler = (ctx: Context, access: AdminAccess) => Promise<void> | void;
/** Wraps a handler so that it runs only for admins (see AdminAuth). */
export type Guard = (handler: AdminHandler) => (ctx: Context) => Promise<void>;

export const SESSION_COOKIE = 'cspo_admin';
/** Set on a successful login: a browser that logged in before is its own source for the throttle. */
export const DEVICE_COOKIE = 'cspo_admin_device';
const DEVICE_DAYS = 90;
/**
 * Failed logins from browsers without a device cookie, across all addresses, per window: past
 * it such logins wait for the window's end (429), while browsers that logged in before and
 * bearer tokens are still checked, so a distributed guesser cannot lock the admin out.
 */
const ACCOUNT_FAILURES = 100;
const ACCOUNT_WINDOW_MS = 15 * 60_000;

const digest = (value: string | null) =>
  createHash('sha256')
    .update(value ?? '')
    .digest();

/** Compares two secrets in constant time (their digests, so lengths do not leak either). */
export function sameSecret(given: string, expected: string | null): boolean {
  return expected !== null && timingSafeEqual(digest(given), digest(expected));
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerOf(ctx: Context): string | null {
  return /^Bearer\s+(\S+)$/i.exec(ctx.get('Authorization'))?.[1] ?? null;
}

const sameString = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Who may use `{prefix}/admin`: the `authorize(ctx)` hook, a bearer token, or a login session
 * (an HMAC-signed cookie, HttpOnly and SameSite=Strict, that a change of token or password
 * invalidates). State-changing calls made with ambient credentials (cookie or hook) must come
 * from the admin page itself: Fetch Metadata or Origin says same-origin, and they carry the
 * CSRF token bound to the session.
 */
export class AdminAuth {
  private readonly key: Buffer;
  private readonly throttle = new LoginThrottle();
  private account = { windowStart: 0, failures: 0 };

  constructor(
    private readonly options: ResolvedAdminOptions,
    secret: string,
    private readonly cookiePath: string,
    private readonly revocations: Pick<AdminRevocations, 'revoke' | 'isRevoked'>,
    /** IPv6 sources are throttled per network of this prefix length. */
    private readonly ipv6Prefix: number,
  ) {
    // Bound to the credentials: changing the password or token ends every login session.
    this.key = createHmac('sha256', secret)
      .update('csp-observer admin\u0000')
      .update(digest(options.token))
      .update(digest(options.password))
      .digest();
  }

  /** Whether any way in is configured; without one the admin stays closed. */
  get enabled(): boolean {
    return adminIsOpen(this.options);
  }

  /** Whether the login form can work (a token or password to check). */
  get hasLogin(): boolean {
    return Boolean(this.options.token || this.options.password);
  }

  /** The request's access, or null when it has none. */
  async check(ctx: Context): Promise<AdminAccess | null> {
    const bearer = bearerOf(ctx);
    if (bearer !== null) {
      // A wrong token costs its source as a wrong password does.
      const source = this.sourceOf(ctx);
      this.assertMayTry(source);
      if (sameSecret(bearer, this.options.token)) {
        this.throttle.succeed(source);
        return { via: 'token', csrfToken: null };
      }
      this.throttle.fail(source);
    }
    const cookie = ctx.cookies.get(SESSION_COOKIE);
    if (cookie && (await this.validSession(cookie))) return { via: 'session', csrfToken: this.sign(`csrf\u0000${cookie}`) };
    if (this.options.authorize && (await this.options.authorize(ctx))) return { via: 'hook', csrfToken: this.sign('csrf\u0000hook') };
    return null;
  }

  /** Throws 403 unless a state-changing request comes from the admin page itself. */
  assertSameOrigin(ctx: Context): void {
    const site = ctx.get('Sec-Fetch-Site');
    if (site && site !== 'same-origin' && site !== 'none') throw new HttpError(403, 'cross-site requests to the admin are refused');
    const origin = ctx.get('Origin');
    if (!site && origin && origin !== ownOrigin(ctx)) throw new HttpError(403, 'cross-origin requests to the admin are refused');
  }

  /** Throws 403 unless a state-changing request is safe to act on for this access. */
  assertCsrf(ctx: Context, access: AdminAccess): void {
    if (access.csrfToken === null) return;
    this.assertSameOrigin(ctx);
    const sent = ctx.get('X-CSRF-Token');
    if (!sent || !sameString(sent, access.csrfToken))
      throw new HttpError(403, 'missing or wrong X-CSRF-Token header (reload the dashboard)');
  }

  /**
   * Checks a login attempt (the password, or the token) and sets the session cookie. Throws 429
   * while the source must wait (see LoginThrottle) or the account's budget for unknown browsers is
   * spent, 401 on a wrong secret.
   */
  login(ctx: Context, secret: string): void {
    const now = Date.now();
    const device = this.deviceOf(ctx, now);
    const source = device ? `device:${device}` : this.sourceOf(ctx);
    this.assertMayTry(source, now);
    if (!device && now - this.account.windowStart < ACCOUNT_WINDOW_MS && this.account.failures >= ACCOUNT_FAILURES) {
      const wait = Math.ceil((this.account.windowStart + ACCOUNT_WINDOW_MS - now) / 1000);
      throw new HttpError(429, 'too many failed logins; try again later, or from a browser that logged in before', wait);
    }
    if (!sameSecret(secret, this.options.password) && !sameSecret(secret, this.options.token)) {
      this.throttle.fail(source, now);
      if (!device) {
        if (now - this.account.windowStart >= ACCOUNT_WINDOW_MS) this.account = { windowStart: now, failures: 0 };
        this.account.failures++;
      }
      throw new HttpError(401, 'wrong password or token');
    }
    this.throttle.succeed(source);
    const expires = now + this.options.sessionHours * 3600_000;
    const body = `${expires}.${randomBytes(16).toString('base64url')}`;
    this.setCookie(ctx, SESSION_COOKIE, `${body}.${this.sign(body)}`, expires);
    const deviceExpires = now + DEVICE_DAYS * 86400_000;
    const deviceBody = `${deviceExpires}.${device ?? randomBytes(16).toString('base64url')}`;
    this.setCookie(ctx, DEVICE_COOKIE, `${deviceBody}.${this.sign(`device\u0000${deviceBody}`)}`, deviceExpires);
  }

  /** Ends the login: the cookie is cleared, and refused from now on by every process should it be replayed. */
  async logout(ctx: Context): Promise<void> {
    const cookie = ctx.cookies.get(SESSION_COOKIE);
    const session = cookie ? this.sessionOf(cookie) : null;
    if (session) await this.revocations.revoke(session.id, session.expires);
    this.setCookie(ctx, SESSION_COOKIE, '', 0);
  }

  /** Throws 429 with Retry-After while the source must wait before its next attempt. */
  private assertMayTry(source: string, now = Date.now()): void {
    const wait = this.throttle.wait(source, now);
    if (wait > 0) {
      throw new HttpError(429, 'too many failed attempts; try again later', Math.ceil(wait / 1000));
    }
  }

  /** The client address as throttled: what the nearest trusted proxy saw, IPv6 per network. */
  private sourceOf(ctx: Context): string {
    return `ip:${limitKey(clientIp(ctx) || 'unknown', this.ipv6Prefix)}`;
  }

  /** The device id of a browser that logged in before (a signed, unexpired device cookie), or null. */
  private deviceOf(ctx: Context, now: number): string | null {
    const cookie = ctx.cookies.get(DEVICE_COOKIE);
    if (!cookie) return null;
    const at = cookie.lastIndexOf('.');
    if (at <= 0) return null;
    const body = cookie.slice(0, at);
    if (!sameString(cookie.slice(at + 1), this.sign(`device\u0000${body}`))) return null;
    const [expires, id] = body.split('.');
    return Number(expires) > now && id ? id : null;
  }

  /**
   * The session cookie: script cannot read it, other sites never send it, HTTPS only when the
   * request came over HTTPS, directly or through a proxy that says so. `X-Forwarded-Proto` is
   * believed here even from an untrusted proxy: it can only make the cookie stricter.
   */
  private setCookie(ctx: Context, name: string, value: string, expires: number): void {
    const secure = ctx.secure || /^\s*https\s*(,|$)/i.test(ctx.get('X-Forwarded-Proto'));
    // The cookies library refuses a Secure cookie on a connection it thinks is plain.
    if (secure) ctx.cookies.secure = true;
    ctx.cookies.set(name, value, {
      httpOnly: true,
      sameSite: 'strict',
      path: this.cookiePath,
      secure,
      expires: new Date(expires),
      overwrite: true,
    });
  }

  private async validSession(cookie: string): Promise<boolean> {
    const session = this.sessionOf(cookie);
    return session !== null && session.expires > Date.now() && !(await this.revocations.isRevoked(session.id));
  }

  /** The id and expiry of a session cookie this server signed, or null. */
  private sessionOf(cookie: string): { id: string; expires: number } | null {
    const at = cookie.lastIndexOf('.');
    if (at <= 0) return null;
    const body = cookie.slice(0, at);
    if (!sameString(cookie.slice(at + 1), this.sign(body))) return null;
    const [expires, id] = body.split('.');
    return id ? { id, expires: Number(expires) } : null;
  }

  private sign(value: string): string {
    return createHmac('sha256', this.key).update(value).digest('base64url');
  }
}
