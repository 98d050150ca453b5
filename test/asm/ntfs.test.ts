// SPDX-License-Identifier: Apache-2.0
// NTFS over test/fixtures/ntfs/basic.img.gz, made by test/fixtures/recipes/ntfs.sh
// (mkntfs, an ntfs-3g mount, reparse points through system.ntfs_reparse_data,
// WOF streams from wimcapture; see its header for the tree), and over the
// dissect.ntfs corpus in place. Corruption tests overwrite one field at its
// documented offset and expect exactly that error code.
import { describe, it, expect } from 'vitest';
import { loadEngine } from '../helpers/engine';
import { fixture, corpus, corpusPresent, CORPUS_ABSENT, pattern, sha256, dv, hasTool } from './disk-fixtures';
import { gunzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const eng = await loadEngine();
const text = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));
const load = () => fixture('ntfs/basic.img.gz');

async function open(img: Uint8Array, pageShift?: number) {
  const s = await eng.open([img], { pageShift });
  const info = s.inspect();
  return { s, info, vol: info?.volumes[0] };
}

/** Byte offset of MFT record `n` in the fixture (its MFT is contiguous at the start). */
function mftRecord(img: Uint8Array, n: number): number {
  const v = dv(img);
  const cluster = v.getUint16(0x0b, true) * img[0x0d];
  return Number(v.getBigUint64(0x30, true)) * cluster + n * 1024;
}

describe('ntfs: volume', () => {
  it('names the volume as blkid does: ntfs, serial as 16 hex digits, label from $Volume', async () => {
    const { vol } = await open(load());
    expect(vol).toMatchObject({ fs: 'ntfs', uuid: '1A2B3C4D5E6F7081', label: 'GC-NTFS' });
    expect(vol.error).toBeUndefined();
    expect(vol.features).toMatchObject({ type: 'ntfs', version: '3.1', clusterSize: 4096, mftRecordSize: 1024, indexRecordSize: 4096, dirty: false, hiberfil: false, hibernated: false });
  });

  it('reports the $Volume dirty flag', async () => {
    const img = load();
    // $VOLUME_INFORMATION of record 3: find the attribute (type 0x70) and set flags bit 0
    const at = mftRecord(img, 3);
    const v = dv(img);
    let p = at + v.getUint16(at + 0x14, true);
    while (v.getUint32(p, true) !== 0x70) p += v.getUint32(p + 4, true);
    const val = p + v.getUint16(p + 0x14, true);
    v.setUint16(val + 10, v.getUint16(val + 10, true) | 1, true);
    const { vol } = await open(img);
    expect(vol.features.dirty).toBe(true);
  });
});

