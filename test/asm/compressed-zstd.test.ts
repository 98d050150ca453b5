// SPDX-License-Identifier: Apache-2.0
// .zst images read in place, frame by frame (asm/container/zstd-file.ts):
// made here with the zstd CLI (-19, a streamed frame without a content size,
// pzstd's independent frames, concatenated frames with a skippable frame).
// Reports equal the raw image's; ranges equal the raw bytes; damage is named.
// A single frame too large to hold whole: compressed-window.test.ts.
import { describe, it, expect } from 'vitest';
import { wrappedDisk } from '../helpers/same-report';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import zlib from 'node:zlib';
import { loadEngine } from '../helpers/engine';

const eng = await loadEngine();
const fixture = (p: string) => new Uint8Array(readFileSync(new URL(`../fixtures/${p}`, import.meta.url)));
const hasZstd = spawnSync('sh', ['-c', 'command -v zstd']).status === 0;
const hasPzstd = spawnSync('sh', ['-c', 'command -v pzstd']).status === 0;
const zstd = (input: Uint8Array, args: string[], cmd = 'zstd') =>
  new Uint8Array(execFileSync(cmd, [...args, '-q', '-c'], { input, maxBuffer: 1 << 30 }));

const raw = new Uint8Array(zlib.gunzipSync(fixture('partitions/mbr-logical.img.gz')));

const { report, rangesEqual } = await wrappedDisk(raw, 4242);
const rawReport = await report(raw);

const SKIP = hasZstd ? '' : ' (zstd not installed: skipped)';

describe('zstd (.zst images)' + SKIP, () => {
  const variants: [string, () => Uint8Array][] = [
    ['zstd -19 (one frame)', () => zstd(raw, ['-19'])],
    ['zstd -3 from a pipe (no content size, checksummed)', () => new Uint8Array(execFileSync('sh', ['-c', 'cat | zstd -3 -q -c'], { input: raw, maxBuffer: 1 << 30 }))],
    ['concatenated frames with a skippable frame', () => {
      const parts: Uint8Array[] = [];
      for (let off = 0; off < raw.length; off += 3 << 20) {
        parts.push(zstd(raw.subarray(off, off + (3 << 20)), ['-3', '--no-check']));
        parts.push(new Uint8Array([0x5e, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 9, 9]));
      }
      return new Uint8Array(Buffer.concat(parts));
    }],
  ];
  if (hasPzstd) variants.push(['pzstd -p 2 (independent frames)', () => zstd(raw, ['-p', '2', '-3'], 'pzstd')]);
  for (const [name, make] of variants) {
    it.skipIf(!hasZstd)(`${name}: reports as the raw image and reads the same bytes`, async () => {
      const b = make();
      const r = await report(b);
      expect(r.error).toBeUndefined();
      expect(r.compression).toBe('zstd');
      expect({ ...r, compression: undefined }).toEqual({ ...rawReport, compression: undefined });
      await rangesEqual(b, 40);
    });
  }

  it.skipIf(!hasPzstd)('pzstd output (a skippable frame first, then independent frames) reads at any offset', async () => {
    const big = new Uint8Array(40 << 20);
    big.set(raw); big.set(raw, 16 << 20);
    const b = zstd(big, ['-p', '2', '-1'], 'pzstd');
    const s = await eng.open([b]);
    const img = s.inspect();
    expect(img.virtualSize).toBe(big.length);
    const got = s.x.rawRead(-1, (16 << 20) + 1000, 1 << 20);
    expect(Buffer.from(got!).equals(Buffer.from(raw.subarray(1000, 1000 + (1 << 20))))).toBe(true);
  });

  it.skipIf(!hasZstd)('one frame over 64 MiB is read through the checkpoint index (compressed-window.test.ts has the rest)', async () => {
    const big = new Uint8Array(80 << 20);
    big.set(raw, 0);
    big.set(raw, 60 << 20);
    const s = await eng.open([zstd(big, ['-1'])]);
    expect(s.inspect()?.virtualSize, JSON.stringify(s.lastError())).toBe(big.length);
    expect(s.x.rawRead(-1, 40 << 20, 16)).toEqual(new Uint8Array(16));
    const got = s.x.rawRead(-1, (60 << 20) + 999, 1 << 20);
    expect(got && Buffer.from(got).equals(Buffer.from(raw.subarray(999, 999 + (1 << 20)))), JSON.stringify(s.lastError())).toBe(true);
  });

  it.skipIf(!hasZstd)('truncation and flipped bits are named, never a trap', async () => {
    const b = zstd(raw, ['-3']);
    for (const cut of [20, 40, b.length >> 1, b.length - 3]) {
      const s = await eng.open([b.subarray(0, cut)]);
      expect(s.inspect()).toBeNull();
      expect(s.lastError()!.code).toMatch(/^zstd\./);
    }
    let v = 99;
    for (let k = 0; k < 20; k++) {
      v = (v * 1103515245 + 12345) >>> 0;
      const d = b.slice();
      const at = 20 + (v % (d.length - 20));
      d[at] ^= 1 << (v % 8);
      const s = await eng.open([d]);
      const img = s.inspect();
      if (img === null) expect(s.lastError()!.code).toMatch(/^(zstd|compressed)\./);
      else {
        // the checksum catches what the structure does not, when the frame is read
        const got = s.x.rawRead(-1, 0, raw.length);
        if (got === null) expect(s.lastError()!.code).toMatch(/^zstd\./);
        else expect(Buffer.from(got).equals(Buffer.from(raw))).toBe(true);
      }
    }
  });
});
