// Builds the Node CLI (src/cli) into dist/cli; the web app uses vite.config.ts.
import { defineConfig } from 'vite';

export default defineConfig({
  publicDir: false,
  build: {
    ssr: true,
    outDir: 'dist/cli',
    emptyOutDir: true,
    target: 'node20',
    rollupOptions: {
      input: { main: 'src/cli/main.ts', 'check-node-worker': 'workers/check.node-worker.ts', bench: 'bench/bench.ts' },
      output: { entryFileNames: '[name].js', format: 'es' },
    },
  },
});
