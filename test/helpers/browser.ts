// SPDX-License-Identifier: Apache-2.0
// The browser tests' shared setup: the built page served by vite preview, a
// fresh headless Chromium profile, and an item's status and value. Tests using
// it are skipped, saying so, without Debian's chromium.
import { existsSync } from 'node:fs';
import { preview, type PreviewServer } from 'vite';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { scratchDir } from './scratch';

export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`browser tests skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);

export interface PageServer { server: PreviewServer; browser: BrowserContext; url: string; close(): Promise<void> }

/** vite preview of dist/app and Chromium with a fresh profile. */
export async function startPage(): Promise<PageServer> {
  const server = await preview({ preview: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
  const url = server.resolvedUrls!.local[0];
  const browser = await chromium.launchPersistentContext(scratchDir('gc-chromium-'), {
    executablePath: CHROMIUM,
    headless: true,
    locale: 'en-US',
    viewport: { width: 1100, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  return { server, browser, url, async close() { await browser.close(); await server.close(); } };
}

/** A page the service worker does not control, so that page.route sees the worker's and the wasm's requests. */
export async function uncontrolledPage(browser: BrowserContext, url: string): Promise<Page> {
  const page = await browser.newPage();
  await page.addInitScript(() => { navigator.serviceWorker.register = () => new Promise(() => undefined); });
  await page.goto(url);
  await page.evaluate(async () => { for (const r of await navigator.serviceWorker.getRegistrations()) await r.unregister(); });
  await page.reload();
  if (await page.evaluate(() => navigator.serviceWorker.controller) !== null) throw new Error('the page is still controlled by a service worker');
  return page;
}

/** status class and value text of one item. */
export async function item(page: Page, name: string, timeout = 30_000): Promise<{ status: string; value: string }> {
  const d = page.locator(`image-check details[data-item="${name}"]`);
  await d.waitFor({ timeout });
  return {
    status: (await d.getAttribute('class')) ?? '',
    value: (await d.locator('.value').innerText()).trim(),
  };
}
