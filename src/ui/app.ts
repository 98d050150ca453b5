// SPDX-License-Identifier: Apache-2.0
// The page's entry: the element, plus the service worker that keeps the app
// usable offline after one visit. The element alone (what portals embed)
// never registers a service worker: that is the host page's decision.
import './image-check';

if (import.meta.env.PROD && 'serviceWorker' in navigator && location.protocol.startsWith('http')) {
  navigator.serviceWorker.register(new URL('sw.js', document.baseURI), { scope: './' }).catch((e: unknown) => {
    console.warn(`offline use is unavailable: ${(e as Error).message}`);
  });
}
