// SPDX-License-Identifier: Apache-2.0
// The built page in Debian's Chromium: picking, the sample, grouped results,
// language switch, export, cancel, keyboard-only use, axe-core, and what the
// page requests while it checks. Skipped, saying so, without Chromium.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { scratchDir } from '../helpers/scratch';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { preview, type PreviewServer } from 'vite';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { BlobReader, TextWriter, ZipReader } from '@zip.js/zip.js';

const CHROMIUM = '/usr/bin/chromium';
const have = existsSync(CHROMIUM);
if (!have) console.warn(`browser tests skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);

const SHOTS = process.env.GUESTCHECK_SCREENSHOTS; // a folder: save screenshots of the main states there

/** status class and value text of one item. */
async function item(page: Page, name: string): Promise<{ status: string; value: string }> {
  const d = page.locator(`image-check details[data-item="${name}"]`);
  await d.waitFor({ timeout: 30_000 });
  return {
    status: (await d.getAttribute('class')) ?? '',
    value: (await d.locator('.value').innerText()).trim(),
  };
}

describe.skipIf(!have)('page in Chromium', () => {
  let server: PreviewServer;
  let browser: BrowserContext;
  let url: string;
  const dir = scratchDir('guestcheck-browser-');
  const mbrExt3 = join(dir, 'mbr-ext3.img');

  beforeAll(async () => {
    server = await preview({ preview: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
    url = server.resolvedUrls!.local[0];
    writeFileSync(mbrExt3, gunzipSync(readFileSync(new URL('../fixtures/guest/mbr-ext3.img.gz', import.meta.url))));
    // a fresh profile every run
    browser = await chromium.launchPersistentContext(scratchDir('gc-chromium-'), {
      executablePath: CHROMIUM,
      headless: true,
      acceptDownloads: true,
      locale: 'en-US',
      viewport: { width: 1100, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  }, 120_000); // a busy CI machine starts the preview server and Chromium slowly
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  }, 60_000);

  it('checks a picked image in the worker and groups the findings by status', async () => {
    const img = join(dir, 'zero.img');
    writeFileSync(img, new Uint8Array(4 << 20));
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.addInitScript(() => document.addEventListener('securitypolicyviolation',
      (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`)));
    await page.goto(url);
    await page.locator('image-check #file').setInputFiles(img);
    expect(await item(page, 'Platform')).toEqual({ status: 'fail', value: 'Unknown' });
    expect(await item(page, 'SystemImage')).toEqual({ status: 'fail', value: 'Empty' });
    // failures come first, in their own group
    const groups = await page.locator('image-check section.group').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    expect(groups[0]).toBe('fail');
    // the page runs under its strict CSP (no inline script or style, own origin only) without a violation
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).not.toMatch(/'unsafe-inline'|'unsafe-eval'|blob:|\*/);
    expect(errors).toEqual([]);
  });

  it('takes files dropped anywhere on the page', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(2 << 20)], 'dropped.img'));
      document.body.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      document.querySelector('header')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    expect(await item(page, 'SystemImage')).toEqual({ status: 'fail', value: 'Empty' });
    expect(await page.locator('image-check #summary').innerText()).toMatch(/^dropped\.img:/);
  });

  it('checks the built-in sample image: a real Debian 12 disk, with its layout drawn', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await page.locator('image-check #sample').click();
    const os = await item(page, 'OSVersion');
    expect(os.status).toBe('pass');
    expect(os.value).toMatch(/^Debian 12\.\d+$/);
    expect(await item(page, 'Architecture')).toEqual({ status: 'pass', value: 'x86_64' });
    expect((await item(page, 'KernelVersion')).value).toMatch(/^6\.1\.0-\d+-cloud-amd64$/);
    const layout = await page.locator('image-check table.layout').innerText();
    expect(layout).toMatch(/p3.*root/);
    expect(layout).toMatch(/p2.*EFI system/);
    expect(layout).toMatch(/\/boot\/efi/);
    expect(await page.locator('image-check .bar .seg').count()).toBeGreaterThanOrEqual(3);
    // evidence opens from the item
    await page.locator('image-check details[data-item="OSVersion"] summary').click();
    expect(await page.locator('image-check details[data-item="OSVersion"] .ev').innerText()).toMatch(/\/etc\/os-release:\d+ ID=debian/);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'sample-en.png'), fullPage: true });
  });

  it('checks a fixture set on the file input: MBR with ext2 /boot and a logical ext3 root', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await page.locator('image-check #file').setInputFiles(mbrExt3);
    expect((await item(page, 'OSVersion')).value).toMatch(/^Debian 12\.\d+$/);
  });

  it('reads a real zstd initramfs in the worker: Virtio on debian12-cloud', async () => {
    const img = join(dir, 'debian12-cloud.img');
    writeFileSync(img, gunzipSync(readFileSync(new URL('../fixtures/guest/debian12-cloud.img.gz', import.meta.url))));
    const page = await browser.newPage();
    await page.goto(url);
    await page.locator('image-check #file').setInputFiles(img);
    expect(await item(page, 'Virtio')).toEqual({ status: 'pass', value: 'Supported' });
    expect(await item(page, 'Nvme')).toEqual({ status: 'pass', value: 'Supported' });
  });

  it('names a container it cannot read', async () => {
    const img = join(dir, 'disk.hdd');
    const b = new Uint8Array(4096);
    b.set(new TextEncoder().encode('WithoutFreeSpace'));
    writeFileSync(img, b);
    const page = await browser.newPage();
    await page.goto(url);
    await page.locator('image-check #file').setInputFiles(img);
    const err = page.locator('image-check #error');
    await err.waitFor({ timeout: 20_000 });
    expect(await err.innerText()).toMatch(/Parallels/);
  });

  it('several files: a qcow2 chain is one disk; separate images are checked one after another', async () => {
    const chain = ['chain-top.qcow2', 'chain-mid.qcow2', 'chain-base.qcow2'].map((n) => {
      const p = join(dir, n);
      writeFileSync(p, gunzipSync(readFileSync(new URL(`../fixtures/containers/${n}.gz`, import.meta.url))));
      return p;
    });
    const page = await browser.newPage();
    await page.goto(url);
    await page.locator('image-check #file').setInputFiles(chain);
    await page.locator('image-check #summary').waitFor({ timeout: 30_000 });
    expect(await page.locator('image-check section.report').count()).toBe(1);
    expect(await page.locator('image-check #summary').innerText()).toMatch(/qcow2/);

    const zero = join(dir, 'zero2.img');
    writeFileSync(zero, new Uint8Array(1 << 20));
    await page.locator('image-check #file').setInputFiles([mbrExt3, zero]);
    await page.locator('image-check #summary-2').waitFor({ timeout: 30_000 });
    const headings = await page.locator('image-check section.report h2').allInnerTexts();
    expect(headings).toEqual(['Image 1 of 2: mbr-ext3.img', 'Image 2 of 2: zero2.img']);
    expect(await page.locator('image-check .status').innerText()).toMatch(/separate disk images/);
    expect(await page.locator('image-check #results-2 details[data-item="SystemImage"]').getAttribute('class')).toBe('fail');
  });

  it('switches to Japanese, and follows the browser language by default', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    expect(await page.locator('image-check #sample').innerText()).toBe('Try a sample image');
    await page.locator('image-check #lang').selectOption('ja');
    expect(await page.locator('image-check #sample').innerText()).toBe('サンプルイメージで試す');
    await page.locator('image-check #file').setInputFiles(mbrExt3);
    const os = page.locator('image-check details[data-item="OSVersion"] .name');
    await os.waitFor({ timeout: 30_000 });
    expect(await os.innerText()).toBe('OS バージョン');
    expect(await page.locator('image-check section.group h4').first().innerText()).toMatch(/^(失敗|合格|情報|警告|実行不可) \(\d+\)$/);
    // the fix and the evidence are said from the Japanese catalog; the command stays as it is
    const grub = page.locator('image-check details[data-item="Grub"]');
    await grub.locator('summary').click();
    const fix = await grub.locator('.fix').innerText();
    expect(fix).toMatch(/root=\/dev\/sda\d+: ECS ではディスクは \/dev\/vda（virtio）または \/dev\/nvme0n1 となるため/);
    expect(fix).not.toMatch(/does not exist|the boot stops/);
    expect(await grub.locator('.ev').innerText()).toMatch(/root=\/dev\/sda\d+ はカーネルのデバイス名です/);
    expect(await grub.locator('.cmd code').first().innerText()).toMatch(/^sed -i /);
    // the page's own text around the element follows the switch
    expect(await page.locator('html').getAttribute('lang')).toBe('ja');
    expect(await page.locator('[data-i18n="page.intro"]').innerText()).toMatch(/このブラウザーのタブの中でチェックします/);
    expect(await page.title()).toMatch(/インポート前に VM ディスクイメージをチェック/);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'mbr-ext3-ja.png'), fullPage: true });
    await page.locator('image-check #lang').selectOption('en');
    expect(await grub.locator('.fix').innerText()).toMatch(/root=\/dev\/sda\d+: on ECS the disk is \/dev\/vda/);
    expect(await page.locator('[data-i18n="page.intro"]').innerText()).toMatch(/^Checks a virtual-machine disk image/);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');

    const ja = await browser.newPage();
    await ja.addInitScript(() => Object.defineProperty(navigator, 'languages', { get: () => ['ja-JP', 'en'] }));
    await ja.goto(url);
    expect(await ja.locator('image-check #sample').innerText()).toBe('サンプルイメージで試す');
    // the page's own text follows the browser's language as the element does
    expect(await ja.locator('[data-i18n="page.intro"]').innerText()).toMatch(/このブラウザーのタブの中でチェックします/);
    expect(await ja.locator('html').getAttribute('lang')).toBe('ja');
  });

  it('exports one zip holding the report as JSON and Markdown', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    const reportFromEvent = page.evaluate(() => new Promise((resolve) =>
      document.querySelector('image-check')!.addEventListener('check-complete', (e) => resolve((e as CustomEvent).detail), { once: true })));
    await page.locator('image-check #file').setInputFiles(mbrExt3);
    const report = await reportFromEvent as { image: { files: string[] }; findings: unknown[] };
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('image-check #export-zip').click()]);
    expect(download.suggestedFilename()).toBe('guestcheck-mbr-ext3.img.zip');
    const path = await download.path();
    const zip = new ZipReader(new BlobReader(new Blob([readFileSync(path)])));
    const entries = await zip.getEntries();
    const names = entries.map((e) => e.filename);
    // mbr-ext3 names its disks /dev/sda1 in fstab and grub.cfg: the repair comes along
    expect(names).toEqual(expect.arrayContaining(['report.json', 'report.md', 'repair.sh', 'repair-image-parameters.json']));
    const params = JSON.parse(await (entries.find((e) => e.filename === 'repair-image-parameters.json') as any).getData(new TextWriter()));
    expect(params.repairItems.split(',')).toEqual(expect.arrayContaining(['fstab', 'grub']));
    const script: string = await (entries.find((e) => e.filename === 'repair.sh') as any).getData(new TextWriter());
    expect(script).toMatch(/^#!\/bin\/sh/);
    const json = JSON.parse(await (entries.find((e) => e.filename === 'report.json') as any).getData(new TextWriter()));
    expect(json.image.files).toEqual(['mbr-ext3.img']);
    expect(json.findings).toEqual(report.findings);
    const md: string = await (entries.find((e) => e.filename === 'report.md') as any).getData(new TextWriter());
    expect(md).toMatch(/^# guestcheck report: mbr-ext3\.img/);
    expect(md).toMatch(/\| OSVersion \| pass \| Debian 12\.\d+ \|  \|/);
    await zip.close();
  });

  it('cancels a check at once, and the next check works', async () => {
    const page = await browser.newPage();
    // the service worker would serve the wasm from its cache, past page.route: keep this page uncontrolled
    await page.addInitScript(() => { navigator.serviceWorker.register = () => new Promise(() => undefined); });
    await page.goto(url);
    await page.evaluate(async () => { for (const r of await navigator.serviceWorker.getRegistrations()) await r.unregister(); });
    await page.reload();
    expect(await page.evaluate(() => navigator.serviceWorker.controller)).toBeNull();
    // hold the engine's wasm so the check is still running when Cancel is pressed
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route(/\.wasm$/, async (route) => { await held; await route.continue().catch(() => undefined); });
    await page.locator('image-check #file').setInputFiles(mbrExt3);
    await page.locator('image-check #cancel').click();
    await page.locator('image-check .status').getByText('The check was cancelled.').waitFor({ timeout: 10_000 });
    expect(await page.locator('image-check details').count()).toBe(0);
    release();
    await page.unroute(/\.wasm$/);
    await page.locator('image-check #file').setInputFiles(mbrExt3);
    expect((await item(page, 'OSVersion')).status).toBe('pass');
  });

  it('works with the keyboard alone', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    // Tab order: language select, file picker, sample button
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      const id = await page.evaluate(() => document.querySelector('image-check')!.shadowRoot!.activeElement?.id ?? '');
      if (id === 'sample') break;
    }
    await page.keyboard.press('Enter');
    await item(page, 'OSVersion');
    // reach the first item's summary by Tab and open it with Enter
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      const tag = await page.evaluate(() => document.querySelector('image-check')!.shadowRoot!.activeElement?.tagName ?? '');
      if (tag === 'SUMMARY') break;
    }
    await page.keyboard.press('Enter');
    expect(await page.locator('image-check details[open]').count()).toBe(1);
  });

  it('has no axe-core violations, before and after a check', async () => {
    const require = createRequire(import.meta.url);
    const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
    const page = await browser.newPage();
    await page.goto(url);
    const audit = async () => {
      await page.evaluate(axeSource); // evaluate is not subject to the page's CSP; a script tag would be
      return page.evaluate(async () => {
        const r = await (window as any).axe.run(document, { resultTypes: ['violations'] });
        return r.violations.map((v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target.join(' ')).join(', ')}`);
      });
    };
    expect(await audit()).toEqual([]);
    await page.locator('image-check #file').setInputFiles(mbrExt3);
    await item(page, 'OSVersion');
    await page.locator('image-check details[data-item="OSVersion"] summary').click();
    expect(await audit()).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await audit()).toEqual([]);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'mbr-ext3-dark.png'), fullPage: true });
  });

  it('sends nothing anywhere while it checks: only its own assets, fetched with GET', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    const requests: { url: string; method: string; body: boolean }[] = [];
    page.on('request', (r) => requests.push({ url: r.url(), method: r.method(), body: r.postDataBuffer() !== null }));
    browser.on('request', (r) => requests.push({ url: r.url(), method: r.method(), body: r.postDataBuffer() !== null }));
    await page.locator('image-check #file').setInputFiles(mbrExt3);
    await item(page, 'OSVersion');
    const origin = new URL(url).origin;
    for (const r of requests) {
      expect(r.method).toBe('GET');
      expect(r.body).toBe(false);
      expect(r.url.startsWith(origin + '/') || r.url.startsWith('blob:')).toBe(true);
      expect(r.url).toMatch(/\.(js|wasm)$/);
    }
  });

  it('works offline after one visit (service worker), checking the sample with the network off', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await page.evaluate(async () => { await navigator.serviceWorker.ready; });
    await page.reload(); // now controlled by the service worker
    await page.evaluate(async () => {
      if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
    });
    await browser.setOffline(true);
    try {
      await page.reload();
      await page.locator('image-check #sample').click();
      expect((await item(page, 'OSVersion')).status).toBe('pass');
      await page.locator('image-check #file').setInputFiles(mbrExt3);
      await page.locator('image-check details[data-item="OSVersion"]').waitFor({ timeout: 30_000 });
      expect(await page.locator('image-check #summary').innerText()).toMatch(/mbr-ext3\.img/);
    } finally {
      await browser.setOffline(false);
    }
  });

  it('the single-file offline build checks an image from file:// with the network off', async () => {
    const file = new URL('../../dist/offline/guestcheck.html', import.meta.url);
    expect(existsSync(file), 'npm run build:offline makes dist/offline/guestcheck.html').toBe(true);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await browser.setOffline(true);
    try {
      await page.goto(file.href);
      const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
      expect(csp).toMatch(/connect-src data:;/); // only the page's own inlined wasm, never the network
      expect(await page.locator('image-check #sample').count()).toBe(0);
      await page.locator('image-check #file').setInputFiles(mbrExt3);
      expect((await item(page, 'OSVersion')).value).toMatch(/^Debian 12\.\d+$/);
    } finally {
      await browser.setOffline(false);
    }
    expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('blob:') && !u.startsWith('data:'))).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('the library build runs embedded in a portal page on another origin', async () => {
    const lib = new URL('../../dist/lib/', import.meta.url);
    expect(existsSync(new URL('image-check.js', lib)), 'npm run build:lib makes dist/lib/image-check.js').toBe(true);
    const manifest = JSON.parse(readFileSync(new URL('custom-elements.json', lib), 'utf8'));
    const decl = manifest.modules.flatMap((m: any) => m.declarations).find((d: any) => d.tagName === 'image-check');
    expect(decl.events.map((e: any) => e.name)).toEqual(expect.arrayContaining(['check-start', 'check-progress', 'check-complete']));
    expect(decl.attributes.map((a: any) => a.name)).toEqual(expect.arrayContaining(['lang', 'compact', 'page-drop', 'sample']));
    const listen = (s: Server) => new Promise<string>((r) => s.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));
    // origin B: the element's module, served as a CDN would, with CORS
    const cdn = createServer((req, res) => {
      const name = (req.url ?? '').replace(/^\//, '');
      if (name !== 'image-check.js') { res.writeHead(404).end(); return; }
      res.writeHead(200, { 'content-type': 'text/javascript', 'access-control-allow-origin': '*' }).end(readFileSync(new URL(name, lib)));
    });
    const cdnOrigin = await listen(cdn);
    // origin A: the portal's page
    const portalHtml = readFileSync(new URL('../../examples/portal/index.html', import.meta.url), 'utf8').replaceAll('__GUESTCHECK_ORIGIN__', cdnOrigin);
    const portal = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(portalHtml));
    const portalOrigin = await listen(portal);
    expect(portalOrigin).not.toBe(cdnOrigin);
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      await page.goto(portalOrigin + '/');
      const events = page.evaluate(() => new Promise<string[]>((resolve) => {
        const seen: string[] = [];
        for (const type of ['check-start', 'check-progress']) document.addEventListener(type, () => { if (!seen.includes(type)) seen.push(type); });
        document.addEventListener('check-complete', (e) => resolve([...seen, `check-complete:${(e as CustomEvent).detail.platform}`]), { once: true });
      }));
      await page.locator('image-check #file').setInputFiles(mbrExt3);
      expect(await events).toEqual(expect.arrayContaining(['check-start', 'check-complete:Linux']));
      expect((await item(page, 'OSVersion')).value).toMatch(/^Debian 12\.\d+$/);
      // the portal's slot text and theme reach the element
      expect(await page.locator('image-check [slot=intro]').innerText()).toMatch(/Drop your/);
      expect(await page.locator('image-check .about').isVisible()).toBe(false); // compact
      if (SHOTS) await page.screenshot({ path: join(SHOTS, 'portal.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      cdn.close();
      portal.close();
    }
  });
});
