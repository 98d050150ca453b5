// SPDX-License-Identifier: Apache-2.0
// MBR and the EBR chain over mbr-logical.img (sfdisk, made by
// test/fixtures/recipes/partitions.sh): p1 0x83 active, p2 0x0c, p3 extended
// (LBA 14336..), logical p5 0x83, p6 0x82, p7 0x8e, disk id 0x5eedc0de.
// Its EBRs: LBA 14336 (→ p5, link +6144), 20480 (→ p6, link +10240), 24576 (→ p7, end).
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { loadEngine } from '../helpers/engine';
import { fixture, corpus, corpusPresent, CORPUS, CORPUS_ABSENT, dv, hasTool } from './disk-fixtures';

const eng = await loadEngine();

async function inspect(img: Uint8Array) {
  const s = await eng.open([img]);
  return { s, info: s.inspect() };
}

const SS = 512;
// MBR layout (the IBM PC partition table)
const DISK_SIGNATURE = 0x1b8;
const ENTRY = (slot: number) => 0x1be + 16 * slot;
const E_STATUS = 0, E_TYPE = 4, E_LBA = 8, E_SECTORS = 12;
const BOOT_SIG = 0x1fe;

const EBR = [14336, 20480, 24576];
const mbrLogical = () => fixture('partitions/mbr-logical.img.gz');

function setEntry(img: Uint8Array, sectorLba: number, slot: number, status: number, type: number, lba: number, sectors: number) {
  const at = sectorLba * SS + ENTRY(slot);
  img[at + E_STATUS] = status;
  img[at + E_TYPE] = type;
  dv(img).setUint32(at + E_LBA, lba, true);
  dv(img).setUint32(at + E_SECTORS, sectors, true);
}

describe('MBR: primaries, extended and logical partitions', () => {
  it('numbers logical partitions 5, 6, 7 as Linux does, and forms PARTUUIDs as blkid does', async () => {
    const { info } = await inspect(mbrLogical());
    expect(info.partitionTable).toBe('mbr');
    expect(info.diskId).toBe('5eedc0de');
    expect(info.notes).toEqual([]);
    expect(info.volumes).toMatchObject([
      { id: 'p1', start: 2048 * SS, size: 8192 * SS, type: '0x83', typeName: 'Linux', partuuid: '5eedc0de-01', bootable: true },
      { id: 'p2', start: 10240 * SS, size: 4096 * SS, type: '0x0c', typeName: 'W95 FAT32 (LBA)', partuuid: '5eedc0de-02', bootable: false },
      { id: 'p5', start: 16384 * SS, size: 4096 * SS, type: '0x83', partuuid: '5eedc0de-05' },
      { id: 'p6', start: 22528 * SS, size: 2048 * SS, type: '0x82', typeName: 'Linux swap / Solaris', partuuid: '5eedc0de-06' },
      { id: 'p7', start: 26624 * SS, size: 4096 * SS, type: '0x8e', typeName: 'Linux LVM', partuuid: '5eedc0de-07' },
    ]);
    expect(info.hasBootCode).toBe(false);
  });

  it('fails with mbr.ebr.loop when an EBR links back to an earlier one', async () => {
    const img = mbrLogical();
    setEntry(img, EBR[2], 1, 0, 0x05, 0, 2048); // link of the last EBR → the first (offset 0 in the extended)
    const { info } = await inspect(img);
    expect(info.partitionTable).toBe('none');
    expect(info.tableErrorCode).toBe('mbr.ebr.loop');
    expect(info.tableError).toMatch(/loops back to LBA 14336 after 3 records/);
  });

  it('fails with mbr.ebr.loop when an EBR links to itself', async () => {
    const img = mbrLogical();
    setEntry(img, EBR[0], 1, 0, 0x05, 0, 2048);
    expect((await inspect(img)).info.tableErrorCode).toBe('mbr.ebr.loop');
  });

  it('stops a chain longer than Linux reads (limit mbr.ebr.too-many) without hanging', async () => {
    const n = 300, ext = 2048;
    const img = new Uint8Array((ext + n + 1) * SS);
    img[BOOT_SIG] = 0x55; img[BOOT_SIG + 1] = 0xaa;
    setEntry(img, 0, 0, 0, 0x0f, ext, n + 1);
    for (let k = 0; k < n; k++) {
      const lba = ext + k;
      img[lba * SS + BOOT_SIG] = 0x55; img[lba * SS + BOOT_SIG + 1] = 0xaa;
      setEntry(img, lba, 1, 0, 0x05, k + 1, 1); // no data partition, just the next link
    }
    const { s, info } = await inspect(img);
    expect(info.tableErrorCode).toBe('mbr.ebr.too-many');
    expect(s.lastError()).toBeNull();
  });

  it('fails with mbr.ebr.out-of-range when an EBR lies past the end of the disk', async () => {
    const img = mbrLogical();
    setEntry(img, EBR[1], 1, 0, 0x05, 0x7fff0000, 2048);
    expect((await inspect(img)).info.tableErrorCode).toBe('mbr.ebr.out-of-range');
  });

  it('ends the chain at an EBR without 55AA, with a note, as Linux does', async () => {
    const img = mbrLogical();
    img[EBR[2] * SS + BOOT_SIG] = 0;
    const { info } = await inspect(img);
    expect(info.volumes.map((v: any) => v.id)).toEqual(['p1', 'p2', 'p5', 'p6']);
    expect(info.notes).toEqual([expect.stringMatching(/extended boot record at LBA 24576 has no 55AA signature/)]);
  });

  it('notes more than one active primary partition', async () => {
    const img = mbrLogical();
    img[ENTRY(1) + E_STATUS] = 0x80;
    const { info } = await inspect(img);
    expect(info.notes).toEqual(['2 primary partitions are marked active; BIOS boot code expects one']);
  });

  it('leaves PARTUUID empty when the disk signature is zero (blkid does)', async () => {
    const img = mbrLogical();
    dv(img).setUint32(DISK_SIGNATURE, 0, true);
    const { info } = await inspect(img);
    expect(info.diskId).toBe('00000000');
    expect(info.volumes.every((v: any) => v.partuuid === '')).toBe(true);
  });

  it('notes a partition that ends past the end of the disk', async () => {
    const img = mbrLogical().slice(0, 13 * 1024 * 1024); // the last EBR (12 MiB) stays, p7 (13..15 MiB) does not
    const { info } = await inspect(img);
    expect(info.notes).toContainEqual(expect.stringMatching(/^partition 7 .* ends past the end of the disk/));
  });
});

