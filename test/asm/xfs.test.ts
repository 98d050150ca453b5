// SPDX-License-Identifier: Apache-2.0
// XFS reader over the fixtures of test/fixtures/recipes/xfs.sh (mkfs.xfs -p
// proto, v4 and v5): every path of xfs-manifest.txt (the source tree the
// recipe fed mkfs) must read back with its kind, size, mode, content hash or
// link target, and nothing else may appear. Broken structures give their error.
import { describe, it, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { loadEngine } from '../helpers/engine';
import { IMAGES, image, manifest, walk } from './xfs-fixtures';

describe('XFS fixtures read back as their source tree', () => {
  for (const [name, want] of Object.entries(IMAGES)) {
    it(`${name}: identity, features, and every path`, async () => {
      const s = await (await loadEngine()).open([image(name)]);
      const img = s.inspect();
      expect(img.partitionTable).toBe('none');
      const v = img.volumes[0];
      expect(v.fs).toBe('xfs');
      expect(v.uuid).toBe(want.uuid);
      expect(v.label).toBe(want.label);
      expect(v.error).toBeUndefined();
      expect(v.features.version).toBe(want.version);
      expect(v.features.ftype).toBe(want.ftype);
      expect(v.features.crc).toBe(want.version === 5);
      // bigtime (v5) and classic timestamps both decode to the build's clock
      const mtime = s.stat(0, '/hello.txt')!.mtime;
      expect(mtime).toBeGreaterThan(1.7e9);
      expect(mtime).toBeLessThan(Date.now() / 1000 + 86400);
      if (want.version === 5) expect(v.features.incompat).toEqual(expect.arrayContaining(name === 'xfs-v5' ? ['ftype', 'bigtime', 'nrext64'] : ['ftype', 'bigtime']));
      else expect(v.features.dirBlockSize).toBe(8192);
      if (name === 'xfs-v5-1k') expect([v.features.blockSize, v.features.dirBlockSize]).toEqual([1024, 4096]);
      const got = walk(s, 0);
      const exp = manifest(want.version === 4);
      expect([...got.keys()].sort()).toEqual([...exp.keys()].sort());
      for (const [p, e] of exp) {
        const g = got.get(p)!;
        expect({ p, kind: g.kind, size: g.size, mode: g.mode, hash: g.hash }).toEqual({ p, kind: e.kind, size: e.size, mode: e.mode, hash: e.hash });
      }
    });
  }

  it('lookups in every directory form find names and dot-dot', async () => {
    for (const name of Object.keys(IMAGES)) {
      const s = await (await loadEngine()).open([image(name)]);
      s.inspect();
      for (const p of ['/small/s2', '/block/b17.txt', '/leaf/a-rather-long-file-name-for-the-leaf-form-299.conf', '/node/n1499', '/node/sub/inner.txt']) {
        expect(s.stat(0, p), name + p).not.toBeNull();
      }
      expect(s.stat(0, '/node/n9999')).toBeNull();
      expect(s.lastError()).toBeNull();
      expect(s.stat(0, '/node/sub/../../small/../leaf/..')!.node).toBe(s.stat(0, '/')!.node);
      expect(s.stat(0, '/links/dir/s1', true)!.size).toBe(8);
      expect(new TextDecoder().decode(s.readFile(0, '/links/short')!)).toBe('hello, world\n');
    }
  });

  it('lookups in leaf and node directories go through the hash index, reading less than a scan', async () => {
    const eng = await loadEngine();
    for (const [d, n] of [['node', 'n0750'], ['leaf', 'a-rather-long-file-name-for-the-leaf-form-150.conf']]) {
      let s = await eng.open([image('xfs-v5')], { pageShift: 12, cacheBytes: 1 << 16 });
      s.inspect();
      s.stat(0, '/' + d);
      const before = s.stats().bytesRead;
      expect(s.stat(0, `/${d}/${n}`)).not.toBeNull();
      const lookup = s.stats().bytesRead - before;
      s = await eng.open([image('xfs-v5')], { pageShift: 12, cacheBytes: 1 << 16 });
      s.inspect();
      s.stat(0, '/' + d);
      const before2 = s.stats().bytesRead;
      s.readdir(0, '/' + d);
      expect(lookup, d).toBeLessThan(s.stats().bytesRead - before2);
    }
  });

  it('a damaged directory index falls back to scanning the data blocks', async () => {
    const img = image('xfs-v5');
    const s0 = await (await loadEngine()).open([img]);
    s0.inspect();
    const pos = inodePos(img, s0.stat(0, '/node')!.node);
    const n = Number(be64(img, pos + 24)); // nrext64: the data fork's extent count
    const bs = be32(img, 4), agBlocks = be32(img, 84), agBlkLog = img[124];
    let node = -1;
    for (let i = 0; i < n; i++) {
      const l0 = be64(img, pos + 176 + 16 * i), l1 = be64(img, pos + 184 + 16 * i);
      if (((l0 & 0x7fffffffffffffffn) >> 9n) !== (1n << 35n) / BigInt(bs)) continue;
      const fsb = Number(((l0 & 0x1ffn) << 43n) | (l1 >> 21n));
      node = (Math.floor(fsb / 2 ** agBlkLog) * agBlocks + (fsb % 2 ** agBlkLog)) * bs;
    }
    expect(be16(img, node + 8)).toBe(0x3ebe); // the dabtree root of a node directory
    img[node + 8] = 0;
    const s = await (await loadEngine()).open([img]);
    s.inspect();
    expect(s.stat(0, '/node/n1234')).not.toBeNull();
    expect(s.stat(0, '/node/missing')).toBeNull();
    expect(s.lastError()).toBeNull();
  });

  it('reads a range across holes of the extent btree file', async () => {
    const s = await (await loadEngine()).open([image('xfs-v5')]);
    s.inspect();
    const b = s.readFile(0, '/data/frag.bin', 4096 - 10, 4096 + 20)!;
    expect(b.length).toBe(4116);
    for (let i = 0; i < 10; i++) expect(b[i]).toBe(((4086 + i) * 7 + 3) % 251);
    for (let i = 10; i < 4106; i++) expect(b[i]).toBe(0);
    for (let i = 4106; i < 4116; i++) expect(b[i]).toBe(((4086 + i) * 7 + 3) % 251);
  });
});

// ---- a v4 extent btree, built by hand -----------------------------------------

/** One packed xfs_bmbt_rec (startoff 54 bits, startblock 52, blockcount 21). */
function bmbtRec(dv: DataView, at: number, startoff: number, startblock: number, count: number) {
  const off = BigInt(startoff), blk = BigInt(startblock), cnt = BigInt(count);
  dv.setBigUint64(at, (off << 9n) | (blk >> 43n));
  dv.setBigUint64(at + 8, ((blk & ((1n << 43n) - 1n)) << 21n) | cnt);
}

/**
 * The v4 fixture has no kernel-written btree file (Linux 6 mounts no v4), so
 * this test turns /data/pattern.bin's one extent into a one-level "BMAP" tree
 * whose leaf splits it in three, in a free block of AG 3, exactly as the
 * format lays it out ("B+tree Extent List"), and reads the file through it.
 */
describe('XFS v4 extent btree (BMAP blocks)', () => {
  async function btreeImage(records: [number, number, number][]) {
    const img = image('xfs-v4');
    const dv = new DataView(img.buffer);
    const ino = await nodeOf(img, '/data/pattern.bin');
    const pos = inodePos(img, ino);
    expect(img[pos + 5]).toBe(2); // extents format, one record
    const l0 = be64(img, pos + 100), l1 = be64(img, pos + 108);
    const start = Number(((l0 & 0x1ffn) << 43n) | (l1 >> 21n)), count = Number(l1 & 0x1fffffn);
    const bs = be32(img, 4), agBlocks = be32(img, 84), agBlkLog = img[124];
    const leafFsb = (3 << agBlkLog) | 4000, leafAt = (3 * agBlocks + 4000) * bs;
    expect(img.subarray(leafAt, leafAt + bs).every((b) => b === 0)).toBe(true); // a free block
    // leaf: magic, level 0, numrecs, left and right siblings none, then the records
    dv.setUint32(leafAt, 0x424d4150);
    dv.setUint16(leafAt + 4, 0);
    dv.setUint16(leafAt + 6, records.length);
    dv.setBigUint64(leafAt + 8, 0xffffffffffffffffn);
    dv.setBigUint64(leafAt + 16, 0xffffffffffffffffn);
    records.forEach(([o, b, c], i) => bmbtRec(dv, leafAt + 24 + 16 * i, o, start + b, c));
    // root in the inode's 156-byte fork: level 1, one key and one pointer (maxrecs 9)
    img[pos + 5] = 3;
    dv.setUint32(pos + 76, records.length);
    img.fill(0, pos + 100, pos + 256);
    dv.setUint16(pos + 100, 1);
    dv.setUint16(pos + 102, 1);
    dv.setBigUint64(pos + 104, 0n);
    dv.setBigUint64(pos + 104 + 9 * 8, BigInt(leafFsb));
    return { img, count };
  }

  it('reads the file through a hand-built BMAP tree', async () => {
    const { img, count } = await btreeImage([[0, 0, 30], [30, 30, 20], [50, 50, 24]]);
    expect(count).toBe(74);
    const s = await (await loadEngine()).open([img]);
    s.inspect();
    const b = s.readFile(0, '/data/pattern.bin')!;
    expect(b.length).toBe(300000);
    for (let i = 0; i < b.length; i += 997) expect(b[i]).toBe((i * 7 + 3) % 251);
  });

  it('leaf records out of order are refused', async () => {
    const { img } = await btreeImage([[30, 30, 20], [0, 0, 30], [50, 50, 24]]);
    const s = await (await loadEngine()).open([img]);
    s.inspect();
    expect(s.readFile(0, '/data/pattern.bin')).toBeNull();
    expect(s.lastError()!.code).toBe('xfs.bmap.order');
  });
});

// ---- broken inputs ----------------------------------------------------------

const be32 = (b: Uint8Array, o: number) => new DataView(b.buffer, b.byteOffset).getUint32(o);
const be16 = (b: Uint8Array, o: number) => new DataView(b.buffer, b.byteOffset).getUint16(o);
const be64 = (b: Uint8Array, o: number) => new DataView(b.buffer, b.byteOffset).getBigUint64(o);

/** Byte position of inode `ino` from the superblock geometry. */
function inodePos(img: Uint8Array, ino: number): number {
  const blockSize = be32(img, 4), agBlocks = be32(img, 84), inodeSize = be16(img, 104);
  const inopbLog = img[123], agBlkLog = img[124];
  const agno = Math.floor(ino / 2 ** (agBlkLog + inopbLog));
  const agino = ino % 2 ** (agBlkLog + inopbLog);
  return (agno * agBlocks + (agino >> inopbLog)) * blockSize + (agino & ((1 << inopbLog) - 1)) * inodeSize;
}

async function nodeOf(img: Uint8Array, path: string): Promise<number> {
  const s = await (await loadEngine()).open([img]);
  s.inspect();
  return s.stat(0, path, false)!.node;
}

describe('XFS broken inputs give clear errors', () => {
  it('a v5 superblock with a bad checksum is refused, named', async () => {
    const img = image('xfs-v5');
    img[140] ^= 1; // inside sb_icount: covered by the crc
    const s = await (await loadEngine()).open([img]);
    const v = s.inspect().volumes[0];
    expect(v.fs).toBe('xfs');
    expect(v.errorCode).toBe('xfs.superblock.crc');
  });

  it('an inode whose magic is not "IN"', async () => {
    for (const name of Object.keys(IMAGES)) {
      const img = image(name);
      const ino = await nodeOf(img, '/hello.txt');
      img[inodePos(img, ino)] = 0x58;
      const s = await (await loadEngine()).open([img]);
      s.inspect();
      expect(s.readFile(0, '/hello.txt')).toBeNull();
      const e = s.lastError()!;
      expect(e.code).toBe('xfs.inode.magic');
      expect(e.message).toContain(`inode ${ino}`);
    }
  });

  it('a v5 inode with a bad checksum', async () => {
    const img = image('xfs-v5');
    const ino = await nodeOf(img, '/hello.txt');
    img[inodePos(img, ino) + 60] ^= 0xff; // di_size
    const s = await (await loadEngine()).open([img]);
    s.inspect();
    expect(s.stat(0, '/hello.txt')).toBeNull();
    expect(s.lastError()!.code).toBe('xfs.inode.crc');
  });

  it('a directory data block with a bad magic (v4 has no checksums to catch it first)', async () => {
    const img = image('xfs-v4');
    const s0 = await (await loadEngine()).open([img]);
    s0.inspect();
    const ino = s0.stat(0, '/block')!.node;
    const pos = inodePos(img, ino);
    // extents format: first record's start block in the literal area (byte 100)
    const l0 = be64(img, pos + 100), l1 = be64(img, pos + 108);
    const fsb = Number(((l0 & 0x1ffn) << 43n) | (l1 >> 21n));
    const agBlkLog = img[124], agBlocks = be32(img, 84), bs = be32(img, 4);
    const at = (Math.floor(fsb / 2 ** agBlkLog) * agBlocks + (fsb % 2 ** agBlkLog)) * bs;
    expect(be32(img, at)).toBe(0x58443242); // XD2B
    img[at] = 0;
    const s = await (await loadEngine()).open([img]);
    s.inspect();
    expect(s.readdir(0, '/block')).toBeNull();
    expect(s.lastError()!.code).toBe('xfs.dir.magic');
  });

  it('a v5 directory block with a bad checksum', async () => {
    const img = image('xfs-v5');
    const s0 = await (await loadEngine()).open([img]);
    s0.inspect();
    const ino = s0.stat(0, '/block')!.node;
    const pos = inodePos(img, ino);
    const l0 = be64(img, pos + 176), l1 = be64(img, pos + 184);
    const fsb = Number(((l0 & 0x1ffn) << 43n) | (l1 >> 21n));
    const agBlkLog = img[124], agBlocks = be32(img, 84), bs = be32(img, 4);
    const at = (Math.floor(fsb / 2 ** agBlkLog) * agBlocks + (fsb % 2 ** agBlkLog)) * bs;
    expect(be32(img, at)).toBe(0x58444233); // XDB3
    img[at + 200] ^= 1; // inside an entry name
    const s = await (await loadEngine()).open([img]);
    s.inspect();
    expect(s.readdir(0, '/block')).toBeNull();
    expect(s.lastError()!.code).toBe('xfs.dir.crc');
  });

  it('an extent btree that loops or skips a level', async () => {
    // v5 inode: recompute the crc after the edit, as a careless tool would not
    const img0 = image('xfs-v5');
    const ino = await nodeOf(img0, '/data/frag.bin');
    const pos = inodePos(img0, ino);
    const fork = pos + 176;
    const level = be16(img0, fork), numrecs = be16(img0, fork + 2);
    expect(level).toBe(1);
    expect(numrecs).toBeGreaterThan(1);
    const forkSize = img0[pos + 82] ? img0[pos + 82] * 8 : 512 - 176;
    const maxrecs = Math.floor((forkSize - 4) / 16);
    const ptr = (i: number) => fork + 4 + maxrecs * 8 + i * 8;

    const loop = img0.slice();
    loop.copyWithin(ptr(1), ptr(0), ptr(0) + 8);
    fixInodeCrc(loop, pos, 512);
    let s = await (await loadEngine()).open([loop]);
    s.inspect();
    expect(s.readFile(0, '/data/frag.bin')).toBeNull();
    expect(s.lastError()!.code).toBe('xfs.bmbt.loop');

    const deep = img0.slice();
    new DataView(deep.buffer).setUint16(fork, 2); // root claims level 2: its children (leaves) are not
    fixInodeCrc(deep, pos, 512);
    s = await (await loadEngine()).open([deep]);
    s.inspect();
    expect(s.readFile(0, '/data/frag.bin')).toBeNull();
    expect(s.lastError()!.code).toBe('xfs.bmbt.level');
  });

  it('a symlink whose size exceeds XFS_SYMLINK_MAXLEN', async () => {
    const img = image('xfs-v4');
    const ino = await nodeOf(img, '/links/short');
    new DataView(img.buffer).setBigUint64(inodePos(img, ino) + 56, 5000n);
    const s = await (await loadEngine()).open([img]);
    s.inspect();
    expect(s.readlink(0, '/links/short')).toBeNull();
    expect(s.lastError()!.code).toBe('xfs.symlink.size');
  });
});

// crc32c (Castagnoli) as XFS stores it: ~crc little-endian at the field
const CRC32C = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1; t[n] = c >>> 0; }
  return t;
})();
function fixInodeCrc(img: Uint8Array, pos: number, size: number) {
  new DataView(img.buffer).setUint32(pos + 100, 0);
  let c = 0xffffffff;
  for (let i = 0; i < size; i++) c = CRC32C[(c ^ img[pos + i]) & 0xff] ^ (c >>> 8);
  new DataView(img.buffer).setUint32(pos + 100, (~c) >>> 0, true);
}

