// SPDX-License-Identifier: Apache-2.0
// The CLI under a broken engine: a trap, the memory cap and a worker that
// stops answering each exit 2 with a message naming the image and the phase,
// promptly. The CLI's own main() runs with its wasm folder pointed at a
// test-only stand-in engine (broken-engine.ts); the shipped bin has no such switch.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { scratchDir } from '../helpers/scratch';
import { buildBrokenEngine, type Breakage } from './broken-engine';

const dir = scratchDir('gc-cli-broken-');
const mainJs = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const img = join(dir, 'disk.img');
writeFileSync(img, new Uint8Array(1 << 20));

async function runWith(kind: Breakage, ...args: string[]) {
  const wasmDir = join(dir, kind) + '/';
  await buildBrokenEngine(kind, wasmDir);
  const script = `import { main } from ${JSON.stringify(pathToFileURL(mainJs).href)};
process.exit(await main(${JSON.stringify([img, ...args])}, new URL(${JSON.stringify(pathToFileURL(wasmDir).href)})));`;
  const file = join(dir, `run-${kind}.mjs`);
  writeFileSync(file, script);
  const t = performance.now();
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 });
  return { ...r, ms: performance.now() - t };
}

describe('the CLI when the engine breaks', () => {
  it('a wasm trap exits 2 with the image, the phase and the trap', async () => {
    const r = await runWith('trap');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^guestcheck: guestcheck stopped while opening the image of disk\.img: the engine failed \(memory access out of bounds\)/m);
  });

  it('the wasm memory cap exits 2 naming the limit', async () => {
    const r = await runWith('oom', '--json');
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout).error.code).toBe('limit.memory');
  });

  it('a polling runaway ends at --time-budget with limit.time', async () => {
    const r = await runWith('poll', '--time-budget', '0.5', '--json');
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout).error).toEqual({ code: 'limit.time', message: 'guestcheck stopped while opening the image of disk.img: the check ran over its time budget of 0.5 s' });
  });

  it('a loop that never polls is ended by the watchdog after the budget and its grace', async () => {
    const r = await runWith('spin', '--time-budget', '1');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^guestcheck stopped while opening the image of disk\.img: the check ran over its time budget of 1 s and did not stop by itself$/m);
    expect(r.ms).toBeLessThan(15_000);
  });

  it('--time-budget needs a number', async () => {
    const r = spawnSync(process.execPath, [fileURLToPath(new URL('../../bin/guestcheck.js', import.meta.url)), img, '--time-budget', 'soon'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--time-budget takes a number of seconds/);
  });
});
