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
            ctx.body = Buffer.from(PAGE.replace('hi', 'caf\u00e9 &euro;'), 'latin1');
            break;
          case '/latin1-string':
            ctx.type = 'text/html; charset=iso-8859-1';
            ctx.body = PAGE;
            break;
          case '/shift-jis':
            ctx.type = 'text/html; charset=shift_jis';
            ctx.body = Buffer.from(PAGE, 'latin1');
            break;
          case '/state':
            ctx.type = 'html';
            ctx.body = `<p data-nonce="${nonce}" data-session="${session}"></p>`;
            break;
          case '/json':
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
      {
        database: await sqlite.create(),
        enabledPaths: ['/(string|buffer|stream|cached|latin1|latin1-string|shift-jis|state|json|german)'],
      },
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

  it('sends a nonced page the app marked cacheable as private, no-store, and says so once', async () => {
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${server.url}/cached`);
      expect(response.headers.get('cache-control')).toBe('private, no-store');
      expect(await response.text()).toContain('nonce=');
    }
    expect(server.logger.lines.filter((line) => line.includes('"Cache-Control: public, max-age=60"'))).toHaveLength(1);
  });

  it('rewrites a windows-1252 page byte for byte: its own bytes unchanged, what it adds as references', async () => {
    const response = await fetch(`${server.url}/latin1`);
    const nonce = /'nonce-([^']+)'/.exec(response.headers.get('content-security-policy-report-only') ?? '')?.[1];
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.includes(Buffer.from('caf\xe9 &euro;', 'latin1'))).toBe(true);
    expect(bytes.toString('latin1')).toContain(`<script nonce="${nonce}">a()</script>`);
  });

  it('rewrites a string body whatever charset it names (Koa sends strings as UTF-8)', async () => {
    const html = await (await fetch(`${server.url}/latin1-string`)).text();
    expect(html).toContain('<script nonce=');
  });

  it('sends a page in a charset it cannot rewrite without its policy, and says why once', async () => {
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${server.url}/shift-jis`);
      expect(response.headers.get('content-security-policy-report-only')).toBeNull();
      expect(await response.text()).toBe(PAGE);
    }
    expect(server.logger.lines.filter((line) => line.startsWith('error:') && line.includes('shift_jis'))).toHaveLength(1);
  });

  it('exposes the nonce and the session on ctx.state, matching the header', async () => {
    const response = await fetch(`${server.url}/state`);
    const html = await response.text();
    const nonce = /data-nonce="([^"]*)"/.exec(html)?.[1];
    const session = /data-session="([^"]*)"/.exec(html)?.[1];
    const policy = response.headers.get('content-security-policy-report-only') ?? '';
    expect(policy).toContain(`'nonce-${nonce}'`);
    expect(policy).toContain(`report-uri /csp/report/${session}`);
  });

  it('sends no policy with what is not a page (a JSON answer, a worker script)', async () => {
    const response = await fetch(`${server.url}/json`);
    expect(response.headers.get('content-security-policy-report-only')).toBeNull();
    expect(((await response.json()) as { nonce: string }).nonce).toBeTruthy();
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
