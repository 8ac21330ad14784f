import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'core',
          include: ['packages/core/src/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'server',
          include: ['packages/server/src/**/*.test.ts', 'packages/server/test/**/*.test.ts'],
          globalSetup: ['packages/server/test/support/global-setup.ts'],
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'sdk-budget',
          include: ['packages/sdk/test/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'sdk',
          include: ['packages/sdk/src/**/*.test.ts'],
          // A file that needs a DOM says so (`@vitest-environment happy-dom`); this page is its location.
          environment: 'node',
          environmentOptions: { happyDOM: { url: 'https://site.example/page' } },
          // Each file in a fresh worker (a happy-dom window of its own); core is
          // loaded as built instead of transformed again for every file.
          pool: 'threads',
          server: { deps: { external: [/packages\/core\/dist/] } },
        },
      },
      {
        // The dashboard's TSX, as its tsconfig compiles it (react-jsx with preact's runtime).
        oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
        test: {
          name: 'dashboard',
          include: ['packages/dashboard/src/**/*.test.{ts,tsx}'],
          environment: 'node',
          environmentOptions: { happyDOM: { url: 'https://admin.example/csp/admin/' } },
          pool: 'threads',
        },
      },
    ],
  },
});
