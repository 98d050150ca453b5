// SPDX-License-Identifier: Apache-2.0
// The ext2/ext3/ext4 reader (asm/fs/ext4/) over images made by the real tools:
// test/fixtures/recipes/ext.sh runs mke2fs -d on a populated directory, then
// e2fsck -fD (which indexes big directories), and gzips the result into
// test/fixtures/ext/. Corruption tests copy a good image, overwrite one field at
// its offset from the on-disk format (kernel Documentation/filesystems/ext4),
// and expect exactly that error.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { loadEngine, type Session } from '../helpers/engine';

const eng = await loadEngine();
const fixtureDir = new URL('../fixtures/ext/', import.meta.url);
const cache = new Map<string, Uint8Array>();

/** A fresh copy of a fixture image (callers may corrupt it). */
function image(name: string): Uint8Array {
  let b = cache.get(name);
  if (!b) {
    b = new Uint8Array(gunzipSync(readFileSync(new URL(`${name}.img.gz`, fixtureDir))));
    cache.set(name, b);
  }
  return b.slice();
}

async function open(img: Uint8Array, opts = {}): Promise<Session> {
  const s = await eng.open([img], opts);
  expect(s.inspect()).not.toBeNull();
  return s;
}

// ---- what the recipe put in the images --------------------------------------

/** byte i of every pattern file: (i*7+3) % 251 (recipe: pattern()) */
function pattern(size: number, start = 0): Uint8Array {
  const b = new Uint8Array(size);
  for (let i = 0; i < size; i++) b[i] = ((start + i) * 7 + 3) % 251;
  return b;
}

function bigName(i: number): string {
  return `entry-${String(i).padStart(5, '0')}-` + 'abcdefghij'.repeat(i % 6) + (i % 11 === 0 ? '-é' : '');
}

const LONG_TARGET = '/usr/lib/a-rather-long-directory-name/with/several/levels/so-that-the-target-exceeds-60-bytes/target.so';
const MiB = 1 << 20;

interface Fixture { name: string; type: string; blockSize: number; big: boolean; sparse: boolean; uuidTail: string; unwritten?: boolean }
const FIXTURES: Fixture[] = [
  { name: 'ext4-4k', type: 'ext4', blockSize: 4096, big: true, sparse: true, uuidTail: '1', unwritten: true },
  { name: 'ext4-1k', type: 'ext4', blockSize: 1024, big: true, sparse: true, uuidTail: '2', unwritten: true },
  { name: 'ext4-noextent', type: 'ext4', blockSize: 4096, big: false, sparse: true, uuidTail: '3' },
  { name: 'ext4-inline', type: 'ext4', blockSize: 4096, big: false, sparse: false, uuidTail: '4' },
  { name: 'ext4-64k', type: 'ext4', blockSize: 65536, big: false, sparse: true, uuidTail: '5' },
  { name: 'ext2-1k', type: 'ext2', blockSize: 1024, big: true, sparse: true, uuidTail: '6' },
  { name: 'ext3-2k', type: 'ext3', blockSize: 2048, big: true, sparse: true, uuidTail: '7' },
  { name: 'ext2-rev0', type: 'ext2', blockSize: 1024, big: false, sparse: true, uuidTail: '8' },
  { name: 'ext4-metabg', type: 'ext4', blockSize: 1024, big: false, sparse: false, uuidTail: '9' },
];

function names(list: { name: string }[] | null): string[] {
  expect(list).not.toBeNull();
  return list!.map((e) => e.name).sort();
}

/** Byte equality without vitest's slow element-wise diff; names the first difference. */
function expectBytes(got: Uint8Array | null, want: Uint8Array) {
  expect(got).not.toBeNull();
  if (Buffer.from(got!).equals(Buffer.from(want))) return;
  let i = 0;
  while (i < Math.min(got!.length, want.length) && got![i] === want[i]) i++;
  throw new Error(`bytes differ: got ${got!.length} bytes, want ${want.length}; first difference at ${i} ` +
    `(got ${got![i]}, want ${want[i]})`);
}

function text(b: Uint8Array | null): string {
  expect(b).not.toBeNull();
  return new TextDecoder().decode(b!);
}

