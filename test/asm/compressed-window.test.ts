// SPDX-License-Identifier: Apache-2.0
// One zstd frame or one xz block holding a whole disk image — what plain
// `zstd FILE` and single-threaded `xz FILE` write — read in place through the
// checkpoint index inside the stream (asm/codec/window-index.ts). The images
// are made here: a sparse raw disk (debian12-gpt at 0, mbr-logical high up),
// compressed by the real zstd / xz with the usual options. Reports equal the
// raw image's, random ranges equal the raw bytes, a small memory budget
// thins the checkpoints and still reads right, and damage is named.
import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, openSync, readFileSync, readSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { checkFiles } from '../../src/engine/check';
import type { Instantiate } from '../../src/engine/wasm';
import { loadEngine, diskFiles } from '../helpers/engine';
import { unnamed } from '../helpers/same-report';
import { scratchDir } from '../helpers/scratch';

const eng = await loadEngine();
const build = new URL('../../build/', import.meta.url);
const mod = await WebAssembly.compile(readFileSync(new URL('guestcheck.wasm', build)));
const inst = (await import(/* @vite-ignore */ new URL('guestcheck.js', build).href)).instantiate as Instantiate;
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const hasZstd = has('zstd'), hasXz = has('xz');
const dir = scratchDir('gc-window-');
const fixture = (p: string) => zlib.gunzipSync(readFileSync(new URL(`../fixtures/${p}`, import.meta.url)));

/** A sparse raw disk of `size` bytes with the fixtures written at their offsets. */
function sparseDisk(name: string, size: number, parts: [string, number][]): string {
  const path = join(dir, name);
  const fd = openSync(path, 'w');
  ftruncateSync(fd, size);
  for (const [f, at] of parts) {
    const b = fixture(f);
    writeSync(fd, b, 0, b.length, at);
  }
  closeSync(fd);
  return path;
}

function compress(raw: string, tool: string, args: string[], name: string): string {
  const out = join(dir, name);
  execFileSync('sh', ['-c', `${tool} ${args.join(' ')} -c < '${raw}' > '${out}'`]);
  return out;
}

async function reportOf(path: string) {
  const files = diskFiles([path]);
  try {
    const { stats, ...r } = await checkFiles(inst, mod, files, ['x']);
    void stats;
    const { compression, container, ...image } = r.image;
    void container;
    return { ...r, image, compression, repair: unnamed(r.repair) };
  } finally {
    files.close();
  }
}

function rand(seed: number) {
  let v = seed;
  return () => (v = (v * 1103515245 + 12345) >>> 0);
}

/** n seeded random ranges (and the given ones) of the compressed image equal the raw file's bytes. */
async function rangesEqual(comp: string, raw: string, n: number, seed: number, fixed: [number, number][] = [], budget = 0, spacing = 0) {
  const files = diskFiles([comp]);
  const fd = openSync(raw, 'r');
  try {
    const s = await eng.openHost(files);
    if (budget) (s.x as any).codecConfigureWindowIndex(budget, spacing);
    const size = statSync(raw).size;
    expect(s.inspect()?.virtualSize, JSON.stringify(s.lastError())).toBe(size);
    const r = rand(seed);
    const ranges: [number, number][] = [...fixed];
    for (let k = 0; k < n; k++) {
      const len = 1 + (r() % (k % 8 === 0 ? 3 << 20 : 70_000));
      ranges.push([(r() * 4096 + (r() & 4095)) % (size - len), len]);
    }
    for (const [off, len] of ranges) {
      const got = s.x.rawRead(-1, off, len);
      const want = Buffer.alloc(len);
      readSync(fd, want, 0, len, off);
      expect(got && Buffer.from(got).equals(want), `${off}+${len}: ${JSON.stringify(s.lastError())}`).toBe(true);
    }
    return JSON.parse((s.x as any).codecWindowIndexJson());
  } finally {
    closeSync(fd);
    files.close();
  }
}

const GiB = 1 << 30, MiB = 1 << 20;
// zstd is fast enough for a 1 GiB disk; xz (≈ 80 MB/s on zeros) gets 384 MiB
const bigRaw = hasZstd ? sparseDisk('big.raw', GiB, [['guest/debian12-gpt.img.gz', 0], ['partitions/mbr-logical.img.gz', 900 * MiB]]) : '';
const midRaw = hasXz || hasZstd ? sparseDisk('mid.raw', 384 * MiB, [['guest/debian12-gpt.img.gz', 0], ['partitions/mbr-logical.img.gz', 300 * MiB]]) : '';
// 128 MiB, just over the 64 MiB a block is decoded whole: the slower xz variants and the damage
const smallRaw = hasXz || hasZstd ? sparseDisk('small.raw', 128 * MiB, [['partitions/mbr-logical.img.gz', 0], ['partitions/mbr-logical.img.gz', 100 * MiB]]) : '';
const edges = (size: number, high: number): [number, number][] => [
  [0, 4096], [size - 4096, 4096], [size - 1, 1], [high - 5000, 70_000], [high + (7 << 20), 1 << 20], [Math.min(255 * MiB, size - 2 * MiB), 2 * MiB],
];

