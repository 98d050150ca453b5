// The web app: index.html with <image-check>; ES-module workers; the wasm as an asset.
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  worker: { format: 'es' },
  build: { target: 'es2022', outDir: 'dist/app', emptyOutDir: true },
});
