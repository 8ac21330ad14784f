// @ts-check
/**
 * A small Koa site protected by csp-observer. `node server.js` serves it on
 * http://127.0.0.1:3000 (PORT and HOST to change) with reports in ./data/basic-site.sqlite.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import Koa from 'koa';
import { cspObserver } from '@csp-observer/server';

const here = fileURLToPath(new URL('.', import.meta.url));

/** @param {string} text */
const escapeHtml = (text) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** Where a URL may wrap: after `://`, before a single `/`, `?`, `#`, `&`, `=` (as the server's scan page). */
const URL_BREAKS = /(?<=:\/\/)|(?<![:/])(?=[/?#&=])/;
/** @param {string} url */
const breakableUrl = (url) => url.split(URL_BREAKS).map(escapeHtml).join('<wbr>');

/**
 * The SDK's own canary: on every page view it makes one harmless violation on purpose, to learn
 * whether reports get through. As core's isCanaryViolation: its sample names it, or (WebKit's
 * report-uri bodies carry no sample) it is the script violation coming from the SDK itself.
 * @param {import('@csp-observer/server').StoredReport} r
 */
const isCanary = (r) =>
  r.sample.includes('csp-canary:') ||
  (r.sample === '' && r.effectiveDirective.startsWith('script-src') && /\/csp\/sdk\.js$/.test(r.sourceFile.replace(/[?#].*$/, '')));

const REPORT_COLUMNS = ['Received', 'Channel', 'Directive', 'Blocked', 'Page', 'Valid'];

/** @param {import('@csp-observer/server').StoredReport[]} reports */
function reportTable(reports) {
  /** @param {number} i @param {string} kind @param {string} html */
  const cell = (i, kind, html) => `<td class="${kind}"><span class="cell-label">${REPORT_COLUMNS[i]}</span>${html}</td>`;
  const rows = reports
    .map(
      (r) =>
        `<tr>${cell(0, 'short', new Date(r.receivedAt).toISOString().replace('T', ' ').slice(0, 19))}${cell(1, 'short', escapeHtml(r.channel))}` +
        `${cell(2, 'short', escapeHtml(r.effectiveDirective))}${cell(3, 'url', breakableUrl(r.blockedUri))}` +
        `${cell(4, 'url', breakableUrl(r.documentUri))}${cell(5, 'short', r.isValid ? 'yes' : 'no')}</tr>`,
    )
    .join('');
  return `<table class="reports"><thead><tr>${REPORT_COLUMNS.map((c) => `<th>${c}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>`;
}

/**
 * @param {string} title
 * @param {string} body
 * @param {string} nonce
 */
function layout(title, body, nonce) {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)} · basic-site</title>
  <link rel="stylesheet" href="/static/site.css">
</head>
<body>
  <nav><a href="/">Home</a> · <a href="/violations">Violations</a> · <a href="/reports">Reports</a></nav>
  <main>${body}</main>
  <script>document.body.dataset.ready = 'yes';</script>
  <script nonce="${nonce}">/* a tag the app nonced itself, from ctx.state.cspNonce */</script>
</body>
</html>`;
}

/**
 * A strict nonce-based policy, enforced: scripts only with this response's nonce, styles only
 * from this origin. The SDK and its popup must cause no violation under it.
 */
const STRICT = {
  reportOnly: false,
  policy: { 'default-src': ["'self'"], 'script-src': [], 'style-src': ["'self'"] },
  nonces: { script: true, style: false },
};

/**
 * Builds the site. Everything csp-observer does is in the one `app.use(observer)` line.
 * Environment: CSP_OBSERVER_POPUP (always, minimized, off), CSP_OBSERVER_STRICT=true (the strict
 * nonce-based policy, enforced), CSP_OBSERVER_SHARING_URL (the scan page's data sharing).
 * @param {{ database?: string, secret?: string, reportOnly?: boolean, reportingApi?: boolean, strict?: boolean, popup?: 'always' | 'minimized' | 'off' }} [options]
 */
export function createSite(options = {}) {
  const strict = options.strict ?? process.env.CSP_OBSERVER_STRICT === 'true';
  const secret = options.secret ?? process.env.CSP_OBSERVER_SECRET ?? randomBytes(24).toString('base64url');
  const observer = cspObserver({
    secret,
    database: options.database ?? process.env.CSP_OBSERVER_DB ?? `${here}data/basic-site.sqlite`,
    reportOnly: options.reportOnly ?? process.env.CSP_OBSERVER_REPORT_ONLY !== 'false',
    // Only HTTPS responses get report-to (on HTTP it would silence report-uri).
    reportingApi: options.reportingApi ?? process.env.CSP_OBSERVER_REPORTING_API === 'true',
    popup: options.popup ?? /** @type {'always' | 'minimized' | 'off'} */ (process.env.CSP_OBSERVER_POPUP ?? 'always'),
    ...(process.env.CSP_OBSERVER_SHARING_URL ? { dataSharingUrl: process.env.CSP_OBSERVER_SHARING_URL } : {}),
    ...(strict ? STRICT : {}),
  });
  const app = new Koa();
  app.use(observer);
  app.use(async (ctx, next) => {
    const nonce = ctx.state.cspNonce;
    switch (ctx.path) {
      case '/':
        ctx.type = 'html';
        ctx.body = layout('Home', `<h1>A clean page</h1><p>Nothing here violates the policy.</p>`, nonce);
        return;
      case '/violations':
        ctx.type = 'html';
        ctx.body = layout(
          'Violations',
          `<h1>A page with violations</h1>
<p style="color: crimson">This paragraph has an inline style attribute.</p>
<p>The script below injects what an extension or adware would: an inline script without a
nonce, a script from a disallowed origin, an inline style, and an eval.</p>
<script src="/static/violations.js"></script>`,
          nonce,
        );
        return;
      case '/reports': {
        const reports = await observer.store.recentReports(50);
        const canaries = reports.filter(isCanary);
        const violations = reports.filter((r) => !isCanary(r));
        ctx.type = 'html';
        ctx.body = layout(
          'Reports',
          `<h1>Latest reports</h1>
<h2>Violations</h2>
${violations.length ? reportTable(violations) : '<p>None yet: open <a href="/violations">Violations</a>.</p>'}
<h2 id="canary">The SDK's canary</h2>
<p class="note">On every page view the SDK causes one harmless violation of its own (an inline script it marks), to check that reports reach the server; these rows are that check, not a problem of the page, and they appear for the clean home page too.</p>
${canaries.length ? reportTable(canaries) : '<p>None yet.</p>'}`,
          nonce,
        );
        return;
      }
      default:
        if (ctx.path.startsWith('/static/') && /^\/static\/[a-z-]+\.(js|css)$/.test(ctx.path)) {
          ctx.type = ctx.path.endsWith('.js') ? 'application/javascript' : 'text/css';
          ctx.body = await readFile(`${here}${ctx.path.slice(1)}`);
          return;
        }
        await next();
    }
  });
  return { app, observer };
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? '127.0.0.1';
  if (!process.env.CSP_OBSERVER_SECRET) {
    console.warn('[basic-site] CSP_OBSERVER_SECRET is not set: using a random secret for this run');
  }
  const { app, observer } = createSite();
  await observer.ready;
  const server = app.listen(port, host, () => console.log(`basic-site on http://${host}:${port}`));
  const stop = () => {
    server.close();
    server.closeAllConnections();
    void observer.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
