import { defineConfig } from 'vite';

// Served by the server under {prefix}/admin/, so every asset URL is relative. No inline script
// or style anywhere: the admin's policy is script-src 'self'; style-src 'self'.
export default defineConfig({
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', assetsInlineLimit: 0, modulePreload: { polyfill: false } },
});
