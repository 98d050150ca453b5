// The web app (default mode): index.html with <image-check>; ES-module
// workers; the wasm as an asset; a service worker that precaches every file.
// `--mode offline`: one self-contained HTML file (dist/offline/guestcheck.html)
// for air-gapped use from file://, under a CSP of hashes.
// `--mode lib`: the element as one ES module for portals (dist/lib).
import { defineConfig, type Plugin, type UserConfig } from 'vite';
import { viteSingleFile } from 'vite-plugin-singlefile';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

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
      const source = readFileSync(here('./workers/service-worker.js'), 'utf8');
      // bundle names carry content hashes; public files and the worker's own code do not
      const h = createHash('sha256').update(assets.join('\n')).update(source);
      for (const p of publicFiles) h.update(readFileSync(p));
      const version = h.digest('hex').slice(0, 12);
      this.emitFile({ type: 'asset', fileName: 'sw.js', source: `const ASSETS = ${JSON.stringify(assets)};\nconst VERSION = '${version}';\n${source}` });
    },
  };
}

const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;

/**
 * After vite-plugin-singlefile has inlined everything: allow exactly those
 * inline blocks by hash, the inlined worker (blob:) and wasm, and nothing on
 * the network — connect-src allows only data: (the initramfs decoders fetch
 * their own inlined wasm from a data: URL; that never leaves the page);
 * name the file guestcheck.html.
 */
function offlinePolicy(): Plugin {
  return {
    name: 'guestcheck-offline-policy',
    apply: 'build',
    enforce: 'post',
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        const html = bundle['index.html'];
        if (!html || html.type !== 'asset') throw new Error('offline build: index.html missing');
        let src = String(html.source);
        const scripts = [...src.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => sha256(m[1]));
        const styles = [...src.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/g)].map((m) => sha256(m[1]));
        const csp = [`default-src 'none'`, `script-src ${scripts.join(' ')} 'wasm-unsafe-eval'`, `style-src ${styles.join(' ') || "'none'"}`,
          `img-src 'self' data:`, `connect-src data:`, `worker-src blob:`, `base-uri 'none'`, `form-action 'none'`].join('; ');
        src = src.replace('<meta charset="utf-8" />', `<meta charset="utf-8" />\n    <meta http-equiv="Content-Security-Policy" content="${csp}" />`);
        delete bundle['index.html'];
        this.emitFile({ type: 'asset', fileName: 'guestcheck.html', source: src });
      },
    },
  };
}

const inlineWorker = { find: /^\.\/start-worker$/, replacement: here('./src/client/start-worker.inline.ts') };

export default defineConfig(({ mode }): UserConfig => {
  if (mode === 'lib') {
    // <image-check> for documentation portals: one ES module with lit, the
    // worker and the wasm inside, so it runs when loaded from another origin
    // (a worker file from another origin cannot be started; a blob: can).
    return {
      publicDir: false,
      worker: { format: 'iife' },
      resolve: { alias: [inlineWorker] },
      build: {
        target: 'es2022', outDir: 'dist/lib', emptyOutDir: true, assetsInlineLimit: () => true,
        lib: { entry: here('./src/ui/image-check.ts'), formats: ['es'], fileName: () => 'image-check.js' },
      },
    };
  }
  if (mode === 'offline') {
    return {
      root: here('./src/offline'),
      base: './',
      publicDir: false,
      // a module worker from a blob: URL fails to load in a file:// page (opaque origin); a classic one runs
      worker: { format: 'iife' },
      resolve: { alias: [inlineWorker] },
      plugins: [viteSingleFile(), offlinePolicy()],
      build: { target: 'es2022', outDir: here('./dist/offline'), emptyOutDir: true },
    };
  }
  return {
    base: './',
    worker: { format: 'es' },
    plugins: [offlineApp()],
    build: { target: 'es2022', outDir: 'dist/app', emptyOutDir: true },
  };
});
