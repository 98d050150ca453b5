// SPDX-License-Identifier: Apache-2.0
// FAT12/16/32 (Microsoft fatgen103) over fat12.img, fat16.img and fat32.img,
// made by test/fixtures/recipes/fat.sh with mkfs.vfat and mtools (see its
// header for the tree). Corruption tests copy an image, overwrite one field
// (a BPB field at its fatgen103 offset, one FAT entry, one directory byte)
// and expect exactly that error code.
import { describe, it, expect } from 'vitest';
import { loadEngine } from '../helpers/engine';
import {
  fixture, corpus, corpusPresent, CORPUS_ABSENT, pattern, sha256, dv, fatGeom, setFatEntry, getFatEntry, firstCluster,
} from './disk-fixtures';

const eng = await loadEngine();
const text = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));

async function open(img: Uint8Array, pageShift?: number) {
  const s = await eng.open([img], { pageShift });
  const info = s.inspect();
  return { s, info, vol: info.volumes[0] };
}

const IMAGES = [
  { name: 'fat12', bits: 12, label: 'FAT12VOL', uuid: '1212-ABCD', clusterSize: 512 },
  { name: 'fat16', bits: 16, label: 'FAT16VOL', uuid: '1616-ABCD', clusterSize: 2048 },
  { name: 'fat32', bits: 32, label: 'FAT32VOL', uuid: '3232-ABCD', clusterSize: 512 },
] as const;

const ROOT = [
  'A long file name with spaces.txt', 'README.TXT', 'dir1', 'empty.txt', 'fragmented.bin', 'gaps', 'hello.txt',
  'many', 'pattern.bin', 'ro.txt', 'ünïcödé-名前.txt',
];
const MTIME = 1735689600; // the recipe's SOURCE_DATE_EPOCH, 2025-01-01T00:00:00Z
const EOC = { 12: 0xfff, 16: 0xffff, 32: 0x0fffffff } as const;
const BAD = { 12: 0xff7, 16: 0xfff7, 32: 0x0ffffff7 } as const;