describe('one zstd frame larger than 64 MiB' + (hasZstd ? '' : ' (zstd not installed: skipped)'), () => {
  const rawReport = hasZstd ? reportOf(bigRaw) : Promise.resolve(null);
  const variants: [string, string[]][] = [
    ['plain zstd (-3)', ['-3']],
    ['zstd -19', ['-19']],
    ['zstd --long=27 (a 128 MiB window)', ['--long=27', '-3']],
  ];
  for (const [name, args] of variants) {
    it.skipIf(!hasZstd)(`${name}: reports as the raw image and reads the same bytes`, async () => {
      const z = compress(bigRaw, 'zstd', [...args, '-q'], 'big.zst');
      const head = readFileSync(z).subarray(0, 18);
      expect(head.readUInt32LE(0)).toBe(0xfd2fb528);
      const r = await reportOf(z);
      expect(r.error).toBeUndefined();
      expect(r.compression).toBe('zstd');
      expect({ ...r, compression: undefined }).toEqual({ ...(await rawReport)!, compression: undefined });
      const st = await rangesEqual(z, bigRaw, 60, 31, edges(GiB, 900 * MiB));
      expect(st.points).toBeGreaterThan(8);
      expect(st.indexBytes).toBeLessThan(256 * MiB);
    }, 120_000);
  }

  it.skipIf(!hasZstd)('a streamed frame (no content size in its header, from a pipe) reads the same bytes', async () => {
    const z = join(dir, 'pipe.zst');
    execFileSync('sh', ['-c', `cat '${midRaw}' | zstd -3 -q -c > '${z}'`]);
    await rangesEqual(z, midRaw, 40, 5, edges(384 * MiB, 300 * MiB));
  }, 120_000);

  it.skipIf(!hasZstd)('frames after a large one (a small frame, a skippable frame, a larger window) are found by the pass', async () => {
    // big.raw in parts: 384 MiB as one -3 frame, 16 MiB as a small frame that says its size, a skippable
    // frame, the rest with --long=27 (a 128 MiB window: the pass grows its buffer)
    const out = join(dir, 'cat.zst');
    const part = (from: number, len: number, name: string) => {
      execFileSync('sh', ['-c', `dd if='${bigRaw}' of='${join(dir, name)}' bs=1M skip=${from / MiB} count=${len / MiB} status=none`]);
      return join(dir, name);
    };
    const a = part(0, 384 * MiB, 'a.raw'), b = part(384 * MiB, 16 * MiB, 'b.raw'), c = part(400 * MiB, 624 * MiB, 'c.raw');
    execFileSync('sh', ['-c', `{ zstd -3 -q -c '${a}'; zstd -1 -q -c '${b}'; printf '\\120\\052\\115\\030\\003\\000\\000\\000abc'; zstd --long=27 -3 -q -c '${c}'; } > '${out}'`]);
    execFileSync('sh', ['-c', `rm -f '${a}' '${b}' '${c}'`]);
    const st = await rangesEqual(out, bigRaw, 40, 77, [[384 * MiB - 100, 200], [400 * MiB - 100, 200], ...edges(GiB, 900 * MiB)]);
    expect(st.bufferBytes).toBeGreaterThan(128 * MiB);
  }, 180_000);

  it.skipIf(!hasZstd || !has('qemu-img'))('a qcow2 with zstd clusters inside a streamed zstd frame reads the same bytes', async () => {
    // debian12-gpt as qcow2 -c with zstd clusters (≈ 20 MiB, more than the decoded-page cache), then
    // zstd from a pipe: the frame does not say its size, so it goes through the index
    const raw = join(dir, 'gpt.raw'), q = join(dir, 'gpt.qcow2'), out = join(dir, 'gpt.qcow2.zst');
    writeFileSync(raw, fixture('guest/debian12-gpt.img.gz'));
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', '-c', '-o', 'compression_type=zstd', raw, q]);
    execFileSync('sh', ['-c', `cat '${q}' | zstd -3 -q -c > '${out}'`]);
    const st = await rangesEqual(out, raw, 80, 41, [[0, 1 << 20], [200 * MiB, 3 * MiB]]);
    expect(st.points).toBeGreaterThan(2);
  }, 120_000);

  it.skipIf(!hasZstd)('another zstd decode between reads (a qcow2 cluster, a btrfs extent) does not disturb the index: its tables are put back', async () => {
    const z = compress(midRaw, 'zstd', ['-19', '-q'], 'shared.zst');
    const files = diskFiles([z]);
    const fd = openSync(midRaw, 'r');
    try {
      const s = await eng.openHost(files);
      expect(s.inspect()?.virtualSize).toBe(384 * MiB);
      const other = new Uint8Array(execFileSync('zstd', ['-19', '-q', '-c'], { input: fixture('partitions/mbr-logical.img.gz').subarray(0, 1 << 20) }));
      // sequential reads through debian12-gpt's root filesystem: each goes on from where the last stopped
      for (let off = 100 * MiB; off < 112 * MiB; off += 48 << 10) {
        expect((s.x as any).codecZstd(other, 1 << 20)).not.toBeNull();
        const got = s.x.rawRead(-1, off, 48 << 10);
        const want = Buffer.alloc(48 << 10);
        readSync(fd, want, 0, want.length, off);
        expect(got && Buffer.from(got).equals(want), `${off}: ${JSON.stringify(s.lastError())}`).toBe(true);
      }
    } finally {
      closeSync(fd);
      files.close();
    }
  }, 120_000);

  it.skipIf(!hasZstd)('a small memory budget thins the checkpoints and still reads the same bytes', async () => {
    // debian12-gpt's data fills many window pages: thinning must free the shared ones right
    const z = compress(midRaw, 'zstd', ['-3', '-q'], 'thin.zst');
    const st = await rangesEqual(z, midRaw, 60, 8, edges(384 * MiB, 300 * MiB), 3 * MiB, 64 << 10);
    expect(st.spacing).toBeGreaterThan(64 << 10);
    expect(st.indexBytes).toBeLessThan(4 * MiB);
    expect(st.points).toBeGreaterThan(2);
  }, 120_000);

  it.skipIf(!hasZstd)('reports the index pass as progress (compressed bytes done of the file size)', async () => {
    const z = compress(midRaw, 'zstd', ['-3', '-q'], 'progress.zst');
    const size = readFileSync(z).length;
    const seen: { phase: string; bytesRead: number; total?: number }[] = [];
    const files = diskFiles([z]);
    await checkFiles(inst, mod, files, ['x.zst'], { onProgress: (p) => seen.push(p) });
    files.close();
    const d = seen.filter((p) => p.phase === 'decompressing');
    expect(d.length).toBeGreaterThan(3);
    expect(d.every((p) => p.total === size && p.bytesRead > 0 && p.bytesRead <= size)).toBe(true);
    expect(d.map((p) => p.bytesRead)).toEqual([...d.map((p) => p.bytesRead)].sort((a, b) => a - b));
    expect(d[d.length - 1].bytesRead).toBe(size);
  }, 120_000);

  it.skipIf(!hasZstd)('damage mid-frame, truncation and an absurd window are named errors, never a trap', async () => {
    const good = new Uint8Array(readFileSync(compress(smallRaw, 'zstd', ['-3', '-q'], 'bad.zst')));
    const open = async (b: Uint8Array) => {
      const s = await eng.open([b]);
      const img = s.inspect();
      return { img, e: s.lastError() };
    };
    for (const cut of [good.length >> 1, good.length - 3, 100]) {
      const { img, e } = await open(good.subarray(0, cut));
      expect(img).toBeNull();
      expect(e!.code).toMatch(/^zstd\./);
    }
    const r = rand(3);
    for (let k = 0; k < 12; k++) {
      const b = good.slice();
      const at = 64 + (r() % (b.length - 128));
      b[at] ^= 1 << (r() % 8);
      const { img, e } = await open(b);
      // the pass decodes the whole frame and checks its XXH64: every flip is caught at open
      expect(img, `flip at ${at}`).toBeNull();
      expect(e!.code, `flip at ${at}`).toMatch(/^zstd\./);
    }
    // window descriptor (byte 5) of 2^31: beyond what the index holds
    const wide = good.slice();
    expect(wide[4] & 0x20).toBe(0); // not a single-segment frame: the descriptor is there
    wide[5] = (31 - 10) << 3;
    const { img, e } = await open(wide);
    expect(img).toBeNull();
    expect(e, JSON.stringify(e)).toMatchObject({ kind: "limit", code: "zstd.window-too-large" });
  }, 120_000);
});

