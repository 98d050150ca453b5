// SPDX-License-Identifier: Apache-2.0
// The built page in Debian's Chromium: a file set on the input is checked in
// the worker and the findings appear. Skipped, saying so, without Chromium.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preview, type PreviewServer } from 'vite';
import { chromium, type BrowserContext } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const have = existsSync(CHROMIUM);
if (!have) console.warn(`browser tests skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);

describe.skipIf(!have)('page in Chromium', () => {
  let server: PreviewServer;
  let browser: BrowserContext;
  let url: string;
  const dir = mkdtempSync(join(tmpdir(), 'guestcheck-browser-'));

  beforeAll(async () => {
    server = await preview({ preview: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
    url = server.resolvedUrls!.local[0];
    // a fresh profile every run
    browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'gc-chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('checks a picked image in the worker and shows the findings', async () => {
    const img = join(dir, 'zero.img');
    writeFileSync(img, new Uint8Array(4 << 20));
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.locator('image-check input[type=file]').setInputFiles(img);
    const table = page.locator('image-check #results');
    await table.waitFor({ timeout: 20_000 });
    const text = await table.innerText();
    expect(text).toMatch(/Platform\s+fail \(High\)\s+Unknown/);
    expect(text).toMatch(/SystemImage\s+fail \(High\)\s+Empty/);
    await page.screenshot({ path: join(dir, 'page.png') });
    expect(errors).toEqual([]);
  });

  it('checks the built-in sample image: a real Debian 12 disk', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await page.locator('image-check #sample').click();
    const table = page.locator('image-check #results');
    await table.waitFor({ timeout: 30_000 });
    const text = await table.innerText();
    expect(text).toMatch(/OSVersion\s+pass\s+Debian 12\.\d+/);
    expect(text).toMatch(/Architecture\s+pass\s+x86_64/);
    expect(text).toMatch(/KernelVersion\s+pass\s+6\.1\.0-\d+-cloud-amd64/);
  });

  it('checks a fixture set on the file input: MBR with ext2 /boot and a logical ext3 root', async () => {
    const img = join(dir, 'mbr-ext3.img');
    writeFileSync(img, gunzipSync(readFileSync(new URL('../fixtures/guest/mbr-ext3.img.gz', import.meta.url))));
    const page = await browser.newPage();
    await page.goto(url);
    await page.locator('image-check input[type=file]').setInputFiles(img);
    const table = page.locator('image-check #results');
    await table.waitFor({ timeout: 30_000 });
    expect(await table.innerText()).toMatch(/OSVersion\s+pass\s+Debian 12\.\d+/);
  });

  it('reads a real zstd initramfs in the worker: Virtio on debian12-cloud', async () => {
    const img = join(dir, 'debian12-cloud.img');
    writeFileSync(img, gunzipSync(readFileSync(new URL('../fixtures/guest/debian12-cloud.img.gz', import.meta.url))));
    const page = await browser.newPage();
    await page.goto(url);
    await page.locator('image-check input[type=file]').setInputFiles(img);
    const table = page.locator('image-check #results');
    await table.waitFor({ timeout: 60_000 });
    const text = await table.innerText();
    expect(text).toMatch(/Virtio\s+pass\s+Supported/);
    expect(text).toMatch(/Nvme\s+pass\s+Supported/);
  });

  it('names a container it cannot read', async () => {
    const img = join(dir, 'disk.qcow2');
    const b = new Uint8Array(4096);
    b.set([0x51, 0x46, 0x49, 0xfb]);
    writeFileSync(img, b);
    const page = await browser.newPage();
    await page.goto(url);
    await page.locator('image-check input[type=file]').setInputFiles(img);
    const err = page.locator('image-check #error');
    await err.waitFor({ timeout: 20_000 });
    expect(await err.innerText()).toMatch(/qcow2/);
  });
});
