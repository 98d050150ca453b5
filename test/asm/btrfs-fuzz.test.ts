// SPDX-License-Identifier: Apache-2.0
// Damaged Btrfs metadata must end in an error, never a wasm trap or a hang:
// random bytes of random tree nodes of the fixtures are overwritten and the
// node checksums re-sealed (otherwise the checksum check would catch every
// case before the parsers see it), then the whole tree is walked and read.
// Seeded, so a failure replays.
import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadEngine, type Session } from '../helpers/engine';

const eng = await loadEngine();
const SB = 0x10000;

const CRC32C = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
function crc32c(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC32C[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** mulberry32: a small seeded PRNG */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function nodes(img: Uint8Array, nodeSize: number): number[] {
  const fsid = Buffer.from(img.subarray(SB + 0x20, SB + 0x30));
  const out: number[] = [];
  for (let off = 0; off + nodeSize <= img.length; off += 4096) {
    if (off === SB || off === 0x4000000) continue;
    if (Buffer.from(img.subarray(off + 0x20, off + 0x30)).equals(fsid)) out.push(off);
  }
  return out;
}

/** Walks and reads everything it can; every failure must leave an error, never throw. */
function walk(s: Session, budget = { n: 400 }) {
  const go = (path: string, depth: number) => {
    if (depth > 12 || budget.n-- <= 0) return;
    const list = s.readdir(0, path);
    if (list === null) { expect(s.lastError()).not.toBeNull(); return; }
    for (const e of list.slice(0, 40)) {
      const p = (path === '/' ? '' : path) + '/' + e.name;
      const st = s.stat(0, p, false);
      if (st === null) continue;
      if (st.kind === 'dir') go(p, depth + 1);
      else if (st.kind === 'symlink') s.readlink(0, p);
      else if (st.kind === 'file') s.readFile(0, p, 0, 1 << 20);
    }
  };
  go('/', 0);
}

describe('Btrfs: damaged metadata never traps', () => {
  for (const [name, nodeSize, rounds] of [['btrfs-subvol', 4096, 24], ['btrfs-rootdir', 16384, 12]] as const) {
    it(`${name}: ${rounds} images with re-sealed random damage in their tree nodes`, async () => {
      const base = new Uint8Array(gunzipSync(readFileSync(new URL(`../fixtures/btrfs/${name}.img.gz`, import.meta.url))));
      const all = nodes(base, nodeSize);
      expect(all.length).toBeGreaterThan(10);
      const rand = rng(name.length * 7919);
      for (let round = 0; round < rounds; round++) {
        const img = base.slice();
        const k = 1 + Math.floor(rand() * 4);
        for (let i = 0; i < k; i++) {
          const off = all[Math.floor(rand() * all.length)];
          const flips = 1 + Math.floor(rand() * 8);
          // bias towards the header and item headers, where the parsers' bounds live
          for (let f = 0; f < flips; f++) {
            const at = rand() < 0.7 ? 0x30 + Math.floor(rand() * 0x400) : 0x20 + Math.floor(rand() * (nodeSize - 0x20));
            img[off + at] = Math.floor(rand() * 256);
          }
          new DataView(img.buffer).setUint32(off, crc32c(img.subarray(off + 0x20, off + nodeSize)), true);
        }
        const s = await eng.open([img]);
        const info = s.inspect();
        expect(info, `round ${round}`).not.toBeNull();
        if (info.volumes[0].fs === 'btrfs' && !info.volumes[0].errorCode) walk(s);
        s.mount();
      }
    }, 120_000);
  }
});

// ---- damaged LZO data: the lzo-compressed extents of btrfs-subvol, found with btrfs-progs ----
const progs = spawnSync('btrfs', ['--version']).error === undefined && spawnSync('btrfs-map-logical', ['--help']).error === undefined;

/** Physical [offset, length) of every lzo-compressed regular extent in the top-level tree. */
function lzoExtents(img: Uint8Array): [number, number][] {
  const dir = mkdtempSync(join(tmpdir(), 'btrfs-fuzz-'));
  try {
    const f = join(dir, 'fs.img');
    writeFileSync(f, img);
    const dump = spawnSync('btrfs', ['inspect-internal', 'dump-tree', '-t', '5', f], { encoding: 'utf8', maxBuffer: 64 << 20 }).stdout;
    const out: [number, number][] = [];
    for (const block of dump.split(/\n\titem /)) {
      const m = /extent data disk byte (\d+) nr (\d+)[^]*extent compression 2 \(lzo\)/.exec(block);
      if (!m) continue;
      const map = spawnSync('btrfs-map-logical', ['-l', m[1], f], { encoding: 'utf8' }).stdout;
      const p = /physical (\d+)/.exec(map);
      if (p) out.push([Number(p[1]), Number(m[2])]);
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('Btrfs: damaged LZO data never traps', () => {
  it.skipIf(!progs)(`random bytes of the lzo extents overwritten: reads end in data or an lzo error (${progs ? 'btrfs-progs locates them' : 'skipped: btrfs-progs absent'})`, async () => {
    const base = new Uint8Array(gunzipSync(readFileSync(new URL('../fixtures/btrfs/btrfs-subvol.img.gz', import.meta.url))));
    const ext = lzoExtents(base);
    expect(ext.length).toBeGreaterThanOrEqual(2);
    const rand = rng(4242);
    let errors = 0;
    for (let round = 0; round < 30; round++) {
      const img = base.slice();
      for (const [off, len] of ext) {
        const flips = 1 + Math.floor(rand() * 6);
        for (let f = 0; f < flips; f++) img[off + Math.floor(rand() * Math.min(len, 600))] = Math.floor(rand() * 256);
      }
      const s = await eng.open([img]);
      s.inspect();
      for (const p of ['/comp/lzo-100k.bin', '/comp/lzo-rand.bin']) {
        const b = s.readFile(0, p);
        if (b === null) {
          errors++;
          expect(s.lastError()!.code).toMatch(/^(lzo|btrfs\.lzo)\./);
        }
      }
    }
    expect(errors).toBeGreaterThan(0);
  }, 60_000);
});
