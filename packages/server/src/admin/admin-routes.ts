import type { AdminLoginRequest, AdminSessionInfo, Unchecked } from '@csp-observer/core';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { HttpError } from '../http/http-error.js';
import { sendCachedAsset } from '../http/cached-asset.js';
import { escapeHtml, sendHtmlPage } from '../http/html-page.js';
import { AdminAuth, bearerOf, sameSecret, type Guard } from './admin-auth.js';
import { apiRoutes, type AdminApiDeps } from './api-routes.js';
import { loadDashboard, type DashboardFile, type DashboardFiles } from './dashboard-asset.js';
import { jsonBody } from './params.js';
import { AdminRevocations } from '../storage/admin-revocations.js';

/** The dashboard's own policy: its scripts and styles only, JSON from this origin, no framing. */
export const ADMIN_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const HOW_TO_ENABLE =
  'set admin.password or admin.token in cspObserver() options, CSP_OBSERVER_ADMIN_PASSWORD or CSP_OBSERVER_ADMIN_TOKEN in the environment, or admin.authorize(ctx) for your own login';

function adminHeaders(ctx: Context): void {
  ctx.set('Content-Security-Policy', ADMIN_CSP);
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('Referrer-Policy', 'same-origin');
  ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
  ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
  ctx.set('X-Robots-Tag', 'noindex, nofollow');
}

function sendFile(ctx: Context, file: DashboardFile, cache: string): void {
  adminHeaders(ctx);
  ctx.set('Cache-Control', cache);
  ctx.type = file.type;
  sendCachedAsset(ctx, file);
}

/**
 * `{prefix}/admin/` (the dashboard's page and assets) and `{prefix}/admin/api/...` (JSON).
 * Closed unless a way in is configured; the page itself holds no data, so it loads for
 * everyone and shows the login form, while every API call checks access.
 */
export function adminRoutes(router: Router, deps: AdminApiDeps): void {
  const prefix = deps.options.prefix;
  const auth = new AdminAuth(
    deps.options.admin,
    deps.options.secret,
    `${prefix}/admin`,
    new AdminRevocations(deps.db),
    deps.options.ingest.limits.ipv6Prefix,
  );
  if (!auth.enabled) deps.logger.info(`csp-observer admin dashboard (${prefix}/admin) is closed: to open it, ${HOW_TO_ENABLE}`);
  let dashboard: DashboardFiles | string | null = null;
  const files = () => (dashboard ??= loadDashboard());

  const guard: Guard = (handler) => async (ctx) => {
    adminHeaders(ctx);
    if (!auth.enabled) throw new HttpError(403, `the admin is closed: ${HOW_TO_ENABLE}`);
    const access = await auth.check(ctx);
    if (!access) {
      ctx.set('WWW-Authenticate', 'Bearer realm="csp-observer admin"');
      throw new HttpError(
        401,
        auth.hasLogin ? 'log in first (or send Authorization: Bearer <admin token>)' : 'not authorized by the application',
      );
    }
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') auth.assertCsrf(ctx, access);
    await handler(ctx, access);
  };

  // The page's relative asset URLs need the trailing slash.
  router.get(['/admin', '/admin/'], (ctx) => {
    if (!ctx.path.endsWith('/')) {
      ctx.status = 301;
      ctx.redirect(`${prefix}/admin/`);
      return;
    }
    if (!auth.enabled) {
      adminHeaders(ctx);
      sendHtmlPage(
        ctx,
        {
          title: 'csp-observer admin is closed',
          body: `<h1>The admin is closed</h1><p>To open it, ${escapeHtml(HOW_TO_ENABLE)}.</p><p class="muted">See docs/operations.md.</p>`,
        },
        403,
      );
      return;
    }
    const loaded = files();
    if (typeof loaded === 'string') {
      deps.logger.error(`admin dashboard unavailable: ${loaded}`);
      sendHtmlPage(
        ctx,
        {
          title: 'csp-observer admin',
          body: `<h1>The dashboard is unavailable</h1><p>${escapeHtml(loaded)}. The JSON API under ${escapeHtml(prefix)}/admin/api works.</p>`,
        },
        503,
      );
      return;
    }
    sendFile(ctx, loaded.index, 'no-store');
  });
  router.get('/admin/assets/:name', (ctx) => {
    const loaded = files();
    const file = typeof loaded === 'string' ? undefined : loaded.assets.get(ctx.params.name ?? '');
    if (!file) throw new HttpError(404, 'no such dashboard asset');
    // Names carry a content hash: a new build gets new names.
    sendFile(ctx, file, 'public, max-age=31536000, immutable');
  });

  router.get(
    '/admin/api/session',
    guard((ctx, access) => {
      ctx.body = { via: access.via, csrfToken: access.csrfToken, prefix, canLogOut: access.via === 'session' } satisfies AdminSessionInfo;
    }),
  );
  router.post('/admin/api/login', async (ctx) => {
    adminHeaders(ctx);
    if (!auth.enabled) throw new HttpError(403, `the admin is closed: ${HOW_TO_ENABLE}`);
    if (!auth.hasLogin) throw new HttpError(404, 'no login here: the application authorizes admins itself');
    auth.assertSameOrigin(ctx);
    const body: Unchecked<AdminLoginRequest> = await jsonBody(ctx);
    const secret = body.password ?? body.token;
    if (typeof secret !== 'string' || !secret) throw new HttpError(400, 'send {"password": "..."}');
    auth.login(ctx, secret);
    ctx.status = 204;
  });
  router.post('/admin/api/logout', async (ctx) => {
    adminHeaders(ctx);
    auth.assertSameOrigin(ctx);
    await auth.logout(ctx);
    ctx.status = 204;
  });

  // Prometheus: the admin's own ways in (token, login, authorize hook), or admin.metricsToken,
  // which opens this route alone, so a scraper does not hold the admin's token.
  const metricsToken = deps.options.admin.metricsToken;
  const serveMetrics = async (ctx: Context) => {
    const { contentType, body } = await deps.metrics.text();
    ctx.set('Cache-Control', 'no-store');
    ctx.type = contentType;
    ctx.body = body;
  };
  const guardedMetrics = guard(serveMetrics);
  router.get('/admin/metrics', async (ctx) => {
    if (metricsToken === null) return guardedMetrics(ctx);
    const bearer = bearerOf(ctx);
    if (bearer !== null && sameSecret(bearer, metricsToken)) return serveMetrics(ctx);
    if (auth.enabled) return guardedMetrics(ctx);
    ctx.set('WWW-Authenticate', 'Bearer realm="csp-observer metrics"');
    throw new HttpError(401, 'send Authorization: Bearer <admin.metricsToken>');
  });

  apiRoutes(router, deps, guard);
}
