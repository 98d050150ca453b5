// SPDX-License-Identifier: Apache-2.0
// .xz images read in place, block by block: fixtures from
// test/fixtures/recipes/compressed.sh (xz --block-size, CRC-64 and CRC-32);
// single-block files, BCJ filters and concatenated streams are made here
// with xz when it is installed. Reports equal the raw image's; ranges read
// through the engine equal the raw bytes; damage is named.
import { describe, it, expect } from 'vitest';
import { wrappedDisk } from '../helpers/same-report';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import zlib from 'node:zlib';
import { loadEngine } from '../helpers/engine';

const eng = await loadEngine();
const fixture = (p: string) => new Uint8Array(readFileSync(new URL(`../fixtures/${p}`, import.meta.url)));
const hasXz = spawnSync('sh', ['-c', 'command -v xz']).status === 0;
const xz = (input: Uint8Array, args: string[]) => new Uint8Array(execFileSync('xz', ['-c', ...args], { input, maxBuffer: 1 << 30 }));

const raw = new Uint8Array(zlib.gunzipSync(fixture('partitions/mbr-logical.img.gz')));

const { report, rangesEqual } = await wrappedDisk(raw, 777);
const rawReport = await report(raw);

describe('xz', () => {
  for (const f of ['compressed/mbr-logical-blocks.img.xz', 'compressed/mbr-logical-crc32.img.xz']) {
    it(`${f} reports as the raw image and reads the same bytes`, async () => {
      const b = fixture(f);
      const r = await report(b);
      expect(r.error).toBeUndefined();
      expect(r.compression).toBe('xz');
      expect({ ...r, compression: undefined }).toEqual({ ...rawReport, compression: undefined });
      await rangesEqual(b, 40);
    });
  }

  it.skipIf(!hasXz)('one block of ≤ 64 MiB (plain xz) and concatenated streams with padding (xz is installed)', async () => {
    const single = xz(raw, ['-6', '-T1']);
    await rangesEqual(single, 20);
    const a = xz(raw.subarray(0, 5 << 20), ['-1', '--block-size=3MiB']);
    const b = xz(raw.subarray(5 << 20), ['-3', '-C', 'crc32']);
    const cat = new Uint8Array(Buffer.concat([a, Buffer.alloc(8), b, Buffer.alloc(4)]));
    await rangesEqual(cat, 30);
  });

  it.skipIf(!hasXz)('a single block over 64 MiB is read through the checkpoint index (compressed-window.test.ts has the rest)', async () => {
    const big = new Uint8Array(80 << 20);
    big.set(raw, 0);
    big.set(raw, 60 << 20);
    const s = await eng.open([xz(big, ['-0', '-T1'])]);
    expect(s.inspect()?.virtualSize, JSON.stringify(s.lastError())).toBe(big.length);
    expect(s.x.rawRead(-1, 40 << 20, 16)).toEqual(new Uint8Array(16));
    const got = s.x.rawRead(-1, (60 << 20) + 999, 1 << 20);
    expect(got && Buffer.from(got).equals(Buffer.from(raw.subarray(999, 999 + (1 << 20)))), JSON.stringify(s.lastError())).toBe(true);
  });

  it.skipIf(!hasXz)('a BCJ filter is named as not supported', async () => {
    const s = await eng.open([xz(raw, ['--x86', '--lzma2=preset=1'])]);
    s.inspect();
    const e = s.lastError();
    expect(e).toMatchObject({ kind: 'unsupported', code: 'xz.filter' });
  });

  it('damage: truncation, a flipped byte in the data, a bad index CRC', async () => {
    const good = fixture('compressed/mbr-logical-blocks.img.xz');
    const err = async (b: Uint8Array) => {
      const s = await eng.open([b]);
      const img = s.inspect();
      if (img !== null) {
        // the damage is in a block no one has read yet: reading everything finds it
        expect(s.x.rawRead(-1, 0, raw.length)).toBeNull();
      }
      return s.lastError()!;
    };
    expect((await err(good.subarray(0, good.length - 5))).code).toMatch(/^xz\.(footer|truncated)/);
    for (let k = 0; k < 30; k++) {
      const b = good.slice();
      const at = 40 + ((k * 131) % (good.length - 200));
      b[at] ^= 0x55;
      expect((await err(b)).code, `byte ${at}`).toMatch(/^(xz|io)\./);
    }
    const idx = good.slice();
    idx[good.length - 14] ^= 1; // last byte of the index CRC
    expect((await err(idx)).code).toBe('xz.index-crc');
  });
});