describe('MBR: telling a table from a boot sector', () => {
  it('reads a bare FAT filesystem (its boot sector ends in 55AA too) as no partition table', async () => {
    const { info } = await inspect(fixture('fat/fat12.img.gz'));
    expect(info.partitionTable).toBe('none');
    expect(info.tableErrorCode).toBeUndefined();
    expect(info.volumes).toMatchObject([{ id: 'disk', fs: 'vfat' }]);
  });

  for (const f of ['fat16', 'fat32']) {
    it(`reads a bare ${f} as no partition table`, async () => {
      const { info } = await inspect(fixture(`fat/${f}.img.gz`));
      expect(info.partitionTable).toBe('none');
      expect(info.volumes[0].fs).toBe('vfat');
    });
  }

  it('reads a 55AA sector with no entries and no BPB as an empty MBR', async () => {
    const img = new Uint8Array(1 << 20);
    img[BOOT_SIG] = 0x55; img[BOOT_SIG + 1] = 0xaa;
    const { info } = await inspect(img);
    expect(info.partitionTable).toBe('mbr');
    expect(info.volumes).toEqual([]);
  });

  it('reads a sector whose status bytes are neither 0x00 nor 0x80 as no table', async () => {
    const img = mbrLogical();
    img[ENTRY(2) + E_STATUS] = 0x12;
    const { info } = await inspect(img);
    expect(info.partitionTable).toBe('none');
    expect(info.tableErrorCode).toBeUndefined();
  });

  it('ignores a GPT header at LBA 1 when the MBR has no protective entry, with a note', async () => {
    const gpt = fixture('partitions/gpt-multi.img.gz');
    setEntry(gpt, 0, 0, 0, 0x83, 2048, 2048);
    const { info } = await inspect(gpt);
    expect(info.partitionTable).toBe('mbr');
    expect(info.notes).toContainEqual(expect.stringMatching(/GPT header at LBA 1 is ignored/));
  });
});

describe('MBR: never traps, never hangs', () => {
  it('survives 300 random corruptions of the MBR and EBR entries', async () => {
    let seed = 0xc0ffee;
    const rand = (n: number) => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % n);
    const clean = mbrLogical();
    const tables = [0, ...EBR].map((lba) => lba * SS + ENTRY(0));
    for (let round = 0; round < 300; round++) {
      const img = clean.slice();
      for (let k = 1 + rand(4); k > 0; k--) img[tables[rand(tables.length)] + rand(66)] = rand(256);
      const { s, info } = await inspect(img);
      expect(info, JSON.stringify(s.lastError())).not.toBeNull();
    }
  });
});

describe.skipIf(!corpusPresent)('MBR: corpus', () => {
  it('reads dissect.volume mbr.bin: two NTFS primaries, the first active, Windows boot code', async () => {
    const { info } = await inspect(corpus('dissect.volume/disk/mbr.bin')!);
    expect(info.diskId).toBe('baff7d5c');
    expect(info.bootCode).toBe('Windows');
    expect(info.volumes).toMatchObject([
      { id: 'p1', start: 0x100000, size: 0x1f400000, type: '0x07', bootable: true, partuuid: 'baff7d5c-01' },
      { id: 'p2', start: 0x1f500000, size: 0xee0a00000, type: '0x07', bootable: false, partuuid: 'baff7d5c-02' },
    ]);
  });

  it.skipIf(!hasTool('bzcat'))('names the boot code of qemu-iotests grub_mbr.raw as GRUB', async () => {
    const raw = spawnSync('bzcat', [CORPUS + 'qemu-iotests/grub_mbr.raw.bz2']).stdout;
    const { info } = await inspect(new Uint8Array(raw));
    expect(info.bootCode).toBe('GRUB');
    expect(info.hasBootCode).toBe(true);
    expect(info.volumes.map((v: any) => v.type)).toEqual(['0x83', '0x8e']);
  });

  it('reads bare FAT12, exFAT and NTFS volumes (boot sectors ending in 55AA) as no partition table', async () => {
    for (const [file, fs] of [['dissect.fat/fat12.bin', 'vfat'], ['dissect.fat/exfat.bin', 'exfat'], ['dissect.ntfs/boot_2m.bin.gz', 'ntfs']]) {
      let img = corpus(file)!;
      if (file.endsWith('.gz')) img = new Uint8Array(gunzipSync(img));
      const { info } = await inspect(img);
      expect(info.partitionTable, file).toBe('none');
      expect(info.tableErrorCode, file).toBeUndefined();
      expect(info.volumes[0].fs, file).toBe(fs);
    }
  });
});

if (!corpusPresent) describe('MBR: corpus', () => it.skip(CORPUS_ABSENT, () => {}));