/** CRC-32 (IEEE) for patching an xz block header. */
function crc32(b: Uint8Array): number {
  let c = ~0;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

describe('one xz block larger than 64 MiB' + (hasXz ? '' : ' (xz not installed: skipped)'), () => {
  const variants: [string, string[], string, number, number][] = [
    ['plain xz (-6, one block)', ['-6', '-T1'], midRaw, 384 * MiB, 300 * MiB],
    ['xz -9 (a 64 MiB dictionary)', ['-9', '-T1'], smallRaw, 128 * MiB, 100 * MiB],
    ['xz -e', ['-6e', '-T1'], smallRaw, 128 * MiB, 100 * MiB],
  ];
  const rawReports = new Map<string, Promise<any>>();
  for (const [name, args, raw, size, high] of variants) {
    it.skipIf(!hasXz)(`${name}: reports as the raw image and reads the same bytes`, async () => {
      if (!rawReports.has(raw)) rawReports.set(raw, reportOf(raw));
      const x = compress(raw, 'xz', args, 'one.xz');
      const r = await reportOf(x);
      expect(r.error).toBeUndefined();
      expect(r.compression).toBe('xz');
      expect({ ...r, compression: undefined }).toEqual({ ...(await rawReports.get(raw)), compression: undefined });
      const st = await rangesEqual(x, raw, 50, 17, edges(size, high));
      expect(st.points).toBeGreaterThan(4);
      expect(st.indexBytes).toBeLessThan(256 * MiB);
    }, 180_000);
  }

  it.skipIf(!hasXz)('reports the index pass as progress (compressed bytes done of the file size)', async () => {
    const x = compress(smallRaw, 'xz', ['-0', '-T1'], 'progress.xz');
    const size = readFileSync(x).length;
    const seen: { phase: string; bytesRead: number; total?: number }[] = [];
    const files = diskFiles([x]);
    await checkFiles(inst, mod, files, ['x.xz'], { onProgress: (p) => seen.push(p) });
    files.close();
    const d = seen.filter((p) => p.phase === 'decompressing');
    expect(d.length).toBeGreaterThan(3);
    expect(d.every((p) => p.total === size && p.bytesRead > 0 && p.bytesRead <= size)).toBe(true);
    expect(d.map((p) => p.bytesRead)).toEqual([...d.map((p) => p.bytesRead)].sort((a, b) => a - b));
  }, 120_000);

  it.skipIf(!hasXz)('blocks larger than 64 MiB with others after them (xz --block-size=80MiB) read the same bytes', async () => {
    const x = compress(smallRaw, 'xz', ['-1', '-T1', '--block-size=80MiB'], 'blocks.xz');
    await rangesEqual(x, smallRaw, 40, 23, [[80 * MiB - 3000, 9000], [100 * MiB - 1, 2], [128 * MiB - 10, 10]]);
  }, 120_000);

  it.skipIf(!hasXz)('a small memory budget thins the checkpoints and still reads the same bytes', async () => {
    const x = compress(smallRaw, 'xz', ['-6', '-T1'], 'thin.xz');
    const st = await rangesEqual(x, smallRaw, 50, 9, edges(128 * MiB, 100 * MiB), 1 * MiB, 16 << 10);
    expect(st.spacing).toBeGreaterThan(16 << 10);
    expect(st.indexBytes).toBeLessThan(2 * MiB);
    expect(st.points).toBeGreaterThan(2);
  }, 120_000);

  it.skipIf(!hasXz)('damage mid-block, truncation and an absurd dictionary are named errors, never a trap', async () => {
    const good = new Uint8Array(readFileSync(compress(smallRaw, 'xz', ['-1', '-T1'], 'bad.xz')));
    const open = async (b: Uint8Array) => {
      const s = await eng.open([b]);
      const img = s.inspect();
      return { img, e: s.lastError() };
    };
    for (const cut of [good.length >> 1, good.length - 5]) {
      const { img, e } = await open(good.subarray(0, cut));
      expect(img).toBeNull();
      expect(e!.code).toMatch(/^xz\./);
    }
    const r = rand(4);
    for (let k = 0; k < 8; k++) {
      const b = good.slice();
      const at = 64 + (r() % (b.length - 200));
      b[at] ^= 1 << (r() % 8);
      const { img, e } = await open(b);
      expect(img, `flip at ${at}`).toBeNull();
      expect(e!.code, `flip at ${at}`).toMatch(/^xz\./);
    }
    // the block header (after the 12-byte stream header) of a 384 MiB block names a 1 GiB dictionary: its CRC-32 recomputed
    const wide = new Uint8Array(readFileSync(compress(midRaw, 'xz', ['-0', '-T1'], 'wide.xz')));
    const hsize = (wide[12] + 1) * 4;
    const props = wide.subarray(12, 12 + hsize);
    const at = props.indexOf(0x21); // the LZMA2 filter id, then its size (1), then the dictionary code
    expect(props[at + 1]).toBe(1);
    props[at + 2] = 36; // 2^(36/2 + 12) = 1 GiB: the block's 384 MiB are reachable
    new DataView(wide.buffer, wide.byteOffset).setUint32(12 + hsize - 4, crc32(props.subarray(0, hsize - 4)), true);
    const { img, e } = await open(wide);
    expect(img).toBeNull();
    expect(e).toMatchObject({ kind: 'limit', code: 'xz.dict-too-large' });
  }, 120_000);
});