describe.each(FIXTURES)('$name', (fx) => {
  it('is named as blkid names it, with UUID and label', async () => {
    const s = await eng.open([image(fx.name)]);
    const img = s.inspect();
    expect(img.volumes).toHaveLength(1);
    const v = img.volumes[0];
    expect(v.error).toBeUndefined();
    expect(v.fs).toBe(fx.type);
    expect(v.uuid).toBe(`4a1c6f0e-2b1d-4c3e-8f00-00000000000${fx.uuidTail}`);
    expect(v.label).toBe(fx.name);
    expect(v.features.blockSize).toBe(fx.blockSize);
  });

  it('lists the root and a nested directory (without . and ..)', async () => {
    const s = await open(image(fx.name));
    const root = ['data', 'deep', 'empty', 'etc', 'hello.txt', 'links', 'lost+found'];
    if (fx.big) root.push('big');
    if (fx.name === 'ext4-inline') root.push('inline');
    if (fx.name === 'ext4-metabg') root.push('many');
    expect(names(s.readdir(0, '/'))).toEqual(root.sort());
    const data = ['pattern-100k.bin', 'pattern-300k.bin', 'prealloc.bin', '名前-ñ.txt'];
    if (fx.sparse) data.push('fragmented.bin', 'sparse.bin');
    expect(names(s.readdir(0, '/data'))).toEqual(data.sort());
    const kinds = Object.fromEntries(s.readdir(0, '/')!.map((e) => [e.name, e.kind]));
    expect(kinds).toMatchObject({ data: 'dir', 'hello.txt': 'file', empty: 'file', links: 'dir' });
    const links = Object.fromEntries(s.readdir(0, '/links')!.map((e) => [e.name, e.kind]));
    expect(links).toEqual({ hello: 'symlink', long: 'symlink', dir: 'symlink', 'hard-hello': 'file' });
    const etc = Object.fromEntries(s.readdir(0, '/etc')!.map((e) => [e.name, e.kind]));
    expect(etc).toEqual({ fstab: 'file', hostname: 'file', initctl: 'other' });
    expect(s.stat(0, '/etc/initctl')).toMatchObject({ kind: 'other', mode: 0o10644, size: 0 });
  });

  it('reads small files, an empty file and a deep path', async () => {
    const s = await open(image(fx.name));
    expect(text(s.readFile(0, '/hello.txt'))).toBe('hello, world\n');
    expect(text(s.readFile(0, '/etc/hostname'))).toBe('guest\n');
    expect(text(s.readFile(0, '/deep/a/b/c/d/leaf.txt'))).toBe('leaf\n');
    expect(text(s.readFile(0, '/data/名前-ñ.txt'))).toBe('utf-8 name\n');
    const empty = s.readFile(0, '/empty');
    expect(empty).not.toBeNull();
    expect(empty!.length).toBe(0);
    expect(s.stat(0, '/nope')).toBeNull();
    expect(s.lastError()).toBeNull();
  });

  it('reports modes, owners, times and hard links', async () => {
    const s = await open(image(fx.name));
    expect(s.stat(0, '/etc/fstab')).toMatchObject({ kind: 'file', mode: 0o100600, uid: 0, gid: 0, size: 27, mtime: 1600000000 });
    expect(s.stat(0, '/data/pattern-100k.bin')).toMatchObject({ mode: 0o104755, size: 100000 });
    expect(s.stat(0, '/deep')).toMatchObject({ kind: 'dir', mode: 0o40755 });
    const a = s.stat(0, '/hello.txt')!, b = s.stat(0, '/links/hard-hello')!;
    expect(a.node).toBe(b.node);
    expect(a.nlink).toBe(2);
    expect(s.stat(0, '/')!.node).toBe(2);
  });

  it('reads multi-block files through extents or indirect blocks', async () => {
    const s = await open(image(fx.name));
    expectBytes(s.readFile(0, '/data/pattern-100k.bin'), pattern(100000));
    // past 12 + 256 blocks of 1 KiB: double indirect on ext2
    expectBytes(s.readFile(0, '/data/pattern-300k.bin'), pattern(307323));
    // a window that starts and ends inside blocks
    expectBytes(s.readFile(0, '/data/pattern-300k.bin', 5000, 70001), pattern(70001, 5000));
    // reads stop at the end of the file
    expectBytes(s.readFile(0, '/data/pattern-300k.bin', 307320, 100), pattern(3, 307320));
  });

  it('reads unwritten (preallocated) extents as zeros though their blocks hold data', async () => {
    const s = await open(image(fx.name));
    const want = pattern(65536);
    if (fx.unwritten) want.fill(0, 4 * fx.blockSize);
    expectBytes(s.readFile(0, '/data/prealloc.bin'), want);
  });

  if (fx.sparse) it('reads holes as zeros, and data past the double-indirect reach', async () => {
    const s = await open(image(fx.name));
    expect(s.stat(0, '/data/sparse.bin')!.size).toBe(80 * MiB);
    expectBytes(s.readFile(0, '/data/sparse.bin', 0, 4096), pattern(4096));
    expectBytes(s.readFile(0, '/data/sparse.bin', 5 * MiB, 4096), pattern(4096, 5 * MiB));
    expectBytes(s.readFile(0, '/data/sparse.bin', 70 * MiB, 4096), pattern(4096, 70 * MiB));
    // across data and hole
    const mixed = s.readFile(0, '/data/sparse.bin', 5 * MiB - 100, 300)!;
    expectBytes(mixed.subarray(0, 100), new Uint8Array(100));
    expectBytes(mixed.subarray(100), pattern(200, 5 * MiB));
    const hole = s.readFile(0, '/data/sparse.bin', 30 * MiB, MiB)!;
    expectBytes(hole, new Uint8Array(MiB));
    expectBytes(s.readFile(0, '/data/sparse.bin', 80 * MiB - 10, 100), new Uint8Array(10));
  });

  if (fx.sparse) it('reads a file of 400 extents (a tree of depth >= 1)', async () => {
    const s = await open(image(fx.name));
    const got = s.readFile(0, '/data/fragmented.bin')!;
    expect(got.length).toBe(399 * 8192 + 1024);
    const want = new Uint8Array(got.length);
    for (let k = 0; k < 400; k++) want.set(pattern(1024, k * 8192), k * 8192);
    expectBytes(got, want);
  });

  it('reads fast and slow symlinks and follows them', async () => {
    const s = await open(image(fx.name));
    expect(s.readlink(0, '/links/hello')).toBe('../hello.txt');
    expect(s.readlink(0, '/links/dir')).toBe('../etc');
    expect(s.readlink(0, '/links/long')).toBe(LONG_TARGET);
    expect(s.stat(0, '/links/long', false)).toMatchObject({ kind: 'symlink', size: LONG_TARGET.length, mode: 0o120777 });
    expect(text(s.readFile(0, '/links/hello'))).toBe('hello, world\n');
    expect(text(s.readFile(0, '/links/dir/hostname'))).toBe('guest\n');
  });

  if (fx.big) it('lists a 3000-entry indexed directory and finds every name in it', async () => {
    const s = await open(image(fx.name));
    const list = s.readdir(0, '/big')!;
    expect(list).toHaveLength(3001);
    const target = s.stat(0, '/big/.target')!.node;
    const want = new Set(Array.from({ length: 3000 }, (_, i) => bigName(i)).concat('.target'));
    expect(new Set(list.map((e) => e.name))).toEqual(want);
    expect(list.every((e) => e.node === target && e.kind === 'file')).toBe(true);
    for (let i = 0; i < 3000; i++) {
      const st = s.stat(0, '/big/' + bigName(i));
      if (st?.node !== target) throw new Error(`lookup of ${bigName(i)} gave ${JSON.stringify(st)} ${JSON.stringify(s.lastError())}`);
    }
    expect(s.stat(0, '/big/entry-99999-')).toBeNull();
    expect(s.lastError()).toBeNull();
  });

  if (fx.big) it('looks names up through the hash index, not by reading the whole directory', async () => {
    // 512-byte pages and a small cache make the bytes read show which blocks a lookup touched
    const s = await open(image(fx.name), { pageShift: 9, cacheBytes: 16 * 1024 });
    expect(s.stat(0, '/big')!.size).toBeGreaterThan(60 * 1024);
    const before = s.stats().bytesRead;
    expect(s.stat(0, '/big/' + bigName(2345))).not.toBeNull();
    const used = s.stats().bytesRead - before;
    expect(used).toBeLessThan(8 * fx.blockSize + 8192);
  });
});

