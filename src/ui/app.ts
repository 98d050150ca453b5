// SPDX-License-Identifier: Apache-2.0
// The page's entry: the element, the page's own text in the element's
// language, and the service worker that keeps the app usable offline after
// one visit. The element alone (what portals embed) never registers a service
// worker: that is the host page's decision.
import './image-check';
import { t } from '../report/i18n';
import { pageText } from './page-text';

const el = document.querySelector('image-check');
if (el) pageText(document, el, t);

if (import.meta.env.PROD && 'serviceWorker' in navigator && location.protocol.startsWith('http')) {
  navigator.serviceWorker.register(new URL('sw.js', document.baseURI), { scope: './' }).catch((e: unknown) => {
    console.warn(`offline use is unavailable: ${(e as Error).message}`);
  });
}
