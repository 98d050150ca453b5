// SPDX-License-Identifier: Apache-2.0
// Every container format over fixtures made by qemu-img from one raw source
// (test/fixtures/recipes/containers.sh): the virtual disk read through
// guestcheck equals the source (and, when qemu-img is installed, its own
// `qemu-img convert -O raw` of the same file), range by range.
import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEngine, type Session } from '../helpers/engine';

const eng = await loadEngine();
const dir = new URL('../fixtures/containers/', import.meta.url);
const load = (name: string) => new Uint8Array(gunzipSync(readFileSync(new URL(name + '.gz', dir))));
const hasQemuImg = spawnSync('qemu-img', ['--version']).status === 0;

const source = load('pattern.img');

/** A fixed-seed generator, so a failing range can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Reads `count` random ranges (and the whole disk in 1 MiB steps) and compares them with `expected`. */
function compareRanges(s: Session, expected: Uint8Array, count = 300) {
  const size = expected.length;
  for (let off = 0; off < size; off += 1 << 20) {
    const got = s.x.rawRead(-1, off, Math.min(1 << 20, size - off));
    expect(got, `read at ${off}: ${JSON.stringify(s.lastError())}`).not.toBeNull();
    if (Buffer.compare(Buffer.from(got!), Buffer.from(expected.subarray(off, off + got!.length))) !== 0) {
      expect.fail(`the MiB at ${off} differs`);
    }
  }
  const r = rng(size ^ count);
  for (let i = 0; i < count; i++) {
    const len = 1 + Math.floor(r() * (i % 3 === 0 ? 300_000 : 9000));
    const off = Math.floor(r() * (size - len));
    const got = s.x.rawRead(-1, off, len);
    expect(got, `range ${off}+${len}: ${JSON.stringify(s.lastError())}`).not.toBeNull();
    if (Buffer.compare(Buffer.from(got!), Buffer.from(expected.subarray(off, off + len))) !== 0) expect.fail(`range ${off}+${len} differs`);
  }
}

interface Case { files: string[]; format: string; subformat: string; expected?: string; chain?: string[]; clusterSize?: number }

const cases: Case[] = [
  { files: ['pattern-v2.qcow2'], format: 'qcow2', subformat: 'v2 (compat 0.10)', clusterSize: 65536 },
  { files: ['pattern-v3-4k.qcow2'], format: 'qcow2', subformat: 'v3 (compat 1.1)', clusterSize: 4096 },
  { files: ['pattern-deflate.qcow2'], format: 'qcow2', subformat: 'v3 (compat 1.1)', clusterSize: 65536 },
  { files: ['pattern-zstd.qcow2'], format: 'qcow2', subformat: 'v3 (compat 1.1)', clusterSize: 65536 },
  { files: ['pattern-stream.vmdk'], format: 'vmdk', subformat: 'streamOptimized', clusterSize: 65536 },
  { files: ['pattern-dynamic.vhd'], format: 'vhd', subformat: 'dynamic', clusterSize: 2 << 20 },
  { files: ['pattern-fixed.vhd'], format: 'vhd', subformat: 'fixed' },
  { files: ['pattern.vhdx'], format: 'vhdx', subformat: 'dynamic', clusterSize: 1 << 20 },
  { files: ['pattern-sparse.vmdk'], format: 'vmdk', subformat: 'monolithicSparse', clusterSize: 65536 },
  { files: ['pattern-mflat.vmdk', 'pattern-mflat-flat.vmdk'], format: 'vmdk', subformat: 'monolithicFlat' },
  { files: ['pattern-split-s001.vmdk', 'pattern-split.vmdk'], format: 'vmdk', subformat: 'twoGbMaxExtentSparse', clusterSize: 65536 },
  { files: ['pattern-splitflat.vmdk', 'pattern-splitflat-f001.vmdk'], format: 'vmdk', subformat: 'twoGbMaxExtentFlat' },
  { files: ['pattern-dynamic.vdi'], format: 'vdi', subformat: 'dynamic', clusterSize: 1 << 20 },
  { files: ['pattern-static.vdi'], format: 'vdi', subformat: 'fixed', clusterSize: 1 << 20 },
  { files: ['chain-base.qcow2', 'chain-top.qcow2', 'chain-mid.qcow2'], format: 'qcow2', subformat: 'v3 (compat 1.1)', expected: 'chain-expected.img', chain: ['chain-mid.qcow2', 'chain-base.qcow2'] },
  { files: ['zero-top.qcow2', 'chain-base.qcow2'], format: 'qcow2', subformat: 'v3 (compat 1.1)', expected: 'zero-expected.img', chain: ['chain-base.qcow2'] },
  { files: ['snap-top.vmdk', 'snap-base.vmdk'], format: 'vmdk', subformat: 'monolithicSparse', expected: 'snap-expected.img', chain: ['snap-base.vmdk'] },
];

