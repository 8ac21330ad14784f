import { defineConfig } from 'vite';

/**
 * Two builds of the SDK, each one self-contained and minified:
 * - `vite build`: the script tag IIFE served at `{prefix}/sdk.js` (dist/csp-observer.js), no globals;
 * - `vite build --mode esm`: the ES module with `init()` for bundled apps (dist/index.js).
 */
export default defineConfig(({ mode }) => {
  const esm = mode === 'esm';
  return {
    build: {
      // ES2022 (Chrome 94, Firefox 93, Safari 16): no helpers for class fields or ?? in the bundle.
      target: 'es2022',
      outDir: 'dist',
      // The first build empties dist; the second adds to it.
      emptyOutDir: !esm,
      sourcemap: false,
      // The ES module leaves its dependencies to the app's bundler (one preact for app and SDK).
      rolldownOptions: esm ? { external: ['preact', 'idb-keyval', /^@csp-observer\/core/] } : {},
      lib: esm
        ? { entry: 'src/index.ts', formats: ['es'], fileName: () => 'index.js' }
        : { entry: 'src/auto.ts', formats: ['iife'], name: 'CspObserverSdk', fileName: () => 'csp-observer.js' },
    },
  };
});