for (const im of IMAGES) {
  const load = () => fixture(`fat/${im.name}.img.gz`);

  describe(`${im.name}: reading`, () => {
    it('names the volume as blkid does: vfat, serial as XXXX-XXXX, label from the root directory', async () => {
      const { vol } = await open(load());
      expect(vol).toMatchObject({ id: 'disk', fs: 'vfat', uuid: im.uuid, label: im.label });
      expect(vol.features).toMatchObject({ fatBits: im.bits, clusterSize: im.clusterSize, oemName: 'mkfs.fat' });
      expect(vol.error).toBeUndefined();
    });

    it('lists the root without . and .., with long names and NT lower-case 8.3 names', async () => {
      const { s } = await open(load());
      const list = s.readdir(0, '/')!;
      expect(list.map((e) => e.name).sort()).toEqual([...ROOT].sort());
      expect(list.find((e) => e.name === 'dir1')!.kind).toBe('dir');
      expect(list.find((e) => e.name === 'hello.txt')!.kind).toBe('file');
    });

    it('reads small files, an empty one, and one under nested directories', async () => {
      const { s } = await open(load());
      expect(text(s.readFile(0, '/hello.txt'))).toBe('hello, fat\n');
      expect(text(s.readFile(0, '/README.TXT'))).toBe('upper case 8.3\n');
      expect(text(s.readFile(0, '/A long file name with spaces.txt'))).toBe('long name\n');
      expect(text(s.readFile(0, '/ünïcödé-名前.txt'))).toBe('unicode\n');
      expect(s.readFile(0, '/empty.txt')).toEqual(new Uint8Array(0));
      expect(text(s.readFile(0, '/dir1/dir2/dir3/deep.txt'))).toBe('deep\n');
    });

    it('looks names up case-insensitively, by long or by 8.3 name', async () => {
      const { s } = await open(load());
      expect(text(s.readFile(0, '/HELLO.TXT'))).toBe('hello, fat\n');
      expect(text(s.readFile(0, '/a LONG file NAME with spaces.TXT'))).toBe('long name\n');
      expect(text(s.readFile(0, '/ALONGF~1.TXT'))).toBe('long name\n');
      expect(text(s.readFile(0, '/DIR1/Dir2/dir3/DEEP.txt'))).toBe('deep\n');
      expect(s.stat(0, '/no-such-file')).toBeNull();
      expect(s.lastError()).toBeNull();
    });

    it('reads files spanning many clusters, contiguous and fragmented, whole and in pieces', async () => {
      const { s } = await open(load());
      expect(sha256(s.readFile(0, '/pattern.bin')!)).toBe(sha256(pattern(150000)));
      const frag = pattern(40000);
      expect(sha256(s.readFile(0, '/fragmented.bin')!)).toBe(sha256(frag));
      for (const [off, len] of [[1, 4095], [4000, 9000], [39990, 100], [12345, 1]]) {
        expect(s.readFile(0, '/fragmented.bin', off, len)).toEqual(frag.slice(off, Math.min(off + len, frag.length)));
      }
      expect(s.readFile(0, '/fragmented.bin', 40000, 10)).toEqual(new Uint8Array(0));
      for (let i = 0; i < 40; i += 2) {
        const b = s.readFile(0, `/gaps/gap-${String(i).padStart(2, '0')}-keep.bin`)!;
        expect(b.length).toBe(4096);
        expect(b.every((x) => x === i)).toBe(true);
      }
      expect(s.stat(0, '/gaps/gap-01-drop.bin')).toBeNull();
    });

    it('lists a directory of several clusters (200 long names)', async () => {
      const { s } = await open(load());
      const list = s.readdir(0, '/many')!;
      expect(list).toHaveLength(200);
      expect(list.map((e) => e.name)).toContain('file number 137 with a long name.txt');
      expect(text(s.readFile(0, '/many/file number 199 with a long name.txt'))).toBe('199\n');
    });

    it('stats: size, kind, Linux vfat default modes (read-only loses w), mtime, node = entry offset', async () => {
      const { s } = await open(load());
      expect(s.stat(0, '/pattern.bin')).toMatchObject({ kind: 'file', size: 150000, mode: 0o100755, mtime: MTIME });
      expect(s.stat(0, '/ro.txt')).toMatchObject({ kind: 'file', mode: 0o100555 });
      expect(s.stat(0, '/dir1')).toMatchObject({ kind: 'dir', mode: 0o40755 });
      expect(s.stat(0, '/')).toMatchObject({ kind: 'dir', mode: 0o40755, node: 1 });
      const g = fatGeom(load());
      const node = s.stat(0, '/hello.txt')!.node;
      expect(node % 32).toBe(0);
      expect(node).toBeGreaterThanOrEqual(g.rootDirOffset);
    });

    it('gives identical answers with 512 B, 4 KiB and 1 MiB cache pages', async () => {
      const answers = [];
      for (const shift of [9, 12, 20]) {
        const { s, info } = await open(load(), shift);
        answers.push({
          info,
          root: s.readdir(0, '/'),
          many: s.readdir(0, '/many'),
          frag: sha256(s.readFile(0, '/fragmented.bin')!),
          deep: s.stat(0, '/dir1/dir2/dir3/deep.txt'),
        });
      }
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
    });

    it('has no symbolic links', async () => {
      const { s } = await open(load());
      expect(s.readlink(0, '/hello.txt')).toBeNull();
    });
  });

  describe(`${im.name}: damage`, () => {
    async function withFat(edit: (img: Uint8Array, first: number, g: ReturnType<typeof fatGeom>) => void, path = '/pattern.bin') {
      const img = load();
      const g = fatGeom(img);
      const { s } = await open(img.slice());
      const first = firstCluster(img, s.stat(0, path)!.node, g);
      edit(img, first, g);
      return open(img);
    }

    it('fails with fat.chain.loop when a chain comes back on itself', async () => {
      const { s } = await withFat((img, c, g) => setFatEntry(img, g, getFatEntry(img, g, c), c));
      expect(s.readFile(0, '/pattern.bin')).toBeNull();
      expect(s.lastError()?.code).toBe('fat.chain.loop');
    });

    it('fails with fat.chain.loop for a directory whose chain loops, never hanging', async () => {
      const { s } = await withFat((img, c, g) => setFatEntry(img, g, c, c), '/many');
      expect(s.readdir(0, '/many')).toBeNull();
      expect(s.lastError()?.code).toBe('fat.chain.loop');
    });

    it('fails with fat.chain.free when a chain leads to a free cluster', async () => {
      const { s } = await withFat((img, c, g) => setFatEntry(img, g, c, 0));
      expect(s.readFile(0, '/pattern.bin')).toBeNull();
      expect(s.lastError()?.code).toBe('fat.chain.free');
    });

    it('fails with fat.chain.short when the chain ends before the size does', async () => {
      const { s } = await withFat((img, c, g) => setFatEntry(img, g, c, EOC[im.bits]));
      expect(s.readFile(0, '/pattern.bin')).toBeNull();
      expect(s.lastError()?.code).toBe('fat.chain.short');
      expect(text(s.readFile(0, '/hello.txt'))).toBe('hello, fat\n');
    });

    it('fails with fat.chain.bad-cluster and fat.chain.out-of-range', async () => {
      let r = await withFat((img, c, g) => setFatEntry(img, g, c, BAD[im.bits]));
      expect(r.s.readFile(0, '/pattern.bin')).toBeNull();
      expect(r.s.lastError()?.code).toBe('fat.chain.bad-cluster');
      r = await withFat((img, c, g) => setFatEntry(img, g, c, BAD[im.bits] - 2));
      expect(r.s.readFile(0, '/pattern.bin')).toBeNull();
      expect(r.s.lastError()?.code).toBe('fat.chain.out-of-range');
    });

    it('falls back to the 8.3 name when a long-name checksum does not match', async () => {
      const { s } = await withFat((img, _c, _g) => {}, '/hello.txt');
      const node = s.stat(0, '/A long file name with spaces.txt')!.node;
      const img = load();
      img[node - 32 + 13] ^= 0x5a; // LDIR_Chksum of the LFN entry just before the short entry
      const r = await open(img);
      expect(r.s.readdir(0, '/')!.map((e) => e.name)).toContain('ALONGF~1.TXT');
      expect(r.s.stat(0, '/A long file name with spaces.txt')).toBeNull();
      expect(text(r.s.readFile(0, '/alongf~1.txt'))).toBe('long name\n');
    });

    it('decodes 8.3 names in code page 437, 0x05 standing for a leading 0xE5', async () => {
      const { s } = await open(load());
      const node = s.stat(0, '/README.TXT')!.node;
      const img = load();
      img[node] = 0x05; // DIR_Name[0]: 0xE5 is σ in CP437
      img[node + 1] = 0x82; // é
      const r = await open(img);
      expect(r.s.readdir(0, '/')!.map((e) => e.name)).toContain('σéADME.TXT');
      expect(text(r.s.readFile(0, '/σéadme.txt'))).toBe('upper case 8.3\n');
    });

    it('takes the label from the root directory first, then from the BPB', async () => {
      const img = load();
      const labelOff = im.bits === 32 ? 71 : 43; // BS_VolLab
      img.set(new TextEncoder().encode('OTHERLABEL '), labelOff);
      expect((await open(img.slice())).vol.label).toBe(im.label);
      const g = fatGeom(img);
      const rootStart = im.bits === 32 ? g.dataOffset : g.rootDirOffset; // FAT32: root at cluster 2
      expect(img[rootStart + 11]).toBe(0x08); // ATTR_VOLUME_ID
      img[rootStart] = 0xe5;
      expect((await open(img)).vol.label).toBe('OTHERLABEL');
    });

    it('rejects a BPB media byte outside 0xF0, 0xF8-0xFF (fat.bpb.media)', async () => {
      const img = load();
      img[21] = 0x12; // BPB_Media
      const { vol } = await open(img);
      expect(vol).toMatchObject({ fs: 'vfat', errorCode: 'fat.bpb.media' });
    });

    it('rejects a zero total sector count (fat.bpb.total-sectors)', async () => {
      const img = load();
      dv(img).setUint16(19, 0, true); // BPB_TotSec16
      dv(img).setUint32(32, 0, true); // BPB_TotSec32
      expect((await open(img)).vol.errorCode).toBe('fat.bpb.total-sectors');
    });

    it('rejects a FAT too small for the clusters (fat.bpb.fat-size)', async () => {
      const img = load();
      if (im.bits === 32) dv(img).setUint32(36, 1, true); // BPB_FATSz32
      else dv(img).setUint16(22, 1, true); // BPB_FATSz16
      expect((await open(img)).vol.errorCode).toBe('fat.bpb.fat-size');
    });

    if (im.bits === 32) {
      it('rejects a FAT32 root cluster outside the volume (fat.bpb.root-cluster)', async () => {
        const img = load();
        dv(img).setUint32(44, 0, true); // BPB_RootClus
        expect((await open(img)).vol.errorCode).toBe('fat.bpb.root-cluster');
      });

      it('rejects a FAT32 BPB with a fixed root directory (fat.bpb.root-entries)', async () => {
        const img = load();
        dv(img).setUint16(17, 512, true); // BPB_RootEntCnt
        expect((await open(img)).vol.errorCode).toBe('fat.bpb.root-entries');
      });

      it('opens a FAT32 volume whose root chain loops, and names the loop on readdir', async () => {
        const img = load();
        const g = fatGeom(img);
        setFatEntry(img, g, 2, 2);
        const { s, vol } = await open(img);
        expect(vol.features.rootError).toMatch(/^fat\.chain\.loop/);
        expect(vol.label).toBe(im.label); // from the BPB
        expect(s.readdir(0, '/')).toBeNull();
        expect(s.lastError()?.code).toBe('fat.chain.loop');
      });
    }
  });
}