/** qemu-img's own raw rendering of the files (written to a scratch folder). */
function qemuRaw(files: string[], bufs: Uint8Array[], top: string, format: string): Uint8Array {
  const d = mkdtempSync(join(tmpdir(), 'gc-qemu-'));
  try {
    files.forEach((f, i) => writeFileSync(join(d, f), bufs[i]));
    // named explicitly: qemu-img's own probe takes a fixed VHD (footer only at the end) for raw
    const f = format === 'vhd' ? 'vpc' : format;
    const r = spawnSync('qemu-img', ['convert', '-f', f, '-O', 'raw', join(d, top), join(d, 'out.raw')]);
    if (r.status !== 0) throw new Error('qemu-img convert failed: ' + r.stderr);
    return new Uint8Array(readFileSync(join(d, 'out.raw')));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
}

describe.each(cases)('$format $subformat ($files.0)', (c) => {
  const bufs = c.files.map(load);
  const expected = c.expected ? load(c.expected) : source;

  it('opens as the top image with its container facts', async () => {
    const s = await eng.open(bufs, { names: c.files });
    const img = s.inspect();
    expect(img, JSON.stringify(s.lastError())).not.toBeNull();
    expect(img.format).toBe(c.format);
    expect(img.container.subformat).toBe(c.subformat);
    expect(img.virtualSize).toBe(expected.length);
    expect(img.container.backingChain).toEqual(c.chain ?? []);
    expect(new Set(img.container.files)).toEqual(new Set(c.files));
    if (c.clusterSize) expect(img.container.clusterSize).toBe(c.clusterSize);
    expect(img.container.fileSize).toBe(bufs.reduce((a, b) => a + b.length, 0));
    expect(img.notes.filter((n: string) => /was given but/.test(n))).toEqual([]);
    // the volumes are the raw source's
    const raw = await eng.open([expected]);
    expect(img.volumes).toEqual(raw.inspect().volumes);
  });

  it('reads the same bytes as the raw source, range by range', async () => {
    const s = await eng.open(bufs, { names: c.files });
    expect(s.inspect()).not.toBeNull();
    compareRanges(s, expected);
  });

  it('reads the same bytes with 512 B and 1 MiB pages', async () => {
    for (const pageShift of [9, 20]) {
      const s = await eng.open(bufs, { names: c.files, pageShift });
      expect(s.inspect()).not.toBeNull();
      compareRanges(s, expected, 60);
    }
  });

  it.skipIf(!hasQemuImg)('equals qemu-img convert -O raw of the same files (qemu-img installed)', async () => {
    const top = (await eng.open(bufs, { names: c.files })).inspect().container.topFile;
    const q = qemuRaw(c.files, bufs, top, c.format);
    const s = await eng.open(bufs, { names: c.files });
    s.inspect();
    compareRanges(s, q, 100);
  });
});

describe('compressed clusters and grains', () => {
  it('zstd clusters: a damaged frame fails by name, never a trap', async () => {
    const b = load('pattern-zstd.qcow2');
    // the first zstd frame magic after the header is cluster 0's data; damage its block header
    let at = -1;
    for (let i = 512; i + 4 <= b.length; i++) if (b[i] === 0x28 && b[i + 1] === 0xb5 && b[i + 2] === 0x2f && b[i + 3] === 0xfd) { at = i; break; }
    expect(at).toBeGreaterThan(0);
    const s0 = await eng.open([b], { names: ['pattern-zstd.qcow2'] });
    s0.inspect();
    expect(s0.x.rawRead(-1, 0, 512)).not.toBeNull();
    let failures = 0;
    for (let k = 6; k < 40; k++) {
      const d = b.slice();
      d[at + k] ^= 0x5a;
      const s = await eng.open([d], { names: ['pattern-zstd.qcow2'] });
      s.inspect();
      const got = s.x.rawRead(-1, 0, 65536);
      if (got === null) { failures++; expect(s.lastError()?.code).toMatch(/^(zstd\.|container\.compressed)/); }
    }
    // qemu writes frames without a checksum: damaged literals may decode to other
    // bytes, but damaged headers, tables and bitstreams must fail by name
    expect(failures).toBeGreaterThan(3);
  });

  it('streamOptimized with the grain directory at the end: the footer (VMDK 1.1 §"Stream-Optimized") is read', async () => {
    // qemu-img writes the directory offset into the header; VMware writes GD_AT_END
    // there and repeats the header, with the offset, as a footer before the
    // end-of-stream marker: footer marker (type 3), footer, end-of-stream.
    const b = load('pattern-stream.vmdk');
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const header = b.slice(0, 512);
    const out = new Uint8Array(b.length + 1536);
    out.set(b);
    const end = out.length;
    const ov = new DataView(out.buffer);
    ov.setBigUint64(end - 1536, 1n, true); // marker value: sectors of the footer
    ov.setUint32(end - 1536 + 12, 3, true); // marker type: footer
    out.set(header, end - 1024);
    ov.setBigUint64(56, 0xffffffffffffffffn, true); // GD_AT_END in the header only
    expect(v.getBigUint64(56, true)).not.toBe(0xffffffffffffffffn);
    const s = await eng.open([out], { names: ['vmware.vmdk'] });
    expect(s.inspect(), JSON.stringify(s.lastError())).not.toBeNull();
    compareRanges(s, source, 100);
  });

  it('a damaged deflate stream is an error naming the cluster, not garbage', async () => {
    const b = load('pattern-deflate.qcow2');
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const l1 = Number(v.getBigUint64(40));
    const l2 = Number(v.getBigUint64(l1) & 0x00fffffffffffe00n);
    const e = v.getBigUint64(l2); // cluster 0: compressed
    expect(e & (1n << 62n)).not.toBe(0n);
    const host = Number(e & ((1n << 54n) - 1n));
    b.fill(0xff, host, host + 64);
    const s = await eng.open([b], { names: ['bad.qcow2'] });
    expect(s.inspect().tableError).toMatch(/^bad\.qcow2: cluster at virtual 0x0 \(deflate\): deflate stream/);
    expect(s.x.rawRead(-1, 0, 512)).toBeNull();
    expect(s.lastError()).toMatchObject({ kind: 'corrupt' });
    expect(s.lastError()!.code).toMatch(/^inflate\./);
  });
});

describe('multi-file images', () => {
  it('picks the top image whatever the order the files come in', async () => {
    const names = ['chain-mid.qcow2', 'chain-base.qcow2', 'chain-top.qcow2'];
    const s = await eng.open(names.map(load), { names });
    expect(s.inspect().container.topFile).toBe('chain-top.qcow2');
  });

  it('opens a middle image of a chain with what it needs and notes the unused overlay', async () => {
    const names = ['chain-mid.qcow2', 'chain-base.qcow2'];
    const s = await eng.open(names.map(load), { names });
    const img = s.inspect();
    expect(img.container.topFile).toBe('chain-mid.qcow2');
    expect(img.container.backingChain).toEqual(['chain-base.qcow2']);
  });

  it('names the missing backing file of an overlay given alone', async () => {
    const s = await eng.open([load('chain-top.qcow2')], { names: ['chain-top.qcow2'] });
    expect(s.inspect()).toBeNull();
    expect(s.lastError()).toMatchObject({ kind: 'unsupported', code: 'qcow2.backing.missing' });
    expect(s.lastError()!.message).toMatch(/chain-mid\.qcow2/);
  });

  it('names the missing base of a backing chain two levels down', async () => {
    const names = ['chain-top.qcow2', 'chain-mid.qcow2'];
    const s = await eng.open(names.map(load), { names });
    expect(s.inspect()).toBeNull();
    expect(s.lastError()!.message).toMatch(/chain-base\.qcow2/);
  });

  it('names a missing VMDK extent', async () => {
    const s = await eng.open([load('pattern-split.vmdk')], { names: ['pattern-split.vmdk'] });
    expect(s.inspect()).toBeNull();
    expect(s.lastError()).toMatchObject({ code: 'vmdk.extent.missing' });
    expect(s.lastError()!.message).toMatch(/pattern-split-s001\.vmdk/);
  });

  it('names the missing parent of a VMDK snapshot', async () => {
    const s = await eng.open([load('snap-top.vmdk')], { names: ['snap-top.vmdk'] });
    expect(s.inspect()).toBeNull();
    expect(s.lastError()).toMatchObject({ code: 'vmdk.parent.missing' });
    expect(s.lastError()!.message).toMatch(/snap-base\.vmdk/);
  });

  it('refuses two unrelated images dropped together, naming both', async () => {
    const names = ['pattern-v2.qcow2', 'pattern-dynamic.vdi'];
    const s = await eng.open(names.map(load), { names });
    expect(s.inspect()).toBeNull();
    expect(s.lastError()).toMatchObject({ code: 'container.several-images' });
    expect(s.lastError()!.message).toMatch(/pattern-v2\.qcow2.*pattern-dynamic\.vdi/);
  });

  it('notes a file that the image does not use', async () => {
    const names = ['pattern-mflat.vmdk', 'pattern-mflat-flat.vmdk', 'pattern-split-s001.vmdk'];
    // the sparse extent is named by no one: it is a second top image
    const s = await eng.open(names.map(load), { names });
    expect(s.inspect()).toBeNull();
    expect(s.lastError()!.code).toBe('container.several-images');
  });
});

describe('differencing VHD (the dynamic fixture turned into one by the specification\'s fields)', () => {
  const SECTOR = 512;
  /** Footer disk type 4 (both copies, checksums redone), parent name "parent.img", some bitmap bits cleared. */
  function makeDifferencing() {
    const b = load('pattern-dynamic.vhd');
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const fix = (at: number) => {
      v.setUint32(at + 60, 4);
      v.setUint32(at + 64, 0);
      let sum = 0;
      for (let i = 0; i < 512; i++) sum += b[at + i];
      v.setUint32(at + 64, ~sum >>> 0);
    };
    fix(0);
    fix(b.length - 512);
    const dyn = Number(v.getBigUint64(16));
    const name = 'parent.img';
    for (let i = 0; i < name.length; i++) v.setUint16(dyn + 64 + 2 * i, name.charCodeAt(i)); // UTF-16 big-endian
    const bat = Number(v.getBigUint64(dyn + 16));
    const blockSize = v.getUint32(dyn + 32);
    const entries = source.length / blockSize;
    const blocks: number[] = [];
    for (let i = 0; i < entries; i++) blocks.push(v.getUint32(bat + 4 * i));
    // In the first allocated block, sectors 0..7 and 80..87 now come from the parent.
    const first = blocks.findIndex((e) => e !== 0xffffffff);
    b[blocks[first] * SECTOR] = 0;
    b[blocks[first] * SECTOR + 10] = 0;
    return { b, blocks, blockSize, first };
  }

  it('reads sectors whose bitmap bit is clear, and unallocated blocks, from the parent dropped with it', async () => {
    const { b, blocks, blockSize, first } = makeDifferencing();
    const parent = new Uint8Array(source.length).fill(0x5a);
    const expected = new Uint8Array(source.length);
    for (let s = 0; s < source.length / SECTOR; s++) {
      const blk = Math.floor((s * SECTOR) / blockSize);
      const inBlock = s - (blk * blockSize) / SECTOR;
      const fromParent = blocks[blk] === 0xffffffff || (blk === first && (inBlock < 8 || (inBlock >= 80 && inBlock < 88)));
      expected.set((fromParent ? parent : source).subarray(s * SECTOR, (s + 1) * SECTOR), s * SECTOR);
    }
    const s = await eng.open([b, parent], { names: ['child.vhd', 'parent.img'] });
    const img = s.inspect();
    expect(img, JSON.stringify(s.lastError())).not.toBeNull();
    expect(img.container).toMatchObject({ subformat: 'differencing', topFile: 'child.vhd', backingChain: ['parent.img'] });
    compareRanges(s, expected);
  });

  it('names the parent when it was not dropped with the child', async () => {
    const { b } = makeDifferencing();
    const s = await eng.open([b], { names: ['child.vhd'] });
    expect(s.inspect()).toBeNull();
    expect(s.lastError()).toMatchObject({ kind: 'unsupported', code: 'vhd.parent.missing' });
    expect(s.lastError()!.message).toMatch(/parent\.img/);
  });
});

describe('a container inside a gzip file (the codec helper\'s in-place gzip device)', () => {
  it('reads the qcow2 inside pattern-v2.qcow2.gz and names the .gz file in the facts', async () => {
    const gz = new Uint8Array(readFileSync(new URL('pattern-v2.qcow2.gz', dir)));
    const s = await eng.open([gz], { names: ['pattern-v2.qcow2.gz'] });
    const img = s.inspect();
    expect(img).toMatchObject({ format: 'qcow2', compression: 'gzip' });
    expect(img.container).toMatchObject({ topFile: 'pattern-v2.qcow2.gz', files: ['pattern-v2.qcow2.gz'], fileSize: gz.length });
    compareRanges(s, source, 50);
  });
});

describe('what Alibaba Cloud accepts (src/report/container-import.ts)', async () => {
  const { containerInfo } = await import('../../src/report/container-import');
  const base = { subformat: '', topFile: 'disk.img', fileSize: 1, allocatedSize: -1, clusterSize: 0, compression: '', backingChain: [], files: ['disk.img'] };
  it.each([['raw'], ['qcow2'], ['vhd'], ['vmdk']])('%s as it is', (format) => {
    expect(containerInfo(format, base).cloudImport.accepted).toBe(true);
  });
  it.each([['vhdx', 'disk.vhdx'], ['vdi', 'disk.vdi']])('%s converted first, with the qemu-img command', (format, top) => {
    const c = containerInfo(format, { ...base, topFile: top, files: [top] }).cloudImport;
    expect(c.accepted).toBe(false);
    expect(c.command).toBe(`qemu-img convert -O qcow2 ${top} disk.qcow2`);
  });
  it('an overlay flattened first', () => {
    const c = containerInfo('qcow2', { ...base, topFile: 'top.qcow2', files: ['top.qcow2', 'base.qcow2'], backingChain: ['base.qcow2'] }).cloudImport;
    expect(c).toMatchObject({ accepted: false, command: 'qemu-img convert -O qcow2 top.qcow2 top-flat.qcow2' });
    expect(c.message).toMatch(/base\.qcow2/);
  });
  it('a gzipped image decompressed first', () => {
    const c = containerInfo('raw', { ...base, topFile: 'disk.img.gz', files: ['disk.img.gz'] }, 'gzip').cloudImport;
    expect(c).toMatchObject({ accepted: false, command: 'gunzip -k disk.img.gz' });
  });
  it('an image inside a zip or an OVA is extracted first, then decompressed', () => {
    const z = containerInfo('raw', { ...base, topFile: 'a.zip:disk.img', files: ['a.zip:disk.img'] }, 'deflate').cloudImport;
    expect(z).toMatchObject({ accepted: false, command: 'unzip a.zip disk.img' });
    const stored = containerInfo('raw', { ...base, topFile: 'a.zip:disk.img', files: ['a.zip:disk.img'] }).cloudImport;
    expect(stored).toMatchObject({ accepted: false, command: 'unzip a.zip disk.img' });
    const ova = containerInfo('raw', { ...base, topFile: 'vm.ova:disk.img.gz', files: ['vm.ova:disk.img.gz'] }, 'gzip').cloudImport;
    expect(ova).toMatchObject({ accepted: false, command: 'tar -xf vm.ova disk.img.gz && gunzip -k disk.img.gz' });
  });
  it('drops unknown sizes', () => {
    const i = containerInfo('raw', base);
    expect(i.allocatedSize).toBeUndefined();
    expect(i.clusterSize).toBeUndefined();
  });
});

describe('differencing VHDX (the dynamic fixture given a parent by the [MS-VHDX] fields)', () => {
  const MiB = 1 << 20;
  /** GUID text → its 16 on-disk bytes (first three fields little-endian). */
  function guidBytes(g: string): Uint8Array {
    const h = g.replace(/-/g, '');
    const b = Uint8Array.from(h.match(/../g)!.map((x) => parseInt(x, 16)));
    return Uint8Array.from([b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], ...b.subarray(8)]);
  }
  const utf16 = (s: string) => new Uint8Array(Buffer.from(s, 'utf16le'));
  const eq = (a: Uint8Array, b: Uint8Array) => a.every((x, i) => x === b[i]);

  /** Block 3 not present (parent), block 2 partially present (first half its own), has-parent flag, parent locator. */
  function makeDifferencing() {
    const orig = load('pattern.vhdx');
    const b = new Uint8Array(Math.ceil(orig.length / MiB) * MiB + MiB); // room for one sector bitmap block
    b.set(orig);
    const v = new DataView(b.buffer);
    const regions = 192 * 1024;
    let bat = 0, batLen = 0, meta = 0, metaLen = 0;
    for (let i = 0; i < v.getUint32(regions + 8, true); i++) {
      const e = regions + 16 + 32 * i;
      const id = b.subarray(e, e + 16);
      if (eq(id, guidBytes('2dc27766-f623-4200-9d64-115e9bfd4a08'))) { bat = Number(v.getBigUint64(e + 16, true)); batLen = v.getUint32(e + 24, true); }
      if (eq(id, guidBytes('8b7ca206-4790-4b9a-b8fe-575f050f886e'))) { meta = Number(v.getBigUint64(e + 16, true)); metaLen = v.getUint32(e + 24, true); }
    }
    expect(batLen).toBeGreaterThanOrEqual(4097 * 8);
    const count = v.getUint16(meta + 10, true);
    let free = 0;
    for (let i = 0; i < count; i++) {
      const e = meta + 32 + 32 * i;
      const off = v.getUint32(e + 16, true), len = v.getUint32(e + 20, true);
      free = Math.max(free, off + len);
      if (eq(b.subarray(e, e + 16), guidBytes('caa16737-fa36-4d43-b3b6-33f0aa44e76b'))) v.setUint32(meta + off + 4, v.getUint32(meta + off + 4, true) | 2, true);
    }
    // the parent locator item: type GUID, count, key/value entries, then UTF-16LE strings
    const pairs: [string, string][] = [['parent_linkage', '{00000000-0000-0000-0000-000000000001}'], ['relative_path', '.\\parent.img']];
    const loc = (free + 4095) & ~4095;
    expect(loc + 4096).toBeLessThanOrEqual(metaLen);
    b.set(guidBytes('b04aefb7-d19e-4a81-b789-25b8e9445913'), meta + loc);
    v.setUint16(meta + loc + 18, pairs.length, true);
    let str = 20 + 12 * pairs.length;
    pairs.forEach(([k, val], i) => {
      const e = meta + loc + 20 + 12 * i;
      const kb = utf16(k), vb = utf16(val);
      v.setUint32(e, str, true); b.set(kb, meta + loc + str); v.setUint16(e + 8, kb.length, true); str += kb.length;
      v.setUint32(e + 4, str, true); b.set(vb, meta + loc + str); v.setUint16(e + 10, vb.length, true); str += vb.length;
    });
    const ne = meta + 32 + 32 * count;
    b.set(guidBytes('a8d35f2d-b30b-454d-abf7-d3d84834ab0c'), ne);
    v.setUint32(ne + 16, loc, true);
    v.setUint32(ne + 20, str, true);
    v.setUint32(ne + 24, 4 | 2, true); // required, virtual disk
    v.setUint16(meta + 10, count + 1, true);
    // BAT: block 3 not present; block 2 partially present with a sector bitmap block at the end
    const state = (i: number) => Number(v.getBigUint64(bat + 8 * i, true) & 7n);
    expect(state(2)).toBe(6);
    expect(state(3)).toBe(6);
    v.setBigUint64(bat + 8 * 3, 0n, true);
    v.setBigUint64(bat + 8 * 2, (v.getBigUint64(bat + 8 * 2, true) & ~7n) | 7n, true);
    const sb = b.length - MiB;
    v.setBigUint64(bat + 8 * 4096, BigInt(sb) | 6n, true);
    // block 2's sectors are bits 2*2048 .. 3*2048-1 of chunk 0's bitmap; its first half is the child's
    b.fill(0xff, sb + (2 * 2048) / 8, sb + (2 * 2048 + 1024) / 8);
    return b;
  }

  it('reads not-present blocks and clear bitmap bits from the parent, the rest from the child', async () => {
    const b = makeDifferencing();
    const parent = new Uint8Array(source.length).fill(0x5a);
    const expected = source.slice();
    expected.set(parent.subarray(3 * MiB, 4 * MiB), 3 * MiB);
    expected.set(parent.subarray(2 * MiB + 512 * 1024, 3 * MiB), 2 * MiB + 512 * 1024);
    const s = await eng.open([parent, b], { names: ['parent.img', 'child.avhdx'] });
    const img = s.inspect();
    expect(img, JSON.stringify(s.lastError())).not.toBeNull();
    expect(img.container).toMatchObject({ subformat: 'differencing', topFile: 'child.avhdx', backingChain: ['parent.img'] });
    compareRanges(s, expected);
  });

  it('names the parent when it is missing', async () => {
    const s = await eng.open([makeDifferencing()], { names: ['child.avhdx'] });
    expect(s.inspect()).toBeNull();
    expect(s.lastError()).toMatchObject({ code: 'vhdx.parent.missing' });
    expect(s.lastError()!.message).toMatch(/parent\.img/);
  });
});