/** Every path with its stat and a digest of its contents or target, as one text. */
function fingerprint(s: Session): string {
  const out: string[] = [];
  const dirs = ['/'];
  while (dirs.length > 0) {
    const dir = dirs.shift()!;
    for (const e of s.readdir(0, dir) ?? [{ name: '!' + JSON.stringify(s.lastError()), kind: '', node: 0 }]) {
      const p = (dir === '/' ? '' : dir) + '/' + e.name;
      const st = s.stat(0, p, false);
      let body = '';
      if (st?.kind === 'dir') dirs.push(p);
      else if (st?.kind === 'symlink') body = s.readlink(0, p) ?? '';
      else if (st?.kind === 'file') {
        const b = s.readFile(0, p);
        body = b ? createHash('sha256').update(b).digest('hex') : 'error';
      }
      out.push(`${p} ${JSON.stringify(st)} ${body}`);
    }
  }
  return out.join('\n');
}

describe('page cache sizes do not change any answer', () => {
  for (const name of ['ext4-1k', 'ext2-1k', 'ext4-inline']) {
    it(name, async () => {
      const prints: string[] = [];
      for (const pageShift of [9, 12, 20]) prints.push(fingerprint(await open(image(name), { pageShift })));
      expect(prints[0].split('\n').length).toBeGreaterThan(40);
      expect(prints[1]).toBe(prints[0]);
      expect(prints[2]).toBe(prints[0]);
    });
  }
});

