// SPDX-License-Identifier: Apache-2.0
// Reports of the same disk in different wrappings (gzip, zip, OVA, xz, zstd)
// must be equal except where the wrapping is named, and every byte read
// through the wrapping must equal the raw disk's.
import { expect } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Repair } from '../../src/report/types';
import { checkFiles } from '../../src/engine/check';
import { memoryFiles, type Instantiate } from '../../src/engine/wasm';
import { loadEngine } from './engine';

/** The repair script's header names the file the person gave. */
export function unnamed(r: Repair | undefined): Repair | undefined {
  return r && { ...r, script: r.script.replace(/^# guestcheck repair script for .*$/m, '# guestcheck repair script for (file)') };
}

/** report(buf): the report without what names the wrapping; rangesEqual(buf, n): n seeded random reads equal `raw`. */
export async function wrappedDisk(raw: Uint8Array, seed: number) {
  const build = new URL('../../build/', import.meta.url);
  const mod = await WebAssembly.compile(readFileSync(new URL('guestcheck.wasm', build)));
  const inst = (await import(/* @vite-ignore */ new URL('guestcheck.js', build).href)).instantiate as Instantiate;
  const eng = await loadEngine();
  async function report(buf: Uint8Array) {
    const { stats, ...r } = await checkFiles(inst, mod, memoryFiles([buf]), ['x']);
    void stats;
    // the container facts name the file and say to decompress it first: they differ by design
    const { compression, container, ...image } = r.image;
    void container;
    return { ...r, image, compression, repair: unnamed(r.repair) };
  }
  async function rangesEqual(buf: Uint8Array, n: number) {
    const s = await eng.open([buf]);
    expect(s.inspect()?.virtualSize).toBe(raw.length);
    let v = seed;
    for (let k = 0; k < n; k++) {
      v = (v * 1103515245 + 12345) >>> 0;
      const len = 1 + (v % 3_000_000);
      const off = (v * 13) % (raw.length - len);
      const got = s.x.rawRead(-1, off, len);
      expect(got && Buffer.from(got).equals(Buffer.from(raw.subarray(off, off + len))), `${off}+${len}: ${JSON.stringify(s.lastError())}`).toBe(true);
    }
  }
  return { report, rangesEqual, eng };
}