describe('ntfs: reading', () => {
  it('lists the root with its Win32/POSIX names and system files, without . or DOS-only names', async () => {
    const { s } = await open(load());
    const names = s.readdir(0, '/')!.map((e) => e.name).sort();
    for (const n of ['hello.txt', 'Long File Name.txt', 'pattern.bin', 'sparse.bin', 'many', 'links', 'compressed', 'wof', 'Windows', 'link-rel', 'junction', '$MFT', '$Volume'])
      expect(names).toContain(n);
    expect(names).not.toContain('LONGFI~1.TXT'); // a DOS-only name is hidden
    expect(names).not.toContain('.');
  });

  it('reads resident, non-resident and sparse files', async () => {
    const { s } = await open(load());
    expect(text(s.readFile(0, '/hello.txt'))).toBe('Hello, NTFS\n');
    expect(sha256(s.readFile(0, '/pattern.bin')!)).toBe(sha256(pattern(300000)));
    const sp = s.readFile(0, '/sparse.bin')!;
    expect(sp.length).toBe(1 << 20);
    expect(sha256(sp.subarray(524288, 532480))).toBe(sha256(pattern(8192)));
    expect(sp.subarray(0, 524288).every((b) => b === 0)).toBe(true);
    expect(sp.subarray(532480).every((b) => b === 0)).toBe(true);
    expect(s.stat(0, '/frag.bin')!.size).toBe(300 * 4096);
    expect(sha256(s.readFile(0, '/pattern.bin', 4093, 9000)!)).toBe(sha256(pattern(300000).subarray(4093, 13093)));
  });

  it('looks names up case-insensitively through $UpCase, and by DOS name', async () => {
    const { s } = await open(load());
    expect(text(s.readFile(0, '/HELLO.TXT'))).toBe('Hello, NTFS\n');
    expect(text(s.readFile(0, '/windows/SYSTEM32/Drivers/VIOSTOR.SYS'))).toBe('viostor\n');
    expect(text(s.readFile(0, '/LONGFI~1.TXT'))).toBe('long\n');
    expect(s.stat(0, '/no-such-file')).toBeNull();
    expect(s.lastError()).toBeNull();
  });

  it('walks a 1500-entry directory through $INDEX_ALLOCATION, listing and looking up every name', async () => {
    const { s } = await open(load());
    const list = s.readdir(0, '/many')!;
    expect(list.length).toBe(1500);
    const want = Array.from({ length: 1500 }, (_, i) => `file-${String(i).padStart(4, '0')}.txt`);
    expect(list.map((e) => e.name).sort()).toEqual(want);
    for (const i of [0, 1, 377, 749, 750, 1111, 1498, 1499]) {
      const n = String(i).padStart(4, '0');
      expect(text(s.readFile(0, `/many/FILE-${n}.TXT`))).toBe(`${n}\n`);
    }
    expect(s.stat(0, '/many/file-1500.txt')).toBeNull();
    expect(s.stat(0, '/many/file-0000.tx')).toBeNull();
  });

  it('follows an attribute list: 25 hard links whose names overflow the base record', async () => {
    const { s } = await open(load());
    const list = s.readdir(0, '/links')!;
    expect(list.length).toBe(25);
    const st = s.stat(0, '/links/target.txt')!;
    expect(st.nlink).toBe(25);
    const long = 'L'.repeat(200);
    const other = s.stat(0, `/links/${long}-24.txt`)!;
    expect(other.node).toBe(st.node);
    expect(text(s.readFile(0, `/links/${long}-13.txt`))).toBe('linked\n');
  });

  it('reads a file of 300 one-cluster runs whose $DATA is split over two records by an attribute list', async () => {
    const { s } = await open(load());
    const f = s.readFile(0, '/frag.bin')!;
    expect(f.length).toBe(300 * 4096);
    for (let k = 0; k < 300; k++) {
      const want = (k * 7 + 1) % 256;
      expect(f[k * 4096] === want && f[k * 4096 + 4095] === want, `cluster ${k}`).toBe(true);
    }
    // reads that cross from the first $DATA piece into the second (istat -r shows it starting at VCN 201)
    for (const at of [200, 201, 202]) {
      const mid = s.readFile(0, '/frag.bin', at * 4096 - 10, 20)!;
      expect([...mid]).toEqual([...Array(10).fill(((at - 1) * 7 + 1) % 256), ...Array(10).fill((at * 7 + 1) % 256)]);
    }
    expect(s.readdir(0, '/gaps')!.length).toBe(400);
  });

  it('reads LZNT1-compressed files: compressible, patterned and incompressible units', async () => {
    const { s } = await open(load());
    expect(s.readFile(0, '/compressed/text.txt')!.length).toBe(204800);
    expect(sha256(s.readFile(0, '/compressed/pattern.bin')!)).toBe(sha256(pattern(300000)));
    expect(s.readFile(0, '/compressed/random.bin')!.length).toBe(65536);
    expect(sha256(s.readFile(0, '/compressed/pattern.bin', 70000, 5000)!)).toBe(sha256(pattern(300000).subarray(70000, 75000)));
  });

  it('resolves symlinks and junctions; reports their targets as guest paths', async () => {
    const { s } = await open(load());
    expect(s.readlink(0, '/link-rel')).toBe('hello.txt');
    expect(s.readlink(0, '/link-abs')).toBe('/Windows/System32');
    expect(s.readlink(0, '/junction')).toBe('/Windows');
    expect(text(s.readFile(0, '/link-rel'))).toBe('Hello, NTFS\n');
    expect(text(s.readFile(0, '/junction/System32/drivers/viostor.sys'))).toBe('viostor\n');
    expect(s.stat(0, '/junction', false)!.kind).toBe('symlink');
    const root = s.readdir(0, '/')!;
    expect(root.find((e) => e.name === 'junction')!.kind).toBe('symlink');
  });

  it('reads WOF XPRESS 4K/8K/16K and LZX files', async () => {
    const { s } = await open(load());
    for (const f of ['x4k.txt', 'x8k.bin', 'x16k.bin', 'lzx.bin', 'lzx-e8.bin']) {
      const orig = s.readFile(0, `/wof/${f.replace(/\.[a-z]+$/, '.orig')}`)!;
      const got = s.readFile(0, `/wof/${f}`);
      expect(got, `${f}: ${JSON.stringify(s.lastError())}`).not.toBeNull();
      expect(sha256(got!)).toBe(sha256(orig));
    }
    expect(sha256(s.readFile(0, '/wof/lzx.bin', 40000, 30000)!)).toBe(sha256(s.readFile(0, '/wof/lzx.orig')!.subarray(40000, 70000)));
  });

  it('gives identical contents with 512 B, 4 KiB and 1 MiB cache pages', async () => {
    const sums: string[] = [];
    for (const ps of [9, 12, 20]) {
      const { s } = await open(load(), ps);
      sums.push(sha256(s.readFile(0, '/compressed/text.txt')!) + sha256(s.readFile(0, '/frag.bin')!));
    }
    expect(new Set(sums).size).toBe(1);
  });
});