describe('meta_bg with 64-byte descriptors over 40 groups', () => {
  it('finds inodes whose descriptors live in a later meta group', async () => {
    const s = await open(image('ext4-metabg'));
    const v = s.inspect().volumes[0];
    expect(v.features.groups).toBe(40);
    expect(v.features.incompat).toEqual(expect.arrayContaining(['meta_bg', '64bit']));
    const list = s.readdir(0, '/many')!;
    expect(list).toHaveLength(300);
    const ipg = 16; // mke2fs -N 480 over 40 groups, rounded to whole inode-table blocks
    expect(Math.max(...list.map((e) => e.node))).toBeGreaterThan(16 * ipg); // past the first meta group's 16 groups
    for (const e of list) {
      expect(text(s.readFile(0, '/many/' + e.name))).toBe(e.name.slice(-1));
    }
  });
});

describe('ext2 revision 0 (no file type in directory entries)', () => {
  it('takes each entry kind from its inode', async () => {
    const s = await open(image('ext2-rev0'));
    expect(s.inspect().volumes[0].features.revision).toBe(0);
    const kinds = Object.fromEntries(s.readdir(0, '/links')!.map((e) => [e.name, e.kind]));
    expect(kinds).toEqual({ hello: 'symlink', long: 'symlink', dir: 'symlink', 'hard-hello': 'file' });
  });
});

describe('inline_data', () => {
  it('reads files kept in i_block and in the system.data attribute', async () => {
    const s = await open(image('ext4-inline'));
    expect(text(s.readFile(0, '/inline/tiny.txt'))).toBe('0123456789');
    expectBytes(s.readFile(0, '/inline/small.txt'), pattern(100));
    expectBytes(s.readFile(0, '/inline/small.txt', 55, 10), pattern(10, 55));
    expectBytes(s.readFile(0, '/inline/mid.txt'), pattern(5000));
  });

  it('lists inline directories, including entries continued in system.data', async () => {
    const s = await open(image('ext4-inline'));
    expect(names(s.readdir(0, '/inline/tinydir'))).toEqual(['a', 'b', 'c']);
    expect(s.stat(0, '/inline/xdir')!.size).toBe(84);
    expect(names(s.readdir(0, '/inline/xdir'))).toEqual(['a1', 'a2', 'a3', 'a4', 'x5', 'x6']);
    expect(text(s.readFile(0, '/inline/xdir/x6'))).toBe('x6\n');
    expect(names(s.readdir(0, '/inline/xsrc'))).toEqual([]);
    expect(names(s.readdir(0, '/inline/middir'))).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    expect(s.readdir(0, '/inline/grown')).toHaveLength(40);
    expect(text(s.readFile(0, '/inline/tinydir/c'))).toBe('0123456789');
  });

  it('reads an inline symlink', async () => {
    const s = await open(image('ext4-inline'));
    expect(s.readlink(0, '/inline/longlink')).toBe(LONG_TARGET.replace('target.so', 'inline.so'));
  });
});

