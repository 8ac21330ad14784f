import { defineConfig } from 'vite';

// Served by the server under {prefix}/admin/, so every asset URL is relative.
export default defineConfig({
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
});