describe('a hand-written VMDK descriptor (VMware Virtual Disk Format 1.1, "The Descriptor File")', () => {
  const MiB = 1 << 20;
  const desc = (lines: string[]) => new Uint8Array(Buffer.from(['# Disk DescriptorFile', 'version=1', 'CID=fffffffe', 'parentCID=ffffffff', 'createType="vmfs"', '', '# Extent description', ...lines, '', '# The Disk Data Base', '#DDB', 'ddb.adapterType = "lsilogic"', ''].join('\n')));
  // FLAT with an offset (sectors), a ZERO extent, and a VMFS extent whose name has a space
  const a = new Uint8Array(MiB + 4 * MiB);
  a.fill(0x77, 0, MiB);
  a.set(source.subarray(0, 4 * MiB), MiB);
  const b = source.slice(8 * MiB);
  const expected = new Uint8Array(16 * MiB);
  expected.set(source.subarray(0, 4 * MiB));
  expected.set(b, 8 * MiB);

  it('joins FLAT (with offset), ZERO and VMFS extents into one disk', async () => {
    const d = desc(['RW 8192 FLAT "a.bin" 2048', 'RW 8192 ZERO', 'RDONLY 16384 VMFS "disk b-flat.vmdk"']);
    const s = await eng.open([b, d, a], { names: ['disk b-flat.vmdk', 'disk.vmdk', 'a.bin'] });
    const img = s.inspect();
    expect(img, JSON.stringify(s.lastError())).not.toBeNull();
    expect(img.container).toMatchObject({ subformat: 'vmfs', topFile: 'disk.vmdk', files: ['disk.vmdk', 'a.bin', 'disk b-flat.vmdk'] });
    compareRanges(s, expected);
  });

  it('a malformed extent line is named with its line', async () => {
    const s = await eng.open([desc(['RW many FLAT "a.bin"'])], { names: ['disk.vmdk'] });
    expect(s.inspect()).toBeNull();
    expect(s.lastError()).toMatchObject({ code: 'vmdk.descriptor.extent' });
    expect(s.lastError()!.message).toMatch(/line 8 has no sector count/);
  });

  it('an unknown extent type is named', async () => {
    const s = await eng.open([desc(['RW 8192 VMFSRDM2 "a.bin"']), a], { names: ['disk.vmdk', 'a.bin'] });
    expect(s.inspect()).toBeNull();
    expect(s.lastError()).toMatchObject({ code: 'vmdk.extent.type' });
  });
});