describe('ntfs: damage', () => {
  it('rejects a record whose fixup does not match (torn write)', async () => {
    const img = load();
    const at = mftRecord(img, 5); // the root directory
    img[at + 510] ^= 0xff;
    const { vol } = await open(img);
    expect(vol.errorCode).toBe('ntfs.mft.fixup');
  });

  it('rejects a bad MFT record size and an MFT outside the volume', async () => {
    let img = load();
    img[0x40] = 3; // three 4 KiB clusters: not a power of two
    let r = await open(img);
    expect(r.vol.errorCode).toBe('ntfs.boot.record-size');
    img = load();
    dv(img).setBigUint64(0x30, 1n << 40n, true);
    r = await open(img);
    expect(r.vol.errorCode).toBe('ntfs.boot.mft-lcn');
  });

  it('rejects a runlist that points outside the volume', async () => {
    const img = load();
    // pattern.bin is record 66: its $DATA runlist's first LCN byte pushed far out
    const at = mftRecord(img, 66);
    const v = dv(img);
    let p = at + v.getUint16(at + 0x14, true);
    while (v.getUint32(p, true) !== 0x80) p += v.getUint32(p + 4, true);
    const runs = p + v.getUint16(p + 0x20, true);
    const h = img[runs];
    const lenSize = h & 15, lcnSize = h >> 4;
    const huge = img.slice();
    img[runs + lenSize + lcnSize] = 0x7f; // top byte of the LCN
    const { s } = await open(img);
    expect(s.readFile(0, '/pattern.bin')).toBeNull();
    expect(s.lastError()!.code).toBe('ntfs.runlist.range');
    // a run length (the length field's top byte) that no longer matches the attribute's VCN range
    huge[runs + lenSize] = 0xff;
    const r = await open(huge);
    expect(r.s.readFile(0, '/pattern.bin')).toBeNull();
    expect(r.s.lastError()!.code).toBe('ntfs.runlist.span');
  });

  it('detects a cycle in a directory index (a child VCN pointing back to its own node)', async () => {
    const img = load();
    const v = dv(img);
    // find /many's inner INDX node (its entries have children) and point one child at the node itself
    let done = false;
    for (let at = 0; at + 4096 <= img.length && !done; at += 4096) {
      if (v.getUint32(at, true) !== 0x58444e49) continue; // "INDX"
      const rec = img.slice(at, at + 4096);
      const usa = v.getUint16(at + 4, true);
      for (let i = 1; i <= 8; i++) { rec[i * 512 - 2] = img[at + usa + 2 * i]; rec[i * 512 - 1] = img[at + usa + 2 * i + 1]; }
      const r = dv(rec);
      const ownVcn = r.getBigUint64(0x10, true);
      let p = 0x18 + r.getUint32(0x18, true);
      const keys: { name: string; vcnAt: number }[] = [];
      for (;;) {
        const len = r.getUint16(p + 8, true), flags = r.getUint16(p + 12, true);
        if (!(flags & 1)) break;
        if (flags & 2) break;
        const n = rec[p + 16 + 0x40];
        keys.push({ name: new TextDecoder('utf-16le').decode(rec.subarray(p + 16 + 0x42, p + 16 + 0x42 + 2 * n)), vcnAt: p + len - 8 });
        p += len;
      }
      const k = keys.findIndex((e, i) => i > 0 && /^file-\d{4}\.txt$/.test(e.name) && (e.vcnAt % 512) < 500);
      if (k < 0) continue;
      v.setBigUint64(at + keys[k].vcnAt, ownVcn, true);
      const below = String(Number(keys[k].name.slice(5, 9)) - 1).padStart(4, '0');
      const { s } = await open(img);
      expect(s.stat(0, `/many/file-${below}.txt`)).toBeNull();
      expect(s.lastError()!.code).toBe('ntfs.dir.cycle');
      expect(s.readdir(0, '/many')!.length).toBe(1500); // the listing reads each node once, in allocation order
      done = true;
    }
    expect(done, 'an inner index node of /many').toBe(true);
  });
});

