// SPDX-License-Identifier: Apache-2.0
// The same checks in headless Chromium (Debian's /usr/bin/chromium, never a
// downloaded build) on the built page (dist/app, served by vite preview): the
// image is chosen through the element's file input and checked in its
// worker; the time is the element's check-start to check-complete, the bytes,
// read calls and wasm memory come from the report's stats.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = '/usr/bin/chromium';

export interface BrowserRun { ms: number; bytesRead: number; readCalls: number; peakWasmBytes: number; os: string; error?: string }

export class Browser {
  private server: { close(): Promise<void> | void; resolvedUrls: { local: string[] } | null } | undefined;
  private ctx: import('playwright-core').BrowserContext | undefined;
  private profile = '';
  url = '';

  static available(root: string): string | null {
    if (!existsSync(CHROMIUM)) return `${CHROMIUM} is not installed`;
    if (!existsSync(join(root, 'dist/app/index.html'))) return 'dist/app is not built (npm run build:app)';
    return null;
  }

  async start(root: string): Promise<void> {
    const { preview } = await import('vite');
    const { chromium } = await import('playwright-core');
    const s = await preview({ root, preview: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
    this.server = s as unknown as typeof this.server;
    this.url = s.resolvedUrls!.local[0];
    this.profile = mkdtempSync(join(tmpdir(), 'gc-bench-chromium-'));
    this.ctx = await chromium.launchPersistentContext(this.profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  }

  /** One check of `path` in a fresh page (a fresh worker, as a person's next check). */
  async run(path: string, timeoutMs: number): Promise<BrowserRun> {
    const page = await this.ctx!.newPage();
    try {
      await page.goto(this.url);
      await page.evaluate(() => {
        const w = window as unknown as { __bench: Promise<unknown> };
        w.__bench = new Promise((resolve) => {
          let t0 = 0;
          document.addEventListener('check-start', () => { t0 = performance.now(); });
          document.addEventListener('check-complete', (e) => {
            const r = (e as CustomEvent).detail as { stats: { bytesRead: number; readCalls: number; peakWasmBytes: number }; findings: { name: string; value: string }[]; error?: { code: string } };
            resolve({
              ms: performance.now() - t0, bytesRead: r.stats.bytesRead, readCalls: r.stats.readCalls, peakWasmBytes: r.stats.peakWasmBytes,
              os: r.findings.find((f) => f.name === 'OSVersion')?.value ?? '-', ...(r.error ? { error: r.error.code } : {}),
            });
          });
        });
      });
      await page.locator('image-check #file').setInputFiles(path);
      return await page.evaluate(
        (ms) => Promise.race([(window as unknown as { __bench: Promise<unknown> }).__bench,
          new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), ms))]), timeoutMs) as BrowserRun;
    } finally {
      await page.close();
    }
  }

  async stop(): Promise<void> {
    await this.ctx?.close();
    await this.server?.close();
    if (this.profile) rmSync(this.profile, { recursive: true, force: true });
  }
}
