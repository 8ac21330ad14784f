import { defineConfig } from 'vite';

// One self-contained, minified IIFE served at {prefix}/sdk.js: no globals, no chunks.
export default defineConfig({
  build: {
    // ES2022 (Chrome 94, Firefox 93, Safari 16): no helpers for class fields or ?? in the bundle.
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    lib: {
      entry: 'src/index.ts',
      formats: ['iife'],
      name: 'CspObserverSdk',
      fileName: () => 'csp-observer.js',
    },
  },
});
