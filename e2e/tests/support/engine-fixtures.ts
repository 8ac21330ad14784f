import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserType } from '@playwright/test';
import type { CspObserverMiddleware, StoredReport } from '@csp-observer/server';
import type { ReportRecord } from '@csp-observer/server/internals';
import { createSite } from 'basic-site';
import { test as base } from '../fixtures.js';
import { CHROMIUM, CHROMIUM_ARGS, FIREFOX, type Engine } from './engines.js';
import { startTamperingProxy, type Tampering, type TamperingProxy } from './tampering-proxy.js';
import { selfSignedCertificate } from './tls.js';
import type { Verdict } from './verdict.js';
import { PlaywrightVisitor, WebDriverVisitor, type Visitor } from './visitor.js';
import { WebKitDriver } from './webkit-driver.js';

const tmp = fileURLToPath(new URL('../../.tmp/', import.meta.url));

/** How the site sends its policy: the demo's default policy report-only, or the strict nonce-based one enforced. */
export type Mode = 'report-only' | 'enforced';
export const MODES: readonly Mode[] = ['report-only', 'enforced'];

/** One example site served in the test worker, read back through its own store and verdicts. */
export interface EngineSite {
  mode: Mode;
  https: boolean;
  origin: string;
  observer: CspObserverMiddleware;
  /** The page view's verdict once final, as the popup's long-poll gets it. */
  finalVerdict(token: string): Promise<Verdict>;
  /** Everything stored for a page view. */
  reports(token: string): Promise<StoredReport[]>;
  /** A proxy in front of this site that tampers as told; closed after the test. */
  tamper(tampering: Tampering): Promise<string>;
}

/** The session id a token is stored under. */
export function sessionIdOf(token: string): string {
  return token.split('.')[0]!;
}

type SiteKey = `${Mode} ${'http' | 'https'}`;

interface WorkerFixtures {
  /** The engine this project runs in (set per project in playwright.config.ts). */
  engine: Engine;
  tls: { key: Buffer; cert: Buffer; spki: string };
  /** Chromium or Firefox launched by Playwright, or WebKitWebDriver under Xvfb. */
  engineBrowser: Browser | WebKitDriver;
  sites: Record<SiteKey, Omit<EngineSite, 'tamper'>>;
  /** A second origin, for content the policy forbids that must still load (it answers any path with a script). */
  foreignOrigin: string;
}

interface TestFixtures {
  visitor: Visitor;
  site: (mode: Mode, https?: boolean) => EngineSite;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

async function startSite(
  mode: Mode,
  https: boolean,
  tls: WorkerFixtures['tls'],
): Promise<Omit<EngineSite, 'tamper'> & { stop(): Promise<void> }> {
  const database = `${tmp}engines-${mode}-${https ? 'https' : 'http'}-${process.pid}-${Date.now()}.sqlite`;
  const { app, observer } = createSite({
    database,
    secret: 'e2e-engines-secret-0123456789',
    strict: mode === 'enforced',
    reportingApi: https,
    popup: 'always',
  });
  await observer.ready;
  const server = https ? createHttpsServer({ key: tls.key, cert: tls.cert }, app.callback()) : createHttpServer(app.callback());
  const port = await listen(server);
  return {
    mode,
    https,
    origin: `${https ? 'https' : 'http'}://127.0.0.1:${port}`,
    observer,
    finalVerdict: async (token) => {
      const id = sessionIdOf(token);
      let verdict = await observer.verdicts.next(id, null, 0);
      const deadline = Date.now() + 20_000;
      while (!verdict.final && Date.now() < deadline) verdict = await observer.verdicts.next(id, verdict.version, deadline - Date.now());
      if (!verdict.final) throw new Error(`the verdict of ${id} is not final after 20 s: ${JSON.stringify(verdict)}`);
      return verdict as Verdict;
    },
    reports: (token) => observer.store.reportsOfSession(sessionIdOf(token)),
    stop: async () => {
      await close(server);
      await observer.close();
    },
  };
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  engine: ['chromium', { option: true, scope: 'worker' }],

  tls: [async ({}, use) => use(selfSignedCertificate(tmp)), { scope: 'worker' }],

  engineBrowser: [
    async ({ engine, playwright, tls }, use) => {
      if (engine === 'webkit') {
        const driver = await WebKitDriver.start();
        await use(driver);
        await driver.stop();
        return;
      }
      const launcher: BrowserType = playwright[engine];
      const browser =
        engine === 'chromium'
          ? await launcher.launch({
              executablePath: CHROMIUM,
              // Trust the test certificate (the Reporting API ignores a context's ignoreHTTPSErrors) and deliver reports at once.
              args: [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${tls.spki}`, '--short-reporting-delay'],
            })
          : await launcher.launch({
              channel: 'moz-firefox',
              executablePath: FIREFOX,
              env: { ...process.env, HOME: process.env.HOME ?? homedir() },
            });
      await use(browser);
      await browser.close();
    },
    { scope: 'worker', timeout: 60_000 },
  ],

  sites: [
    async ({ tls }, use) => {
      const started = await Promise.all([
        startSite('report-only', false, tls),
        startSite('enforced', false, tls),
        startSite('report-only', true, tls),
        startSite('enforced', true, tls),
      ]);
      const sites = Object.fromEntries(
        started.map((site) => [`${site.mode} ${site.https ? 'https' : 'http'}`, site]),
      ) as unknown as WorkerFixtures['sites'];
      await use(sites);
      await Promise.all(started.map((site) => site.stop()));
    },
    { scope: 'worker', timeout: 60_000 },
  ],

  foreignOrigin: [
    async ({}, use) => {
      const server = createHttpServer((_req, res) => res.writeHead(200, { 'Content-Type': 'application/javascript' }).end('/* foreign */'));
      const port = await listen(server);
      await use(`http://127.0.0.1:${port}`);
      await close(server);
    },
    { scope: 'worker' },
  ],

  visitor: async ({ engine, engineBrowser }, use) => {
    if (engineBrowser instanceof WebKitDriver) {
      const visitor = new WebDriverVisitor(await engineBrowser.session());
      await use(visitor);
      await visitor.close();
      return;
    }
    const context = await engineBrowser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await use(new PlaywrightVisitor(engine, page));
    await context.close();
  },

  site: async ({ sites, tls }, use) => {
    const proxies: TamperingProxy[] = [];
    await use((mode, https = false) => {
      const site = sites[`${mode} ${https ? 'https' : 'http'}`];
      return {
        ...site,
        tamper: async (tampering) => {
          const proxy = await startTamperingProxy(site.origin, tampering, https ? tls : undefined);
          proxies.push(proxy);
          return proxy.origin;
        },
      };
    });
    await Promise.all(proxies.map((proxy) => proxy.close()));
  },
});

export type { ReportRecord };
export { expect } from '../fixtures.js';
