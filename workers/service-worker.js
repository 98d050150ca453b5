// SPDX-License-Identifier: Apache-2.0
// Keeps the whole app (page, worker, wasm, sample image) in the Cache Storage
// after the first visit, so it works with no network at all. The build
// (vite.config.ts, offlineApp) prepends `ASSETS` (every file of the build,
// relative to this script) and `VERSION` (a hash of them). It only ever
// caches the app's own files: the images people check are Files, never
// fetched, so they never reach a cache.
/* global ASSETS, VERSION */
const CACHE = `guestcheck-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('guestcheck-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    // a navigation to the app's folder is the page itself; a server's
    // Vary: Origin must not hide the cached copy from crossorigin module requests
    const hit = await cache.match(req, { ignoreSearch: true, ignoreVary: true }) ?? (req.mode === 'navigate' ? await cache.match('./') : undefined);
    return hit ?? fetch(req);
  })());
});
