// SPDX-License-Identifier: Apache-2.0
// The page cache (asm/io/page-cache.ts) seen from the host: every host read is
// logged, so these tests pin what a miss costs — one 4 KiB block for a small
// scattered read, one call per missing run, a readahead window that grows on
// a stream and stops at the page size, eviction under the budget — and what
// reads on demand cost above it: the FAT read a window at a time (fat32.img:
// a 268 KiB FAT) and a probe of an empty volume that reads the sectors the
// magic checks need, not 68 KiB rounded to pages.
import { describe, it, expect } from 'vitest';
import { loadEngine } from '../helpers/engine';
import type { HostFiles } from '../../src/engine/wasm';
import { fixture, fatGeom } from './disk-fixtures';

const eng = await loadEngine();

/** Deterministic bytes, so any misplaced block shows. */
function noise(n: number, seed = 1): Uint8Array {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; b[i] = x & 0xff; }
  return b;
}

/** In-memory files whose host reads are logged as [offset, length]; `shortAt` makes reads there return 0. */
function logged(buf: Uint8Array, shortAt = -1) {
  const log: [number, number][] = [];
  const files: HostFiles = {
    count: 1,
    size: () => buf.length,
    read(_id, off, dst) {
      log.push([off, dst.length]);
      if (shortAt >= 0 && off <= shortAt && shortAt < off + dst.length) return 0;
      const n = Math.min(dst.length, buf.length - off);
      dst.set(buf.subarray(off, off + n));
      return n;
    },
  };
  return { files, log };
}

async function session(buf: Uint8Array, opts: { pageShift?: number; cacheBytes?: number; shortAt?: number } = {}) {
  const { files, log } = logged(buf, opts.shortAt);
  const s = await eng.openHost(files, opts);
  expect(s.inspect()).not.toBeNull();
  log.length = 0; // what opening read is not what these tests measure
  return { s, log, raw: (off: number, len: number) => s.x.rawRead(-1, off, len) as Uint8Array | null };
}

const MiB = 1 << 20;

describe('page cache', () => {
  it('a small scattered read costs one 4 KiB block, and a second read of it none', async () => {
    const img = noise(8 * MiB);
    const { log, raw } = await session(img);
    expect(raw(3 * MiB + 100, 200)).toEqual(img.subarray(3 * MiB + 100, 3 * MiB + 300));
    expect(log).toEqual([[3 * MiB, 4096]]);
    expect(raw(3 * MiB + 1000, 24)).toEqual(img.subarray(3 * MiB + 1000, 3 * MiB + 1024));
    expect(log.length).toBe(1);
  });

  it('coalesces the missing blocks of one read into one host call, skipping cached ones', async () => {
    const img = noise(8 * MiB, 7);
    const { log, raw } = await session(img);
    raw(5 * MiB + 8192, 16); // block 2 of the region
    log.length = 0;
    // blocks 0..4: 0-1 and 3-4 are missing, 2 is cached
    expect(raw(5 * MiB + 10, 5 * 4096 - 20)).toEqual(img.subarray(5 * MiB + 10, 5 * MiB + 5 * 4096 - 10));
    // two calls around the cached block; the second continues the first, so it may read ahead
    expect(log.length).toBe(2);
    expect(log[0]).toEqual([5 * MiB, 8192]);
    expect(log[1][0]).toBe(5 * MiB + 12288);
    expect(log[1][1]).toBeGreaterThanOrEqual(8192);
    expect(log[1][1]).toBeLessThanOrEqual(16384);
  });

  it('reads ahead on a stream, the window doubling up to the page size (64 KiB)', async () => {
    const img = noise(8 * MiB, 3);
    const { log, raw } = await session(img);
    const start = 6 * MiB;
    for (let off = start; off < start + 512 * 1024; off += 4096) {
      expect(raw(off, 4096)).toEqual(img.subarray(off, off + 4096));
    }
    const sizes = log.map((r) => r[1]);
    expect(sizes.slice(0, 4)).toEqual([4096, 16384, 32768, 65536]);
    expect(Math.max(...sizes)).toBe(65536);
    // 128 reads of 4 KiB: a few calls, and no byte past what was asked but the last window
    expect(log.length).toBeLessThanOrEqual(11);
    const end = log[log.length - 1][0] + log[log.length - 1][1];
    expect(end - (start + 512 * 1024)).toBeLessThan(65536);
  });

  it('follows several interleaved streams at once', async () => {
    const img = noise(8 * MiB, 5);
    const { log, raw } = await session(img);
    const a = 2 * MiB, b = 4 * MiB, c = 6 * MiB;
    for (let i = 0; i < 64; i++) for (const base of [a, b, c]) raw(base + i * 4096, 4096);
    // 3 × 256 KiB, each stream reaching 64 KiB windows: far fewer than 192 calls
    expect(log.length).toBeLessThanOrEqual(3 * 8);
  });

  it('with pageShift 12 reads only what is asked (no readahead)', async () => {
    const img = noise(4 * MiB, 9);
    const { log, raw } = await session(img, { pageShift: 12 });
    for (let off = MiB; off < MiB + 64 * 1024; off += 4096) raw(off, 4096);
    expect(log.length).toBe(16);
    expect(log.every((r) => r[1] === 4096)).toBe(true);
  });

  it('keeps to its budget: the oldest blocks are dropped and read again', async () => {
    const img = noise(8 * MiB, 11);
    const { log, raw } = await session(img, { cacheBytes: 256 * 1024 });
    raw(MiB, 4096);
    for (let off = 2 * MiB; off < 3 * MiB; off += 4096) raw(off, 4096); // 1 MiB through a 256 KiB cache
    log.length = 0;
    raw(3 * MiB - 4096, 4096); // just read: still cached
    expect(log.length).toBe(0);
    expect(raw(MiB, 4096)).toEqual(img.subarray(MiB, MiB + 4096)); // evicted long ago
    expect(log.length).toBe(1);
  });

  it('returns the same bytes whatever the page size, for reads across block edges', async () => {
    const img = noise(MiB, 13);
    let x = 12345;
    const rnd = (n: number) => { x = (x * 1103515245 + 12345) & 0x7fffffff; return x % n; };
    const reads = Array.from({ length: 40 }, () => { const len = 1 + rnd(20000); return [rnd(img.length - len), len]; });
    for (const pageShift of [9, 12, 16, 20]) {
      const { raw } = await session(img, { pageShift, cacheBytes: 1 << 20 });
      for (const [off, len] of reads) expect(raw(off, len), `shift ${pageShift} at ${off}+${len}`).toEqual(img.subarray(off, off + len));
    }
  });

  it('a short host read is an I/O error naming the offset, not a hang', async () => {
    const img = noise(4 * MiB, 17);
    const { s, raw } = await session(img, { shortAt: 3 * MiB + 10 });
    expect(raw(3 * MiB, 100)).toBeNull();
    expect(s.lastError()).toMatchObject({ code: 'io.short-read' });
    expect(s.lastError()!.message).toContain('0x300000');
  });
});

