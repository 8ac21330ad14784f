import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from './support/databases.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const PAGE = '<!doctype html><html><head><title>t</title><script>a()</script></head><body><style>p{}</style><p>hi</p></body></html>';

describe('page middleware', () => {
  const sqlite = testDatabases()[0]!;
  let server: TestServer;
  let enforcing: TestServer;

  beforeAll(async () => {
    const pages = (koa: import('koa')) => {
      koa.use(async (ctx) => {
        const nonce = (ctx.state as { cspNonce?: string }).cspNonce ?? '';
        const session = (ctx.state as { cspSession?: string }).cspSession ?? '';
        switch (ctx.path) {
          case '/string':
            ctx.type = 'html';
            ctx.body = PAGE;
            break;
          case '/buffer':
            ctx.type = 'text/html; charset=utf-8';
            ctx.body = Buffer.from(PAGE);
            break;
          case '/stream':
            ctx.type = 'html';
            ctx.body = Readable.from([Buffer.from(PAGE.slice(0, 40)), Buffer.from(PAGE.slice(40))]);
            break;
          case '/cached':
            ctx.type = 'html';
            ctx.set('Cache-Control', 'public, max-age=60');
            ctx.body = PAGE;
            break;
          case '/latin1':
            ctx.type = 'text/html; charset=iso-8859-1';
            ctx.body = PAGE;
            break;
          case '/state':
            ctx.body = { nonce, session };
            break;
          case '/german':
            ctx.type = 'html';
            ctx.body = PAGE.replace('<html>', '<html lang="de-AT">');
            break;
          case '/admin/page':
            ctx.type = 'html';
            ctx.body = PAGE;
            break;
          default:
            ctx.status = 404;
        }
      });
    };
    server = await startTestServer(
      { database: await sqlite.create(), enabledPaths: ['/(string|buffer|stream|cached|latin1|state|german)'] },
      pages,
    );
    enforcing = await startTestServer(
      { database: await sqlite.create(), reportOnly: false, injectSdk: false, prefix: '/observer', reportingApi: true },
      pages,
    );
  });
  afterAll(async () => {
    await server?.close();
    await enforcing?.close();
    await sqlite.cleanup();
  });

  it.each(['/string', '/buffer', '/stream'])('rewrites a %s body with the nonce and the SDK tag', async (path) => {
    const response = await fetch(server.url + path);
    const policy = response.headers.get('content-security-policy-report-only') ?? '';
    const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
    const token = /report-uri \/csp\/report\/(\S+)/.exec(policy)?.[1];
    expect(nonce).toBeTruthy();
    expect(token).toBeTruthy();
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toBe(
      `<!doctype html><html><head><script src="/csp/sdk.js" nonce="${nonce}" data-session="${token}" data-endpoint="/csp" data-popup="always"></script>` +
        `<title>t</title><script nonce="${nonce}">a()</script></head><body><style nonce="${nonce}">p{}</style><p>hi</p></body></html>`,
    );
  });

  it('gives the popup the page\'s language: German strings for <html lang="de-AT">, nothing for English', async () => {
    const html = await (await fetch(`${server.url}/german`)).text();
    const attribute = /data-strings="([^"]*)"/.exec(html)?.[1] ?? '';
    const strings = JSON.parse(attribute.replace(/&quot;/g, '"')) as Record<string, string>;
    expect(strings).toMatchObject({ label: 'Browser-Sicherheitsprüfung', problems: '{n} Probleme gefunden' });
    expect(await (await fetch(`${server.url}/string`)).text()).not.toContain('data-strings');
  });

  it('keeps the cache policy an app set itself', async () => {
    const response = await fetch(`${server.url}/cached`);
    expect(response.headers.get('cache-control')).toBe('public, max-age=60');
    expect(await response.text()).toContain('nonce=');
  });

  it('leaves a body in another charset alone but still sets the policy', async () => {
    const response = await fetch(`${server.url}/latin1`);
    expect(response.headers.get('content-security-policy-report-only')).toContain("'nonce-");
    expect(await response.text()).toBe(PAGE);
  });

  it('exposes the nonce and the session on ctx.state, matching the header', async () => {
    const response = await fetch(`${server.url}/state`);
    const { nonce, session } = (await response.json()) as { nonce: string; session: string };
    const policy = response.headers.get('content-security-policy-report-only') ?? '';
    expect(policy).toContain(`'nonce-${nonce}'`);
    expect(policy).toContain(`report-uri /csp/report/${session}`);
  });

  it('does nothing on paths that are not enabled', async () => {
    const response = await fetch(`${server.url}/admin/page`);
    expect(response.headers.get('content-security-policy-report-only')).toBeNull();
    expect(await response.text()).toBe(PAGE);
  });

  it('enforces when reportOnly is false, with the chosen prefix and no SDK tag', async () => {
    const response = await fetch(`${enforcing.url}/string`);
    expect(response.headers.get('content-security-policy-report-only')).toBeNull();
    expect(response.headers.get('content-security-policy')).toMatch(/; report-uri \/observer\/report\/\S+$/);
    const html = await response.text();
    expect(html).not.toContain('sdk.js');
    expect(html).toContain('<script nonce=');
  });

  it('sends no report-to on plain HTTP even with reportingApi (it would silence report-uri in Chromium)', async () => {
    const response = await fetch(`${enforcing.url}/string`);
    expect(response.headers.get('reporting-endpoints')).toBeNull();
    expect(response.headers.get('content-security-policy')).not.toContain('report-to');
  });
});
