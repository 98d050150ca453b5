// The web app: index.html with <image-check>; ES-module workers; the wasm as
// an asset; a service worker that precaches every file of the build.
import { defineConfig, type Plugin } from 'vite';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Emits sw.js with the list of every emitted and public file (workers/service-worker.js). */
function offlineApp(): Plugin {
  let publicDir = '';
  return {
    name: 'guestcheck-offline-app',
    apply: 'build',
    configResolved(c) { publicDir = c.publicDir; },
    generateBundle(_options, bundle) {
      const publicFiles = publicDir ? filesUnder(publicDir) : [];
      const assets = ['./', ...Object.keys(bundle).filter((f) => f !== 'index.html'),
        ...publicFiles.map((p) => relative(publicDir, p).split('\\').join('/'))]
        .map((f) => (f === './' ? f : `./${f}`)).sort();
      const source = readFileSync(new URL('./workers/service-worker.js', import.meta.url), 'utf8');
      // bundle names carry content hashes; public files and the worker's own code do not
      const h = createHash('sha256').update(assets.join('\n')).update(source);
      for (const p of publicFiles) h.update(readFileSync(p));
      const version = h.digest('hex').slice(0, 12);
      this.emitFile({ type: 'asset', fileName: 'sw.js', source: `const ASSETS = ${JSON.stringify(assets)};\nconst VERSION = '${version}';\n${source}` });
    },
  };
}

export default defineConfig({
  base: './',
  worker: { format: 'es' },
  plugins: [offlineApp()],
  build: { target: 'es2022', outDir: 'dist/app', emptyOutDir: true },
});
