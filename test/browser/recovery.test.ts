// SPDX-License-Identifier: Apache-2.0
// Recovery in the real browser: a wasm trap and a crashing worker end that
// image's check with an error naming the image, the phase and what happened;
// the page stays up, and the next check (in a fresh worker) works. The
// breakage is injected the way the cancel test holds the wasm: page.route
// serves a test-only stand-in engine (test/hostile/broken-engine.ts) or a
// worker script that crashes; nothing in the shipped page can be made to.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { scratchDir } from '../helpers/scratch';
import { haveChromium, item, startPage, uncontrolledPage, type PageServer } from '../helpers/browser';
import { buildBrokenEngine } from '../hostile/broken-engine';

describe.skipIf(!haveChromium)('recovery in Chromium', () => {
  let s: PageServer;
  const dir = scratchDir('gc-recovery-');
  const mbrExt3 = join(dir, 'mbr-ext3.img');
  const zero = join(dir, 'zero.img');

  beforeAll(async () => {
    writeFileSync(mbrExt3, gunzipSync(readFileSync(new URL('../fixtures/guest/mbr-ext3.img.gz', import.meta.url))));
    writeFileSync(zero, new Uint8Array(1 << 20));
    s = await startPage();
  }, 120_000);
  afterAll(async () => { await s?.close(); }, 60_000);

  it('a wasm trap is that image\'s error; the page stays up and the next check works', async () => {
    const trap = await buildBrokenEngine('trap', join(dir, 'trap'));
    const page = await uncontrolledPage(s.browser, s.url);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.route(/\.wasm$/, (route) => route.fulfill({ status: 200, contentType: 'application/wasm', body: Buffer.from(trap) }));
    await page.locator('image-check #file').setInputFiles(zero);
    const err = page.locator('image-check #error');
    await err.waitFor({ timeout: 30_000 });
    expect(await err.innerText()).toMatch(/stopped while opening the image of zero\.img: the engine failed \(memory access out of bounds\); this is a bug in guestcheck/);
    expect(await page.locator('image-check details').count()).toBe(0);
    await page.unroute(/\.wasm$/);
    await page.locator('image-check #file').setInputFiles(mbrExt3);
    expect((await item(page, 'OSVersion')).status).toBe('pass');
    expect(errors).toEqual([]);
  });

  it('the wasm memory cap is a named limit in the page', async () => {
    const oom = await buildBrokenEngine('oom', join(dir, 'oom'));
    const page = await uncontrolledPage(s.browser, s.url);
    await page.route(/\.wasm$/, (route) => route.fulfill({ status: 200, contentType: 'application/wasm', body: Buffer.from(oom) }));
    await page.locator('image-check #file').setInputFiles(zero);
    const err = page.locator('image-check #error');
    await err.waitFor({ timeout: 30_000 });
    expect(await err.innerText()).toMatch(/the engine ran out of memory: its memory cannot grow past 1024 MiB/);
  });

  it('a worker that crashes is that image\'s error, and a fresh worker checks the next image', async () => {
    const page = await uncontrolledPage(s.browser, s.url);
    // the worker script replaced by one that dies, uncaught, when the check reaches it
    await page.route(/check\.worker[^/]*\.js$/, (route) => route.fulfill({
      status: 200, contentType: 'text/javascript',
      body: 'self.onmessage = () => setTimeout(() => { throw new Error("simulated crash in the worker"); });',
    }));
    await page.locator('image-check #file').setInputFiles(zero);
    const err = page.locator('image-check #error');
    await err.waitFor({ timeout: 30_000 });
    expect(await err.innerText()).toMatch(/worker crashed while opening the image of zero\.img: .*simulated crash in the worker/);
    await page.unroute(/check\.worker[^/]*\.js$/);
    await page.locator('image-check #file').setInputFiles(mbrExt3);
    expect((await item(page, 'OSVersion')).status).toBe('pass');
  });

  it('with several separate images, one whose check traps does not stop the next', async () => {
    const trap = await buildBrokenEngine('trap', join(dir, 'trap2'));
    const page = await uncontrolledPage(s.browser, s.url);
    // checks in order: both files together (the real engine finds two separate disks), zero.img (traps), mbr-ext3.img
    let served = 0;
    await page.route(/\.wasm$/, async (route) => {
      if (served++ === 1) await route.fulfill({ status: 200, contentType: 'application/wasm', body: Buffer.from(trap) });
      else await route.continue();
    });
    await page.locator('image-check #file').setInputFiles([zero, mbrExt3]);
    await page.locator('image-check #summary-2').waitFor({ timeout: 60_000 });
    expect(served).toBe(3);
    const headings = await page.locator('image-check section.report h2').allInnerTexts();
    expect(headings).toEqual(['Image 1 of 2: zero.img', 'Image 2 of 2: mbr-ext3.img']);
    expect(await page.locator('image-check #error').innerText()).toMatch(/opening the image of zero\.img: the engine failed/);
    expect(await page.locator('image-check #results-2 details[data-item="OSVersion"]').getAttribute('class')).toBe('pass');
  });
});