// ---- corruption: one field at its named offset ------------------------------

const SB = 1024;

class Layout {
  dv: DataView;
  bs: number; ipg: number; inodeSize: number; descSize: number; firstDataBlock: number;
  constructor(public img: Uint8Array) {
    this.dv = new DataView(img.buffer, img.byteOffset, img.byteLength);
    this.bs = 1024 << this.u32(SB + 0x18);
    this.ipg = this.u32(SB + 0x28);
    this.inodeSize = this.u32(SB + 0x4c) >= 1 ? this.u16(SB + 0x58) : 128;
    this.descSize = this.u32(SB + 0x60) & 0x80 ? this.u16(SB + 0xfe) : 32;
    this.firstDataBlock = this.u32(SB + 0x14);
  }
  u16(o: number) { return this.dv.getUint16(o, true); }
  u32(o: number) { return this.dv.getUint32(o, true); }
  setU16(o: number, v: number) { this.dv.setUint16(o, v, true); }
  setU32(o: number, v: number) { this.dv.setUint32(o, v, true); }
  /** byte offset of group g's descriptor */
  gd(g: number) { return (this.firstDataBlock + 1) * this.bs + g * this.descSize; }
  /** byte offset of inode `ino` */
  inode(ino: number) {
    const g = Math.floor((ino - 1) / this.ipg), idx = (ino - 1) % this.ipg;
    const d = this.gd(g);
    const table = this.u32(d + 8) + (this.descSize >= 64 ? this.u32(d + 0x28) * 2 ** 32 : 0);
    return table * this.bs + idx * this.inodeSize;
  }
  /** i_block offset of inode `ino` */
  iblock(ino: number) { return this.inode(ino) + 0x28; }
  /** first data block of a small extent-mapped (depth 0) or block-mapped inode */
  firstBlock(ino: number) {
    const ib = this.iblock(ino);
    if (this.u16(ib) === 0xf30a) return this.u16(ib + 12 + 6) * 2 ** 32 + this.u32(ib + 12 + 8);
    return this.u32(ib);
  }
  /** re-seal inode `ino`'s metadata_csum after an edit (ext4_inode_csum), so the edit itself is what the reader meets */
  fixInodeChecksum(ino: number) {
    if (!(this.u32(SB + 0x64) & 0x400)) return;
    const at = this.inode(ino);
    const seed = this.u32(SB + 0x60) & 0x2000 ? this.u32(SB + 0x270) : crc32cRaw(this.img.subarray(SB + 0x68, SB + 0x78));
    const raw = this.img.slice(at, at + this.inodeSize);
    const extra = this.inodeSize > 128 ? this.u16(at + 0x80) : 0;
    const hasHi = this.inodeSize > 128 && extra >= 4;
    raw[0x7c] = raw[0x7d] = 0;
    if (hasHi) raw[0x82] = raw[0x83] = 0;
    const num = new Uint8Array(4);
    new DataView(num.buffer).setUint32(0, ino, true);
    let c = crc32cRaw(num, seed);
    c = crc32cRaw(raw.subarray(0x64, 0x68), c);
    c = crc32cRaw(raw, c);
    this.setU16(at + 0x7c, c & 0xffff);
    if (hasHi) this.setU16(at + 0x82, c >>> 16);
  }
  /** recompute s_checksum (crc32c of the first 0x3fc bytes, no final inversion) */
  fixSuperblockChecksum() {
    if (!(this.u32(SB + 0x64) & 0x400)) return;
    this.setU32(SB + 0x3fc, crc32cRaw(this.img.subarray(SB, SB + 0x3fc)));
  }
}

function crc32cRaw(b: Uint8Array, init = 0xffffffff): number {
  let c = init;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return c >>> 0;
}

async function nodeOf(name: string, path: string): Promise<number> {
  const s = await open(image(name));
  return s.stat(0, path, false)!.node;
}