describe.skipIf(!corpusPresent)('ntfs: dissect.ntfs corpus', () => {
  const gz = (rel: string) => { const b = corpus(rel); return b === null ? null : new Uint8Array(gunzipSync(b)); };
  it('reads the 10 MiB "New Volume" made by Windows', async () => {
    const { s, vol } = await open(gz('dissect.ntfs/ntfs.bin.gz')!);
    expect(vol).toMatchObject({ fs: 'ntfs', label: 'New Volume' });
    expect(text(s.readFile(0, '/File.txt'))).toBe('Contents here');
    expect(s.stat(0, '/File.txt')!.node).toBe(41);
    const large = s.readFile(0, '/Large.txt')!;
    expect(large.length).toBe(2097152);
    expect(large.every((b) => b === 0x41)).toBe(true);
    expect(s.readdir(0, '/Directory')!.map((e) => e.name).sort()).toEqual(['File 1.txt', 'File 2.txt']);
    expect(s.stat(0, '/Random.bin')!.size).toBe(524288);
  });

  it('reads a boot sector with 2 MiB clusters (sectors-per-cluster byte as a negative power of two)', async () => {
    const b = gz('dissect.ntfs/boot_2m.bin.gz')!;
    const { vol } = await open(b);
    // the file holds only the start of the volume: the boot sector parses, the MFT is beyond the file
    expect(vol.fs).toBe('ntfs');
    expect(vol.errorCode).toBe('ntfs.boot.mft-past-end');
    expect(vol.error).toMatch(/past the end/);
  });
}, 60000);
if (!corpusPresent) it.skip(CORPUS_ABSENT, () => {});