const corpus = '/work/shared/corpus/dissect.xfs/';
describe('XFS corpus (dissect.xfs)', () => {
  it.skipIf(!existsSync(corpus))('xfs.bin: a 16 MiB v5 image made by another project (skipped when /work/shared/corpus is absent)', async () => {
    const s = await (await loadEngine()).open([new Uint8Array(gunzipSync(readFileSync(corpus + 'xfs.bin.gz')))]);
    const v = s.inspect().volumes[0];
    expect(v.fs).toBe('xfs');
    expect(v.uuid).toBe('3fb8342e-e144-4f0c-8bd7-725e78966200');
    expect([v.features.log, v.features.logHead]).toEqual(['clean', 18]); // as xfs_logprint -t says
    expect(s.stat(0, '/')!.node).toBe(11072);
    expect(new TextDecoder().decode(s.readFile(0, '/test_file')!)).toBe('test content\n');
    expect(s.stat(0, '/test_dir')!.kind).toBe('dir');
    expect(s.readlink(0, '/test_link')).toBe('test_dir/test_file');
  });
  for (const n of [1, 2, 3]) {
    it.skipIf(!existsSync(corpus))(`xfs_symlink_test${n}.bin: the relative symlink resolves to its target's content (skipped when the corpus is absent)`, async () => {
      const s = await (await loadEngine()).open([new Uint8Array(gunzipSync(readFileSync(corpus + `xfs_symlink_test${n}.bin.gz`)))]);
      const v = s.inspect().volumes[0];
      expect(v.fs).toBe('xfs');
      // xfs_logprint -t: test3's journal was left dirty (tail 2, head 14), the others clean
      expect([v.features.log, v.features.logHead]).toEqual(n === 3 ? ['dirty', 14] : ['clean', n === 1 ? 20 : 18]);
      // test3 adds a hop: file.ext -> link -> the relative target (as xfs_db prints them)
      const first = n === 3 ? '/path/to/dir/with/link' : '/path/to/dir/with/file.ext';
      if (n === 3) expect(s.readlink(0, '/path/to/dir/with/file.ext')).toBe('link');
      expect(s.readlink(0, first)).toBe('../../../../other/path/source/to/my/file.ext');
      const target = s.stat(0, '/other/path/source/to/my/file.ext', false);
      const via = s.stat(0, '/path/to/dir/with/file.ext', true);
      if (target === null) expect(via).toBeNull();
      else expect(via!.node).toBe(target.node);
    });
  }
});