/** opening fails: the volume carries the error */
async function openError(img: Uint8Array) {
  const s = await eng.open([img]);
  const v = s.inspect().volumes[0];
  return { fs: v.fs, code: v.errorCode, message: v.error as string };
}

describe('corruption', () => {
  it('superblock checksum (metadata_csum): crc32c verified; a bad one fails the open', async () => {
    const img = image('ext4-4k');
    const L = new Layout(img);
    expect(L.u32(SB + 0x3fc)).toBe(crc32cRaw(img.subarray(SB, SB + 0x3fc))); // the test's crc agrees with mke2fs
    img[SB + 0x78] ^= 0x20; // s_volume_name[0]
    const e = await openError(img);
    expect(e.code).toBe('ext4.superblock.checksum');
  });

  it('superblock magic: no longer recognised as ext at all', async () => {
    const img = image('ext4-1k');
    new Layout(img).setU16(SB + 0x38, 0xef54); // s_magic
    const s = await eng.open([img]);
    const v = s.inspect().volumes[0];
    expect(v.fs).toBe('');
    expect(v.errorCode).toBeUndefined();
  });

  it('superblock block size beyond 64 KiB', async () => {
    const img = image('ext4-4k');
    const L = new Layout(img);
    L.setU32(SB + 0x18, 7); // s_log_block_size
    L.fixSuperblockChecksum();
    expect((await openError(img)).code).toBe('ext4.superblock.block-size');
  });

  it('superblock block count larger than the volume', async () => {
    const img = image('ext4-1k');
    const L = new Layout(img);
    L.setU32(SB + 0x4, L.u32(SB + 0x4) * 2); // s_blocks_count_lo
    const e = await openError(img);
    expect(e.code).toBe('ext4.superblock.blocks-count');
    expect(e.message).toMatch(/truncated/);
  });

  it('an incompatible feature this reader does not know is "unsupported", not corruption', async () => {
    const img = image('ext4-4k');
    const L = new Layout(img);
    L.setU32(SB + 0x60, L.u32(SB + 0x60) | 0x1000000); // s_feature_incompat
    L.fixSuperblockChecksum();
    const s = await eng.open([img]);
    expect(s.inspect().volumes[0].errorCode).toBe('ext4.feature.incompat');
  });

  it('inode table location past the end of the filesystem', async () => {
    for (const name of ['ext4-4k', 'ext2-1k']) {
      const img = image(name);
      const L = new Layout(img);
      L.setU32(L.gd(0) + 8, 0x7ffffff0); // bg_inode_table_lo of group 0 (holds the root inode)
      const e = await openError(img);
      expect(e.code).toBe('ext4.group.inode-table');
      expect(e.message).toMatch(/group 0/);
    }
  });

  it('extent header magic', async () => {
    const ino = await nodeOf('ext4-4k', '/data/pattern-100k.bin');
    const img = image('ext4-4k');
    const L = new Layout(img);
    expect(L.u16(L.iblock(ino))).toBe(0xf30a);
    L.setU16(L.iblock(ino), 0xf30b); // eh_magic
    L.fixInodeChecksum(ino);
    const s = await open(img);
    expect(s.readFile(0, '/data/pattern-100k.bin')).toBeNull();
    expect(s.lastError()).toMatchObject({ kind: 'corrupt', code: 'ext4.extent.magic' });
    expect(text(s.readFile(0, '/hello.txt'))).toBe('hello, world\n'); // the rest still reads
  });

  it('extent depth beyond the limit of 5, and a depth its parent does not expect', async () => {
    const ino = await nodeOf('ext4-4k', '/data/pattern-100k.bin');
    let img = image('ext4-4k');
    let L = new Layout(img);
    L.setU16(L.iblock(ino) + 6, 9); // eh_depth
    L.fixInodeChecksum(ino);
    let s = await open(img);
    expect(s.readFile(0, '/data/pattern-100k.bin')).toBeNull();
    expect(s.lastError()).toMatchObject({ code: 'ext4.extent.depth' });
    expect(s.lastError()!.message).toMatch(/at most 5/);

    const frag = await nodeOf('ext4-4k', '/data/fragmented.bin');
    img = image('ext4-4k');
    L = new Layout(img);
    expect(L.u16(L.iblock(frag) + 6)).toBe(1);
    L.setU16(L.iblock(frag) + 6, 2); // the root claims 2, its children say 0
    L.fixInodeChecksum(frag);
    s = await open(img);
    expect(s.readFile(0, '/data/fragmented.bin')).toBeNull();
    expect(s.lastError()).toMatchObject({ code: 'ext4.extent.depth' });
  });

  it('an extent index that points back at its own block', async () => {
    // 1 KiB blocks: 400 extents need a tree of depth 2
    const frag = await nodeOf('ext4-1k', '/data/fragmented.bin');
    const img = image('ext4-1k');
    const L = new Layout(img);
    const root = L.iblock(frag);
    expect(L.u16(root + 6)).toBe(2);
    const child = L.u32(root + 12 + 4); // ei_leaf_lo of the root's first index
    const node = child * L.bs;
    expect(L.u16(node)).toBe(0xf30a);
    expect(L.u16(node + 6)).toBe(1);
    L.setU32(node + 12 + 4, child); // its first index now points at itself
    L.setU16(node + 12 + 8, 0);
    const s = await open(img);
    expect(s.readFile(0, '/data/fragmented.bin')).toBeNull();
    expect(s.lastError()).toMatchObject({ code: 'ext4.extent.loop' });
  });

  it('an extent that maps past the end of the filesystem', async () => {
    const ino = await nodeOf('ext4-4k', '/data/pattern-100k.bin');
    const img = image('ext4-4k');
    const L = new Layout(img);
    L.setU32(L.iblock(ino) + 12 + 8, 0x7fffffff); // ee_start_lo of the first extent
    L.fixInodeChecksum(ino);
    const s = await open(img);
    expect(s.readFile(0, '/data/pattern-100k.bin')).toBeNull();
    expect(s.lastError()).toMatchObject({ code: 'ext4.extent.block' });
  });

  it('a block map pointer past the end of the filesystem (ext2)', async () => {
    const ino = await nodeOf('ext2-1k', '/data/pattern-300k.bin');
    const img = image('ext2-1k');
    const L = new Layout(img);
    L.setU32(L.iblock(ino) + 13 * 4, 0x7fffffff); // i_block[13]: the double-indirect block
    const s = await open(img);
    expectBytes(s.readFile(0, '/data/pattern-300k.bin', 0, 12 * 1024), pattern(12 * 1024)); // direct blocks still read
    expect(s.readFile(0, '/data/pattern-300k.bin')).toBeNull();
    expect(s.lastError()).toMatchObject({ code: 'ext4.blockmap.block' });
  });

  it('directory rec_len 0', async () => {
    for (const name of ['ext4-4k', 'ext2-1k', 'ext4-noextent']) {
      const dir = await nodeOf(name, '/etc');
      const img = image(name);
      const L = new Layout(img);
      const blk = L.firstBlock(dir) * L.bs;
      expect(L.u32(blk)).toBe(dir); // "." names the directory itself
      L.setU16(blk + 4, 0); // rec_len of "."
      const s = await open(img);
      expect(s.readdir(0, '/etc')).toBeNull();
      expect(s.lastError()).toMatchObject({ kind: 'corrupt', code: 'ext4.dirent.rec-len' });
      expect(s.stat(0, '/etc/hostname')).toBeNull();
      expect(s.lastError()).toMatchObject({ code: 'ext4.dirent.rec-len' });
    }
  });

  it('64 KiB blocks: rec_len 0 stands for 65536, an entry spanning the whole block', async () => {
    const dir = await nodeOf('ext4-64k', '/etc');
    const img = image('ext4-64k');
    const L = new Layout(img);
    const blk = L.firstBlock(dir) * L.bs;
    expect(L.u32(blk)).toBe(dir);
    L.setU16(blk + 4, 0); // "." now covers the block: no other entries remain
    const s = await open(img);
    expect(s.readdir(0, '/etc')).toEqual([]);
    expect(s.lastError()).toBeNull();
  });

  it('i_mtime_extra epoch bits carry times past 2038', async () => {
    const ino = await nodeOf('ext4-1k', '/hello.txt');
    const img = image('ext4-1k');
    const L = new Layout(img);
    expect(L.u16(L.inode(ino) + 0x80)).toBeGreaterThanOrEqual(0x0c); // i_extra_isize covers i_mtime_extra
    L.setU32(L.inode(ino) + 0x88, 1); // i_mtime_extra: epoch bits 01
    const s = await open(img);
    expect(s.stat(0, '/hello.txt')!.mtime).toBe(1600000000 + 2 ** 32);
  });

  it('a directory entry naming an inode past the inode count', async () => {
    const dir = await nodeOf('ext4-4k', '/etc');
    const img = image('ext4-4k');
    const L = new Layout(img);
    const blk = L.firstBlock(dir) * L.bs;
    // ".", "..", then the first named entry
    const third = blk + L.u16(blk + 4) + L.u16(blk + L.u16(blk + 4) + 4);
    const name = new TextDecoder().decode(img.subarray(third + 8, third + 8 + img[third + 6]));
    L.setU32(third, 0x7fffffff);
    const s = await open(img);
    expect(s.stat(0, '/etc/' + name)).toBeNull();
    expect(s.lastError()).toMatchObject({ code: 'ext4.inode.number' });
  });

  it('a damaged hash index falls back to a linear search, as the kernel does', async () => {
    const dir = await nodeOf('ext4-4k', '/big');
    const img = image('ext4-4k');
    const L = new Layout(img);
    const root = L.firstBlock(dir) * L.bs;
    expect(img[root + 0x1d]).toBe(8); // dx_root_info.info_length
    img[root + 0x1d] = 7;
    const s = await open(img);
    expect(s.stat(0, '/big/' + bigName(1234))).not.toBeNull();
    expect(s.readdir(0, '/big')).toHaveLength(3001);
  });

  it('inline data larger than the inode holds', async () => {
    const ino = await nodeOf('ext4-inline', '/inline/small.txt');
    const img = image('ext4-inline');
    const L = new Layout(img);
    L.setU32(L.inode(ino) + 4, 200); // i_size_lo
    L.fixInodeChecksum(ino);
    const s = await open(img);
    expect(s.readFile(0, '/inline/small.txt')).toBeNull();
    expect(s.lastError()).toMatchObject({ code: 'ext4.inline.size' });
  });
});