describe('FAT: never traps, never hangs', () => {
  for (const im of IMAGES) {
    it(`${im.name}: survives 60 random corruptions of the boot sector, FAT and directories`, async () => {
      let seed = 0x1234567 + im.bits;
      const rand = (n: number) => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % n);
      const clean = fixture(`fat/${im.name}.img.gz`);
      const g = fatGeom(clean);
      const metaEnd = g.dataOffset + 64 * g.clusterSize; // the first directories live in the first clusters
      for (let round = 0; round < 60; round++) {
        const img = clean.slice();
        for (let k = 1 + rand(8); k > 0; k--) img[rand(metaEnd)] = rand(256);
        const s = await eng.open([img]);
        const info = s.inspect();
        expect(info).not.toBeNull();
        if (info.volumes[0]?.fs !== 'vfat' || info.volumes[0].error) continue;
        // walk whatever tree is left, a bounded number of steps
        const todo = ['/'];
        for (let steps = 0; todo.length > 0 && steps < 300; steps++) {
          const dir = todo.pop()!;
          for (const e of s.readdir(0, dir) ?? []) {
            const p = (dir === '/' ? '' : dir) + '/' + e.name;
            if (e.kind === 'dir') todo.push(p); else s.readFile(0, p, 0, 1 << 20);
          }
        }
      }
    });
  }
});

