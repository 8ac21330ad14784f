// @ts-check
/**
 * One central collector and two sites that report to it, each on a port of its own:
 *
 *   collector  http://127.0.0.1:4000/csp   stores every site's reports, serves the SDK, the
 *                                         verdicts, the scan pages and the admin dashboard
 *   shop       http://127.0.0.1:4001       cspObserver({ remote: { url, site: 'shop', secret } })
 *   blog       http://127.0.0.1:4002       cspObserver({ remote: { url, site: 'blog', secret } })
 *
 * The sites keep no database and never call the collector while serving a page: each signs its
 * page views' tokens with its own secret, which the collector knows. `node server.js` starts all
 * three. Environment: COLLECTOR_PORT (then the next two ports for the sites), HOST,
 * CSP_OBSERVER_DB, CSP_OBSERVER_SECRET, SHOP_SECRET, BLOG_SECRET, CSP_OBSERVER_ADMIN_PASSWORD,
 * CSP_OBSERVER_ADMIN_TOKEN, and SHOP_PREVIOUS_SECRET with SHOP_PREVIOUS_UNTIL (a date) to show a
 * rotation: the collector accepts the shop's previous secret until then.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import Koa from 'koa';
import { cspObserver } from '@csp-observer/server';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Demo secrets; set real ones from the environment anywhere else. */
const secrets = {
  collector: process.env.CSP_OBSERVER_SECRET ?? 'collector-demo-secret-change-me',
  shop: process.env.SHOP_SECRET ?? 'shop-demo-secret-change-me',
  blog: process.env.BLOG_SECRET ?? 'blog-demo-secret-change-me',
};

/** @param {string} text */
const escapeHtml = (text) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/**
 * @param {string} site
 * @param {string} title
 * @param {string} body
 */
const layout = (site, title, body) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)} · ${escapeHtml(site)}</title></head>
<body>
  <nav><a href="/">Home</a> · <a href="/violations">Violations</a></nav>
  <main>${body}</main>
</body>
</html>`;

/**
 * The central collector: its own secret for its own pages (it has none here), and the sites it
 * accepts, each with its secrets and the origins its pages come from.
 * @param {{ database: string, sites: Array<{ id: string, origin: string, secret: string, previous?: { secret: string, until: string } }> }} config
 */
export function createCollector({ database, sites }) {
  const observer = cspObserver({
    secret: secrets.collector,
    database,
    enabledPaths: [],
    collector: {
      sites: sites.map((site) => ({
        id: site.id,
        secrets: [site.secret, ...(site.previous ? [site.previous] : [])],
        origins: [site.origin],
      })),
    },
    admin: {
      password: process.env.CSP_OBSERVER_ADMIN_PASSWORD ?? 'demo-admin-password',
      ...(process.env.CSP_OBSERVER_ADMIN_TOKEN ? { token: process.env.CSP_OBSERVER_ADMIN_TOKEN } : {}),
    },
  });
  const app = new Koa();
  app.use(observer);
  app.use((ctx) => {
    ctx.status = 404;
    ctx.body = { error: 'the collector listens under /csp' };
  });
  return { app, observer };
}

/**
 * A site in remote mode: the policy, nonces and SDK tag on its pages; everything else at the collector.
 * @param {{ id: string, collector: string, secret: string }} config
 */
export function createSite({ id, collector, secret }) {
  const observer = cspObserver({ remote: { url: collector, site: id, secret }, popup: 'always' });
  const app = new Koa();
  app.use(observer);
  app.use(async (ctx, next) => {
    if (ctx.path === '/') {
      ctx.type = 'html';
      ctx.body = layout(
        id,
        'Home',
        `<h1>${escapeHtml(id)}: a clean page</h1><p>Its reports go to the collector at ${escapeHtml(collector)}.</p>`,
      );
    } else if (ctx.path === '/violations') {
      ctx.type = 'html';
      ctx.body = layout(id, 'Violations', `<h1>${escapeHtml(id)}: a page adware got into</h1><script src="/static/inject.js"></script>`);
    } else if (ctx.path === '/static/inject.js') {
      ctx.type = 'application/javascript';
      ctx.body = await readFile(`${here}static/inject.js`);
    } else {
      await next();
    }
  });
  return { app, observer };
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  const host = process.env.HOST ?? '127.0.0.1';
  const port = Number(process.env.COLLECTOR_PORT ?? 4000);
  const collectorUrl = `http://${host}:${port}/csp`;
  const sites = [
    {
      id: 'shop',
      port: port + 1,
      secret: secrets.shop,
      ...(process.env.SHOP_PREVIOUS_SECRET
        ? { previous: { secret: process.env.SHOP_PREVIOUS_SECRET, until: process.env.SHOP_PREVIOUS_UNTIL ?? '' } }
        : {}),
    },
    { id: 'blog', port: port + 2, secret: secrets.blog },
  ].map((site) => ({ ...site, origin: `http://${host}:${site.port}` }));

  const collector = createCollector({ database: process.env.CSP_OBSERVER_DB ?? `${here}data/collector.sqlite`, sites });
  await collector.observer.ready;
  const servers = [collector.app.listen(port, host, () => console.log(`collector on ${collectorUrl} (admin: ${collectorUrl}/admin/)`))];
  for (const site of sites) {
    const { app } = createSite({ id: site.id, collector: collectorUrl, secret: site.secret });
    servers.push(app.listen(site.port, host, () => console.log(`${site.id} on ${site.origin} (try ${site.origin}/violations)`)));
  }
  const stop = () => {
    for (const server of servers) {
      server.close();
      server.closeAllConnections();
    }
    void collector.observer.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