// ---- never trap, never hang --------------------------------------------------

/** xorshift32: the same damage on every run */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x / 2 ** 32;
  };
}

/** Walks the whole tree with every call; returns how many nodes it saw. */
function walk(s: Session, budget: number): number {
  let seen = 0;
  const queue = ['/'];
  while (queue.length > 0 && seen < budget) {
    const dir = queue.shift()!;
    const list = s.readdir(0, dir);
    if (!list) continue;
    for (const e of list.slice(0, 200)) {
      if (++seen >= budget) break;
      const p = (dir === '/' ? '' : dir) + '/' + e.name;
      const st = s.stat(0, p, false);
      if (!st) continue;
      if (st.kind === 'dir') queue.push(p);
      else if (st.kind === 'symlink') s.readlink(0, p);
      else if (st.kind === 'file') s.readFile(0, p, 0, 256 * 1024);
    }
  }
  return seen;
}

describe('damaged images never trap or hang', () => {
  for (const name of ['ext4-4k', 'ext4-1k', 'ext2-1k', 'ext4-inline', 'ext4-noextent']) {
    it(name, async () => {
      const clean = image(name);
      const L = new Layout(clean);
      // where the metadata is: superblock, descriptors, inode tables, directories
      const metaEnd = Math.min(clean.length, L.inode(L.ipg) + 64 * L.bs);
      const r = rng(name.length * 7919);
      for (let round = 0; round < 40; round++) {
        const img = clean.slice();
        const flips = 1 + Math.floor(r() * 40);
        for (let k = 0; k < flips; k++) {
          const at = r() < 0.9 ? 1024 + Math.floor(r() * (metaEnd - 1024)) : Math.floor(r() * img.length);
          img[at] = Math.floor(r() * 256);
        }
        const s = await eng.open([img]);
        // a trap throws a WebAssembly.RuntimeError out of these calls and fails the test
        const v = s.inspect();
        if (v?.volumes?.[0]?.features) walk(s, 400);
      }
    });
  }
});
