import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, devices } from '@playwright/test';
import type { Engine } from './tests/support/engines.js';
import { CHROMIUM, CHROMIUM_ARGS } from './tests/support/engines.js';

const here = fileURLToPath(new URL('.', import.meta.url));
/** An uncommon port, so that a demo left running elsewhere does not answer the tests. */
export const PORT = Number(process.env.E2E_PORT ?? 3217);
/** A fresh SQLite file per run: the tests read what the server wrote. */
export const DATABASE = process.env.E2E_DATABASE ?? `${here}.tmp/e2e-${process.pid}-${Date.now()}.sqlite`;
export const SECRET = 'e2e-secret-0123456789abcdef';
/** The admin dashboard's password on the main test site. */
export const ADMIN_PASSWORD = 'e2e-admin-password';
process.env.E2E_DATABASE = DATABASE;
/** The same site with the popup in `minimized` mode, and under the strict enforced policy. */
export const MINIMIZED_PORT = PORT + 1;
export const STRICT_PORT = PORT + 2;
/** Where the scan page's data sharing goes: a receiver the sharing test starts itself. */
export const SHARING_PORT = PORT + 82;
process.env.E2E_MINIMIZED_URL = `http://127.0.0.1:${MINIMIZED_PORT}`;
process.env.E2E_STRICT_URL = `http://127.0.0.1:${STRICT_PORT}`;
process.env.E2E_SHARING_PORT = String(SHARING_PORT);
/** examples/collector: the collector on this port, its sites shop and blog on the next two. */
export const COLLECTOR_PORT = PORT + 10;
export const COLLECTOR_ADMIN_TOKEN = 'e2e-collector-admin-token-0123';
export const SHOP_SECRET = 'e2e-shop-secret-0123456789';
/** The shop's previous secret, retired before the run: its tokens must be refused. */
export const SHOP_RETIRED_SECRET = 'e2e-shop-retired-secret-0123';
process.env.E2E_COLLECTOR_URL = `http://127.0.0.1:${COLLECTOR_PORT}`;
process.env.E2E_SHOP_URL = `http://127.0.0.1:${COLLECTOR_PORT + 1}`;
process.env.E2E_BLOG_URL = `http://127.0.0.1:${COLLECTOR_PORT + 2}`;
mkdirSync(`${here}.tmp`, { recursive: true });

export default defineConfig<{ engine: Engine }>({
  testDir: 'tests',
  outputDir: 'test-results',
  fullyParallel: false,
  // Two browsers at a time on this kind of machine (2 cores); each project's files one after another
  // (the Chromium specs share the example servers' databases).
  workers: Number(process.env.E2E_WORKERS ?? 2),
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    // Every spec in Chromium; the engine specs (tests/engines) in each of the three engines.
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        engine: 'chromium',
        // Debian's Chromium: nothing may download a browser here.
        launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS },
      },
      workers: 1,
    },
    { name: 'firefox', testMatch: 'engines/**/*.spec.ts', use: { engine: 'firefox' }, workers: 1 },
    { name: 'webkit', testMatch: 'engines/**/*.spec.ts', use: { engine: 'webkit' }, workers: 1 },
  ],
  webServer: [
    site(PORT, DATABASE, {
      CSP_OBSERVER_SHARING_URL: `http://127.0.0.1:${SHARING_PORT}/share`,
      CSP_OBSERVER_ADMIN_PASSWORD: ADMIN_PASSWORD,
    }),
    site(MINIMIZED_PORT, `${here}.tmp/e2e-minimized-${process.pid}-${Date.now()}.sqlite`, { CSP_OBSERVER_POPUP: 'minimized' }),
    site(STRICT_PORT, `${here}.tmp/e2e-strict-${process.pid}-${Date.now()}.sqlite`, { CSP_OBSERVER_STRICT: 'true' }),
    {
      command: 'node ../examples/collector/server.js',
      // The blog starts last.
      url: `http://127.0.0.1:${COLLECTOR_PORT + 2}/`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: 'pipe' as const,
      stderr: 'pipe' as const,
      env: {
        COLLECTOR_PORT: String(COLLECTOR_PORT),
        HOST: '127.0.0.1',
        CSP_OBSERVER_DB: `${here}.tmp/e2e-collector-${process.pid}-${Date.now()}.sqlite`,
        CSP_OBSERVER_SECRET: SECRET,
        CSP_OBSERVER_ADMIN_TOKEN: COLLECTOR_ADMIN_TOKEN,
        SHOP_SECRET,
        SHOP_PREVIOUS_SECRET: SHOP_RETIRED_SECRET,
        SHOP_PREVIOUS_UNTIL: '2026-01-01T00:00:00Z',
      },
    },
  ],
});

/** The example site on a port of its own, with its own fresh database. */
function site(port: number, database: string, env: Record<string, string>) {
  return {
    command: 'node ../examples/basic-site/server.js',
    url: `http://127.0.0.1:${port}/csp/health`,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'pipe' as const,
    stderr: 'pipe' as const,
    env: { PORT: String(port), HOST: '127.0.0.1', CSP_OBSERVER_DB: database, CSP_OBSERVER_SECRET: SECRET, ...env },
  };
}