describe('reads on demand above the cache', () => {
  it('fat32.img: opening it and reading a file reads a few 4 KiB windows of its 268 KiB FAT, not all of it', async () => {
    const img = fixture('fat/fat32.img.gz');
    const g = fatGeom(img);
    expect(g.fatBits).toBe(32);
    const fatStart = g.reservedSectors * g.bytesPerSector;
    const fatEnd = fatStart + g.fatBytes;
    const { files, log } = logged(img);
    const s = await eng.openHost(files);
    expect(s.inspect().volumes[0].fs).toBe('vfat');
    expect(new TextDecoder().decode(s.readFile(0, '/hello.txt')!)).toBe('hello, fat\n');
    // the probe's own stages cover [0, 68K); past them, only FAT windows the chains need
    const from = Math.max(fatStart, 68 * 1024);
    const inFat = log.reduce((a, [off, n]) => a + Math.max(0, Math.min(off + n, fatEnd) - Math.max(off, from)), 0);
    expect(g.fatBytes).toBeGreaterThan(200 * 1024);
    expect(inFat).toBeLessThanOrEqual(16 * 1024);
    // everything: the boot sector and probe, the FAT windows, the root directory and the file
    expect(s.stats().bytesRead).toBeLessThan(g.fatBytes / 2);
    // a file whose chain runs on still reads whole and right
    expect(s.readFile(0, '/fragmented.bin')).not.toBeNull();
  });

  it('an empty 1 MiB disk is sniffed and probed with the blocks the checks need: 40 KiB, where 192 KiB of pages were read', async () => {
    const { files, log } = logged(new Uint8Array(MiB));
    const s = await eng.openHost(files);
    const info = s.inspect();
    expect(info.volumes[0].fs ?? '').toBe('');
    const bytes = log.reduce((a, r) => a + r[1], 0);
    // the sniff [0,4K) and its footer check, the partition table [0,8K) (read
    // ahead to 20K as a stream), then the probe's [64K,68K), [28K,36K), [60K,64K)
    expect(bytes).toBeLessThanOrEqual(40 * 1024);
    expect(log.length).toBeLessThanOrEqual(6);
    // nothing between the blocks the magic checks look at: [20K,28K) and [36K,60K)
    expect(log.some(([off, n]) => off < 28 * 1024 && off + n > 20 * 1024)).toBe(false);
    expect(log.some(([off, n]) => off < 60 * 1024 && off + n > 36 * 1024)).toBe(false);
  });

  it('an ext4 volume is named by its first 4 KiB: the probe reads nothing past them', async () => {
    const img = fixture('ext/ext4-4k.img.gz');
    const { files, log } = logged(img);
    const s = await eng.openHost(files, { pageShift: 12 });
    expect(s.inspect().volumes[0].fs).toBe('ext4');
    // no read touches the probe's later stages at [4K, 68K) but the filesystem's own metadata
    const probeStages = log.filter(([off]) => off >= 60 * 1024 && off < 68 * 1024);
    expect(probeStages.length).toBe(0);
  });
});