describe.skipIf(!corpusPresent)('FAT: dissect.fat corpus', () => {
  it('reads fat12.bin: label VOLLAB1, serial E038-BB7C, three files', async () => {
    const { s, vol } = await open(corpus('dissect.fat/fat12.bin')!);
    expect(vol).toMatchObject({ fs: 'vfat', label: 'VOLLAB1', uuid: 'E038-BB7C' });
    expect(s.readdir(0, '/')!.map((e) => e.name).sort()).toEqual(['file1.txt', 'file2.txt', 'subdir1']);
    expect(s.stat(0, '/file1.txt')!.size).toBe(20);
    expect(s.readFile(0, '/file1.txt')!.length).toBe(20);
    expect(s.readFile(0, '/file2.txt')!.length).toBe(23);
    expect(s.readFile(0, '/subdir1/file3.txt')!.length).toBe(27);
  });

  it('reads disk2.img: rand.txt, 1024 bytes in two clusters', async () => {
    const { s, vol } = await open(corpus('dissect.fat/disk2.img')!);
    expect(vol.fs).toBe('vfat');
    expect(s.readFile(0, '/rand.txt')!.length).toBe(1024);
  });
});

if (!corpusPresent) describe('FAT: dissect.fat corpus', () => it.skip(CORPUS_ABSENT, () => {}));
