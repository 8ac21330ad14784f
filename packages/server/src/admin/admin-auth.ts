import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';
import { HttpError } from '../http/http-error.js';
import { ownOrigin } from '../http/own-origin.js';
import { adminIsOpen, type ResolvedAdminOptions } from '../options/admin-options.js';

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
/** Failed logins allowed per client IP and window before 429. */
const LOGIN_ATTEMPTS = 10;
const LOGIN_WINDOW_MS = 15 * 60_000;
const MAX_TRACKED_IPS = 10_000;

const digest = (value: string | null) =>
  createHash('sha256')
    .update(value ?? '')
    .digest();

/** Compares two secrets in constant time (their digests, so lengths do not leak either). */
function sameSecret(given: string, expected: string | null): boolean {
  return expected !== null && timingSafeEqual(digest(given), digest(expected));
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
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly options: ResolvedAdminOptions,
    secret: string,
    private readonly cookiePath: string,
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
    const bearer = /^Bearer\s+(\S+)$/i.exec(ctx.get('Authorization'))?.[1];
    if (bearer !== undefined && sameSecret(bearer, this.options.token)) return { via: 'token', csrfToken: null };
    const cookie = ctx.cookies.get(SESSION_COOKIE);
    if (cookie && this.validSession(cookie)) return { via: 'session', csrfToken: this.sign(`csrf\u0000${cookie}`) };
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
   * after too many failures from one client, 401 on a wrong secret.
   */
  login(ctx: Context, secret: string): void {
    const now = Date.now();
    const ip = ctx.ip || 'unknown';
    const record = this.failures.get(ip);
    if (record && record.resetAt > now && record.count >= LOGIN_ATTEMPTS) {
      ctx.set('Retry-After', String(Math.ceil((record.resetAt - now) / 1000)));
      throw new HttpError(429, 'too many failed logins from this address; try again later');
    }
    if (!sameSecret(secret, this.options.password) && !sameSecret(secret, this.options.token)) {
      this.recordFailure(ip, now);
      throw new HttpError(401, 'wrong password or token');
    }
    this.failures.delete(ip);
    const expires = now + this.options.sessionHours * 3600_000;
    const body = `${expires}.${randomBytes(16).toString('base64url')}`;
    this.setCookie(ctx, `${body}.${this.sign(body)}`, expires);
  }

  logout(ctx: Context): void {
    this.setCookie(ctx, '', 0);
  }

  /** The session cookie: script cannot read it, other sites never send it, HTTPS only on HTTPS. */
  private setCookie(ctx: Context, value: string, expires: number): void {
    ctx.cookies.set(SESSION_COOKIE, value, {
      httpOnly: true,
      sameSite: 'strict',
      path: this.cookiePath,
      secure: ctx.secure,
      expires: new Date(expires),
      overwrite: true,
    });
  }

  private validSession(cookie: string): boolean {
    const at = cookie.lastIndexOf('.');
    if (at <= 0) return false;
    const body = cookie.slice(0, at);
    if (!sameString(cookie.slice(at + 1), this.sign(body))) return false;
    return Number(body.slice(0, body.indexOf('.'))) > Date.now();
  }

  private sign(value: string): string {
    return createHmac('sha256', this.key).update(value).digest('base64url');
  }

  private recordFailure(ip: string, now: number): void {
    const record = this.failures.get(ip);
    if (record && record.resetAt > now) record.count++;
    else {
      if (this.failures.size >= MAX_TRACKED_IPS) {
        for (const [key, value] of this.failures) if (value.resetAt <= now) this.failures.delete(key);
        if (this.failures.size >= MAX_TRACKED_IPS) this.failures.delete(this.failures.keys().next().value as string);
      }
      this.failures.set(ip, { count: 1, resetAt: now + LOGIN_WINDOW_MS });
    }
  }
}
