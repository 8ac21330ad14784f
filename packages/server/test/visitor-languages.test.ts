// The scan and privacy pages speak the popup's languages (en, de, fr), chosen like the popup's:
// `?lang=`, then the site's popupLanguage, then Accept-Language, English otherwise; and the
// privacy page says exactly what the SDK stores on the device (core's DEVICE_STORAGE).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_STORAGE, OUTBOX_MAX_AGE_MS } from '@csp-observer/core';
import { breakableUrl } from '../src/http/html-page.js';
import { mintSessionToken } from '../src/session/session-token.js';
import { sdkEvent } from './fixtures/browser-reports.js';
import { testDatabases } from './support/databases.js';
import { SECRET, startTestServer, type TestServer } from './support/test-server.js';

const PAGE = 'http://127.0.0.1:3000/shop/a/very/long/path/to/a/product?variant=blue&size=large#reviews';
const POLICY = "default-src 'self'; script-src 'self' 'nonce-abc' 'report-sample'";
const database = testDatabases()[0]!;

describe('visitor pages in the visitor’s language', () => {
  let server: TestServer;
  let forced: TestServer;
  let off: TestServer;
  let token: string;
  const page = async (base: string, path: string, language?: string) => {
    const response = await fetch(base + path, { headers: language ? { 'Accept-Language': language } : {} });
    return { response, html: await response.text() };
  };

  beforeAll(async () => {
    server = await startTestServer({ database: await database.create(), sessionKeepDays: 9 });
    forced = await startTestServer({ database: await database.create(), popupLanguage: 'fr-CA' });
    off = await startTestServer({ database: await database.create(), popup: 'off' });
    token = mintSessionToken(SECRET).token;
    const events = [
      sdkEvent({ documentURI: PAGE, originalPolicy: POLICY, blockedURI: 'https://unknown.test/some/script.js?id=42&x=1', seq: 0 }),
    ];
    const response = await fetch(`${server.url}/csp/events/${token}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ v: 1, events }),
    });
    expect(response.status).toBe(204);
  });
  afterAll(async () => {
    await Promise.all([server.close(), forced.close(), off.close()]);
    await database.cleanup();
  });

  it('answers in German or French by Accept-Language, by preference, and says it varies by it', async () => {
    const de = await page(server.url, `/csp/scan/${token}`, 'de-AT,de;q=0.9,en;q=0.5');
    expect(de.response.headers.get('vary')).toMatch(/Accept-Language/i);
    expect(de.html).toContain('<html lang="de">');
    expect(de.html).toContain('<h1>Browser-Sicherheitsprüfung</h1>');
    expect(de.html).toContain('Weitere blockierte Inhalte');
    expect(de.html).toContain('<th class="directive">Regel der Richtlinie</th>');
    expect(de.html).toContain('/csp/privacy?lang=de');
    const fr = await page(server.url, `/csp/scan/${token}`, 'en;q=0.4, fr;q=0.8, de;q=0');
    expect(fr.html).toContain('<html lang="fr">');
    expect(fr.html).toContain('Autres contenus bloqués');
    expect(fr.html).not.toContain('Other blocked content');
  });

  it('falls back to English for other languages, and takes ?lang= before the header', async () => {
    const other = await page(server.url, `/csp/scan/${token}`, 'pt-BR,es;q=0.8');
    expect(other.html).toContain('<html lang="en">');
    expect(other.html).toContain('Other blocked content');
    const asked = await page(server.url, `/csp/scan/${token}?lang=fr`, 'de');
    expect(asked.html).toContain('Autres contenus bloqués');
    const notFound = await page(server.url, '/csp/scan/forged.token.value', 'de');
    expect(notFound.response.status).toBe(404);
    expect(notFound.html).toContain('Prüfungen werden 9 Tage aufbewahrt');
  });

  it('speaks the popupLanguage of the site when one is set, as the popup does', async () => {
    const { html } = await page(forced.url, '/csp/privacy', 'de');
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('Ce qui est enregistré sur votre appareil');
  });

  it('wraps long addresses at their parts (<wbr>), never inside a word', async () => {
    const { html } = await page(server.url, `/csp/scan/${token}`);
    // Stored without the query (stripQuery).
    expect(html).toContain('<code>https://<wbr>unknown.test<wbr>/some<wbr>/script.js</code>');
    expect(breakableUrl('https://a.test/p?id=42&x=<b>#f')).toBe(
      'https://<wbr>a.test<wbr>/p<wbr>?id<wbr>=42<wbr>&amp;x<wbr>=&lt;b&gt;<wbr>#f',
    );
    expect(breakableUrl('inline')).toBe('inline');
    expect(html).not.toMatch(/overflow-wrap:\s*anywhere|word-break:\s*break-(all|word)/);
  });

  it('names everything the SDK stores on the device, with how long, in every language', async () => {
    const hours = String(OUTBOX_MAX_AGE_MS / 3600_000);
    for (const [lang, heading] of [
      ['en', 'What is stored on your device'],
      ['de', 'Was auf Ihrem Gerät gespeichert wird'],
      ['fr', 'Ce qui est enregistré sur votre appareil'],
    ]) {
      const { html } = await page(server.url, `/csp/privacy?lang=${lang}`);
      expect(html, lang).toContain(heading);
      for (const use of DEVICE_STORAGE) {
        expect(html, `${lang}: ${use.name}`).toContain(`<code>${use.name}</code>`);
        if (use.store) expect(html, `${lang}: ${use.store}`).toContain(`<code>${use.store}</code>`);
      }
      expect(html, lang).toContain(hours);
      expect(html, lang).not.toContain('No cookie is set, and nothing is tied to who you are');
    }
  });

  it('leaves out the popup’s record when there is no popup', async () => {
    const { html } = await page(off.url, '/csp/privacy');
    expect(html).toContain('<code>csp-observer</code>');
    expect(html).not.toContain('csp-observer:dismissed');
  });
});
