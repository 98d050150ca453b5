// SPDX-License-Identifier: Apache-2.0
// The zstd decoder against the zstd CLI: text, random and fixture inputs at
// levels 1/3/19/--ultra -22 (small windows), --long, multi-frame and
// checksummed files, and damaged streams, which must fail with a named zstd
// error — never trap, never hang.
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import zlib from 'node:zlib';
import { loadEngine } from '../helpers/engine';
import { same, rand, randomBytes } from '../helpers/bytes';

const eng = await loadEngine();
const s = await eng.open([new Uint8Array(512)]);
const x = s.x as any;

function hasZstd(): boolean {
  try { execFileSync('zstd', ['--version']); return true; } catch { return false; }
}
const ZSTD = hasZstd();

function compress(data: Uint8Array, args: string[]): Uint8Array {
  return new Uint8Array(execFileSync('zstd', ['-q', '-c', ...args], { input: data, maxBuffer: 1 << 28 }));
}
function decode(src: Uint8Array, dstLen: number): Uint8Array | null {
  const r = x.codecZstd(src, dstLen);
  return r === null ? null : new Uint8Array(r);
}
function text(n: number, seed: number): Uint8Array {
  const words = ['the', 'kernel', 'boot', 'grub', 'initramfs', 'disk', 'qcow2', 'zstd', 'frame', 'block', 'sequence', 'literal', '\n', 'offset', 'window'];
  const r = rand(seed); const parts: string[] = []; let len = 0;
  while (len < n) { const w = words[r() % words.length] + (r() % 7 === 0 ? String(r() % 1000) : '') + ' '; parts.push(w); len += w.length; }
  return new TextEncoder().encode(parts.join('').slice(0, n));
}

const inputs: [string, Uint8Array][] = [
  ['empty', new Uint8Array(0)],
  ['one byte', new Uint8Array([42])],
  ['zeros 1 MiB', new Uint8Array(1 << 20)],
  ['text 300 KiB', text(300_000, 1)],
  ['random 200 KiB', randomBytes(200_000, 2)],
  ['small alphabet 500 KiB', randomBytes(500_000, 3, 5)],
  ['mixed', (() => { const a = text(400_000, 4); a.set(randomBytes(50_000, 5), 100_000); return a; })()],
];
const fixtureDir = 'test/fixtures/partitions';
if (existsSync(fixtureDir)) {
  for (const f of readdirSync(fixtureDir).filter((n) => n.endsWith('.img.gz')).slice(0, 2)) {
    inputs.push([f, new Uint8Array(zlib.gunzipSync(readFileSync(`${fixtureDir}/${f}`)))]);
  }
}
const levels: string[][] = [['-1'], ['-3'], ['-19'], ['--ultra', '-22', '--zstd=wlog=17'], ['--long=20', '-3'], ['-3', '--no-check'], ['--fast=5'], ['-9', '--zstd=wlog=10']];

describe.skipIf(!ZSTD)('zstd decoder vs the zstd CLI' + (ZSTD ? '' : ' (zstd not installed: skipped)'), () => {
  for (const [name, data] of inputs) {
    it(`decodes ${name} at every level`, () => {
      for (const lv of levels) {
        const c = compress(data, lv);
        const got = decode(c, data.length);
        if (!same(got, data)) throw new Error(`${name} ${lv.join(' ')}: ${got === null ? JSON.stringify(s.lastError()) : 'mismatch'}`);
      }
    });
  }

  it('decodes concatenated frames and skips skippable frames', () => {
    const a = text(100_000, 7), b = randomBytes(30_000, 8);
    const skip = new Uint8Array([0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
    const c = Buffer.concat([compress(a, ['-3']), skip, compress(b, ['-1'])]);
    expect(same(decode(new Uint8Array(c), 130_000), Buffer.concat([a, b]))).toBe(true);
  });

  it('refuses output larger than the room given', () => {
    const c = compress(text(50_000, 9), ['-3']);
    expect(decode(c, 49_999)).toBeNull();
    expect(s.lastError()?.code).toBe('zstd.too-large');
  });

  it('fails damaged streams with a named error, never a trap', () => {
    const data = text(200_000, 10);
    data.set(randomBytes(20_000, 11, 16), 50_000);
    for (const lv of [['-3'], ['-19'], ['-1', '--no-check']]) {
      const c = compress(data, lv);
      const r = rand(12);
      let failed = 0;
      for (let k = 0; k < 300; k++) {
        const d = new Uint8Array(c);
        const at = 4 + (r() % (d.length - 4));
        d[at] ^= 1 << (r() % 8);
        const got = decode(d, data.length);
        if (got === null) {
          failed++;
          expect(s.lastError()?.code).toMatch(/^zstd\./);
        }
      }
      if (lv[1] !== '--no-check') expect(failed).toBeGreaterThan(250);
      for (const cut of [1, 5, 13, c.length >> 1, c.length - 5, c.length - 1]) {
        expect(decode(c.subarray(0, cut), data.length)).toBeNull();
        expect(s.lastError()?.code).toMatch(/^zstd\./);
      }
    }
  });

  it('says a dictionary is not supported', () => {
    const c = new Uint8Array(compress(text(1000, 13), ['-3']));
    // rewrite the header to name dictionary 7 (DID flag 1, one byte)
    const fhd = c[4];
    const withDict = new Uint8Array(c.length + 1);
    withDict.set(c.subarray(0, 4));
    withDict[4] = fhd | 1;
    const hdrLen = 5 + ((fhd & 0x20) ? 0 : 1);
    withDict.set(c.subarray(5, hdrLen), 5);
    withDict[hdrLen] = 7;
    withDict.set(c.subarray(hdrLen), hdrLen + 1);
    expect(decode(withDict, 2000)).toBeNull();
    expect(s.lastError()?.code).toBe('zstd.dictionary');
  });
});