describe('ntfs: never traps, never hangs', () => {
  it('survives 60 random corruptions of the MFT and the index records', async () => {
    let seed = 0x5eed1;
    const rand = (n: number) => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % n);
    const clean = load();
    const mft = mftRecord(clean, 0);
    // the first 2500 MFT records (every file of the fixture), and the clusters after them (index records, runlists' data)
    const span = 2500 * 1024;
    for (let round = 0; round < 60; round++) {
      const img = clean.slice();
      for (let k = 1 + rand(12); k > 0; k--) img[mft + rand(span)] = rand(256);
      const s = await eng.open([img]);
      const t0 = Date.now();
      const info = s.inspect();
      expect(info).not.toBeNull();
      if (info.volumes[0]?.fs !== 'ntfs' || info.volumes[0].error) continue;
      // walk whatever tree is left, a bounded number of steps
      const todo = ['/'];
      let files = 0;
      for (let steps = 0; todo.length > 0 && steps < 100; steps++) {
        const dir = todo.pop()!;
        for (const e of s.readdir(0, dir) ?? []) {
          const p = (dir === '/' ? '' : dir) + '/' + e.name;
          if (e.kind === 'dir') todo.push(p);
          else if (files++ < 120) { s.stat(0, p); s.readFile(0, p, 0, 1 << 20); s.readlink(0, p); }
        }
      }
      expect(Date.now() - t0, `round ${round}`).toBeLessThan(20000);
    }
  }, 120000);
});

describe.skipIf(!hasTool('mkntfs') || !hasTool('ntfscp'))('ntfs: 64 KiB clusters (index records smaller than a cluster)', () => {
  it('addresses index records in 512-byte VCN units, listing and looking up 150 names', async () => {
    // built here: mkntfs -c 65536, then 150 files copied into the root with ntfscp
    const dir = mkdtempSync(join(tmpdir(), 'gc-ntfs64-'));
    try {
      const img = join(dir, 'c64.img');
      const src = join(dir, 'f.txt');
      writeFileSync(src, 'sixty-four\n');
      expect(spawnSync('truncate', ['-s', '64M', img]).status).toBe(0);
      expect(spawnSync('mkntfs', ['-F', '-Q', '-q', '-c', '65536', '-s', '512', img]).status).toBe(0);
      for (let i = 1; i <= 150; i++) expect(spawnSync('ntfscp', ['-f', img, src, `/file-${i}.txt`]).status).toBe(0);
      const { s, vol } = await open(new Uint8Array(readFileSync(img)));
      expect(vol.features).toMatchObject({ clusterSize: 65536, indexRecordSize: 4096 });
      const names = s.readdir(0, '/')!.map((e) => e.name).filter((n) => n.startsWith('file-'));
      expect(names.length).toBe(150);
      for (const i of [1, 42, 99, 100, 150]) expect(text(s.readFile(0, `/FILE-${i}.TXT`))).toBe('sixty-four\n');
      expect(s.stat(0, '/file-151.txt')).toBeNull();
    } finally { rmSync(dir, { recursive: true, force: true }); }
  }, 60000);
});

describe.skipIf(!hasTool('ntfscp'))('ntfs: hibernation', () => {
  it('reports hiberfil.sys and whether it holds a hibernated system (HIBR/WAKE signature)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gc-hibr-'));
    try {
      for (const [sig, hibernated] of [['HIBR', true], ['\0\0\0\0', false]] as const) {
        const img = join(dir, 'v.img');
        writeFileSync(img, load());
        const h = new Uint8Array(8192);
        h.set(new TextEncoder().encode(sig));
        writeFileSync(join(dir, 'hiberfil.sys'), h);
        expect(spawnSync('ntfscp', ['-f', img, join(dir, 'hiberfil.sys'), '/hiberfil.sys']).status).toBe(0);
        const { vol } = await open(new Uint8Array(readFileSync(img)));
        expect(vol.features).toMatchObject({ hiberfil: true, hiberfilSize: 8192, hibernated, hiberfilSignature: hibernated ? 'HIBR' : '' });
      }
    } finally { rmSync(dir, { recursive: true, force: true }); }
  }, 60000);
});