describe('qcow2 L2 tables are read in 4 KiB slices', () => {
  // A 512 MiB qcow2 (v2, 64 KiB clusters) with nothing allocated: header in
  // cluster 0, a one-entry L1 table in cluster 1, one 64 KiB L2 table of zero
  // entries in cluster 2. With readahead off, detection reads the header, a
  // 4 KiB piece of L1 and the 4 KiB L2 slices of the sectors it looks at (at
  // most the first and the last), where whole tables cost 72 KiB.
  it('an empty 512 MiB disk is detected from at most four 4 KiB blocks', async () => {
    const c = 65536, b = new Uint8Array(3 * c), dv = new DataView(b.buffer);
    b.set([0x51, 0x46, 0x49, 0xfb]);
    dv.setUint32(4, 2);
    dv.setUint32(20, 16);
    dv.setBigUint64(24, 512n << 20n);
    dv.setUint32(36, 1);
    dv.setBigUint64(40, BigInt(c));
    dv.setBigUint64(c, BigInt(2 * c));
    const s = await eng.open([b], { names: ['empty.qcow2'], pageShift: 12 });
    expect(s.inspect()).toMatchObject({ format: 'qcow2', virtualSize: 512 << 20 });
    expect(s.stats().bytesRead).toBeLessThanOrEqual(4 * 4096);
    expect(s.x.rawRead(-1, (512 << 20) - 4096, 4096)).toEqual(new Uint8Array(4096));
  });
});

describe('a read spanning many clusters costs few host reads', () => {
  // qemu-img writes the clusters of MiB 1..5 (all holding data) one after another,
  // so 4 MiB of the disk is one run of the file: one host read, not 64.
  it.each([['pattern-v2.qcow2'], ['pattern-sparse.vmdk'], ['pattern-dynamic.vhd'], ['pattern-dynamic.vdi'], ['pattern.vhdx']])('%s', async (name) => {
    const s = await eng.open([load(name)], { names: [name] });
    expect(s.inspect()).not.toBeNull();
    s.x.rawRead(-1, 1 << 20, 4096); // the tables on the way are read once
    const before = s.stats().readCalls;
    const got = s.x.rawRead(-1, 1 << 20, 4 << 20);
    expect(Buffer.compare(Buffer.from(got!), Buffer.from(source.subarray(1 << 20, 5 << 20)))).toBe(0);
    expect(s.stats().readCalls - before).toBeLessThanOrEqual(3);
  });
});
