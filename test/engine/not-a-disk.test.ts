// SPDX-License-Identifier: Apache-2.0
// An installer disc given instead of a disk is not an unreadable file: the
// report names what it is, and SystemImage fails with the fix (CHECKS.md).
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import zlib from 'node:zlib';
import { checkFiles } from '../../src/engine/check';
import { memoryFiles, type Instantiate } from '../../src/engine/wasm';

const build = new URL('../../build/', import.meta.url);
const mod = await WebAssembly.compile(readFileSync(new URL('guestcheck.wasm', build)));
const inst = (await import(/* @vite-ignore */ new URL('guestcheck.js', build).href)).instantiate as Instantiate;
const fixture = (p: string) => new Uint8Array(zlib.gunzipSync(readFileSync(new URL(`../fixtures/${p}`, import.meta.url))));

describe('not a system disk', () => {
  for (const [file, fs] of [['cd.iso', 'iso9660'], ['udf.img', 'udf']]) {
    it(`${file} (made by ${fs === 'udf' ? 'mkudffs' : 'xorriso'}): SystemImage fails as ISO, naming the ${fs} volume`, async () => {
      const r = await checkFiles(inst, mod, memoryFiles([fixture(`probe/${file}.gz`)]), [file]);
      expect(r.error).toBeUndefined();
      expect(r.image.volumes[0].fs).toBe(fs);
      const si = r.findings.find((f) => f.name === 'SystemImage')!;
      expect(si).toMatchObject({ status: 'fail', value: 'ISO', riskLevel: 'High', riskCode: 'SystemImage.IsISO' });
      expect(si.evidence[0].text).toBe(`${fs} filesystem`);
    });
  }
});
