import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, devices } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from './tests/chromium.js';

const here = fileURLToPath(new URL('.', import.meta.url));
/** An uncommon port, so that a demo left running elsewhere does not answer the tests. */
export const PORT = Number(process.env.E2E_PORT ?? 3217);
/** A fresh SQLite file per run: the tests read what the server wrote. */
export const DATABASE = process.env.E2E_DATABASE ?? `${here}.tmp/e2e-${process.pid}-${Date.now()}.sqlite`;
export const SECRET = 'e2e-secret-0123456789abcdef';
process.env.E2E_DATABASE = DATABASE;
mkdirSync(`${here}.tmp`, { recursive: true });


export default defineConfig({
  testDir: 'tests',
  outputDir: 'test-results',
  fullyParallel: false,
  workers: 1,
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
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        // Debian's Chromium: nothing may download a browser here.
        launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS },
      },
    },
  ],
  webServer: {
    command: 'node ../examples/basic-site/server.js',
    url: `http://127.0.0.1:${PORT}/csp/health`,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      PORT: String(PORT),
      HOST: '127.0.0.1',
      CSP_OBSERVER_DB: DATABASE,
      CSP_OBSERVER_SECRET: SECRET,
    },
  },
});
