// SPDX-License-Identifier: Apache-2.0
// GPT (UEFI spec §5.3) over fixtures made by test/fixtures/recipes/partitions.sh:
//   gpt-multi.img  sgdisk, 512-byte sectors, 5 partitions (entry 5 empty), FAT12 ESP
//   gpt-4k.img     fdisk -b 4096, 4096-byte sectors
// Corruption tests copy a fixture, overwrite one header field at its named
// offset (re-sealing the CRCs where the test is about another field) and
// expect exactly one error code or note.
import { describe, it, expect } from 'vitest';
import { loadEngine } from '../helpers/engine';
import {
  fixture, corpus, corpusPresent, CORPUS_ABSENT, GPT, dv, resealGptHeader, resealGptEntries,
} from './disk-fixtures';

const eng = await loadEngine();

async function inspect(img: Uint8Array, pageShift?: number) {
  const s = await eng.open([img], { pageShift });
  return { s, info: s.inspect() };
}

const SS = 512;
const PRIMARY = SS; // LBA 1
const gptMulti = () => fixture('partitions/gpt-multi.img.gz');
const backupAt = (img: Uint8Array, ss = SS) => img.length - ss;

const MULTI = [
  { id: 'p1', start: 2048 * SS, size: 2048 * SS, type: '21686148-6449-6e6f-744e-656564454649', typeName: 'BIOS boot',
    partuuid: '11111111-1111-4111-8111-111111111111', partlabel: 'BIOS boot partition', bootable: false },
  { id: 'p2', start: 4096 * SS, size: 4096 * SS, type: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b', typeName: 'EFI System',
    partuuid: '22222222-2222-4222-8222-222222222222', partlabel: 'EFI System Partition', bootable: true },
  { id: 'p3', start: 8192 * SS, size: 2048 * SS, type: '0fc63daf-8483-4772-8e79-3d69d8477de4', typeName: 'Linux filesystem',
    partuuid: '33333333-3333-4333-8333-333333333333', partlabel: 'root ünïcode', bootable: false },
  { id: 'p4', start: 10240 * SS, size: 2048 * SS, type: '0657fd6d-a4ab-43c4-84e5-0933c84b4f4f', typeName: 'Linux swap',
    partuuid: '44444444-4444-4444-8444-444444444444', partlabel: 'swap', bootable: false },
  { id: 'p6', start: 12288 * SS, size: 2048 * SS, type: 'ebd0a0a2-b9e5-4433-87c0-68b6b72699c7', typeName: 'Microsoft basic data',
    partuuid: '66666666-6666-4666-8666-666666666666', partlabel: '', bootable: false },
];

function expectMultiPartitions(info: any) {
  expect(info.partitionTable).toBe('gpt');
  expect(info.volumes).toHaveLength(MULTI.length);
  MULTI.forEach((want, i) => expect(info.volumes[i]).toMatchObject(want));
}

describe('GPT: a clean disk', () => {
  it('lists every used entry, numbered by its index, with types, names, GUIDs and the bootable attribute', async () => {
    const { info } = await inspect(gptMulti());
    expectMultiPartitions(info);
    expect(info.diskId).toBe('6a1b2c3d-0000-4000-8000-00000000d15c');
    expect(info.sectorSize).toBe(512);
    expect(info.notes).toEqual([]);
  });

  it('opens the FAT12 ESP inside partition 2', async () => {
    const { s, info } = await inspect(gptMulti());
    const esp = info.volumes.findIndex((v: any) => v.id === 'p2');
    expect(info.volumes[esp]).toMatchObject({ fs: 'vfat', uuid: '1234-ABCD', label: 'ESP' });
    expect(new TextDecoder().decode(s.readFile(esp, '/efi/boot/bootx64.efi')!)).toBe('fake efi\n');
  });

  it('gives the same answer whatever the page cache size', async () => {
    const want = (await inspect(gptMulti())).info;
    for (const shift of [9, 12, 20]) expect((await inspect(gptMulti(), shift)).info).toEqual(want);
  });

  it('reads a GPT with 4096-byte logical sectors', async () => {
    const { info } = await inspect(fixture('partitions/gpt-4k.img.gz'));
    expect(info.partitionTable).toBe('gpt');
    expect(info.sectorSize).toBe(4096);
    expect(info.diskId).toBe('4b4b4b4b-0000-4000-8000-000000000004');
    expect(info.notes).toEqual([]);
    expect(info.volumes).toMatchObject([
      { id: 'p1', start: 256 * 4096, size: 512 * 4096, typeName: 'EFI System', partlabel: 'esp',
        partuuid: '4b4b4b4b-0000-4000-8000-000000000001' },
      { id: 'p2', start: 768 * 4096, size: 1024 * 4096, typeName: 'Linux filesystem', partlabel: 'root',
        partuuid: '4b4b4b4b-0000-4000-8000-000000000002' },
    ]);
  });

  it('notes a backup header that is not at the end of an enlarged disk', async () => {
    const small = gptMulti();
    const img = new Uint8Array(small.length + (1 << 20));
    img.set(small);
    const { info } = await inspect(img);
    expectMultiPartitions(info);
    expect(info.notes).toEqual([expect.stringMatching(/backup GPT header is at LBA 16383, not at the disk's last LBA 18431/)]);
  });
});

describe('GPT: damage', () => {
  it('uses the backup header when the primary header CRC is wrong, and says so', async () => {
    const img = gptMulti();
    dv(img).setUint32(PRIMARY + GPT.HeaderCRC32, 0xdeadbeef, true);
    const { info } = await inspect(img);
    expectMultiPartitions(info);
    expect(info.notes).toEqual([expect.stringMatching(/^primary GPT is damaged \(gpt\.header\.crc: .*header CRC32.*\); the backup GPT header at LBA 16383 was used$/)]);
  });

  it('uses the backup when the primary signature is gone', async () => {
    const img = gptMulti();
    img.fill(0, PRIMARY, PRIMARY + 8);
    const { info } = await inspect(img);
    expectMultiPartitions(info);
    expect(info.notes[0]).toMatch(/no "EFI PART" header at LBA 1/);
  });

  it('fails with gpt.header.crc when both headers are damaged', async () => {
    const img = gptMulti();
    dv(img).setUint32(PRIMARY + GPT.HeaderCRC32, 0xdeadbeef, true);
    dv(img).setUint32(backupAt(img) + GPT.HeaderCRC32, 0xdeadbeef, true);
    const { info } = await inspect(img);
    expect(info.partitionTable).toBe('none');
    expect(info.tableErrorCode).toBe('gpt.header.crc');
    expect(info.volumes).toEqual([]);
  });

  it('uses the backup entries when the primary entry array CRC is wrong', async () => {
    const img = gptMulti();
    img[2 * SS + 56] ^= 0xff; // first byte of entry 1's name
    const { info } = await inspect(img);
    expectMultiPartitions(info);
    expect(info.notes[0]).toMatch(/^primary GPT is damaged \(gpt\.entries\.crc: GPT partition entry array at LBA 2 .*CRC32/);
  });

  it('fails with gpt.entries.crc when both entry arrays are damaged', async () => {
    const img = gptMulti();
    img[2 * SS + 56] ^= 0xff;
    const backupEntries = Number(dv(img).getBigUint64(backupAt(img) + GPT.PartitionEntryLBA, true));
    img[backupEntries * SS + 56] ^= 0xff;
    const { info } = await inspect(img);
    expect(info.tableErrorCode).toBe('gpt.entries.crc');
  });

  it('refuses an absurd entry count (limit gpt.entries.count) and falls back to the backup', async () => {
    const img = gptMulti();
    dv(img).setUint32(PRIMARY + GPT.NumberOfPartitionEntries, 0x10000000, true);
    resealGptHeader(img, PRIMARY);
    const { info } = await inspect(img);
    expectMultiPartitions(info);
    expect(info.notes[0]).toMatch(/^primary GPT is damaged \(gpt\.entries\.count: .*268435456 partition entries/);

    dv(img).setUint32(backupAt(img) + GPT.NumberOfPartitionEntries, 0x10000000, true);
    resealGptHeader(img, backupAt(img));
    expect((await inspect(img)).info.tableErrorCode).toBe('gpt.entries.count');
  });

  it('refuses an entry size that is not 128 x 2^n (gpt.entries.size)', async () => {
    const img = gptMulti();
    for (const at of [PRIMARY, backupAt(img)]) {
      dv(img).setUint32(at + GPT.SizeOfPartitionEntry, 100, true);
      resealGptHeader(img, at);
    }
    expect((await inspect(img)).info.tableErrorCode).toBe('gpt.entries.size');
  });

  it('refuses a header whose MyLBA is not where it was read (gpt.header.my-lba)', async () => {
    const img = gptMulti();
    for (const at of [PRIMARY, backupAt(img)]) {
      dv(img).setBigUint64(at + GPT.MyLBA, 7n, true);
      resealGptHeader(img, at);
    }
    expect((await inspect(img)).info.tableErrorCode).toBe('gpt.header.my-lba');
  });

  it('refuses an entry array that lies past the end of the disk (gpt.entries.past-end)', async () => {
    const img = gptMulti();
    for (const at of [PRIMARY, backupAt(img)]) {
      dv(img).setBigUint64(at + GPT.PartitionEntryLBA, 1n << 40n, true);
      resealGptHeader(img, at);
    }
    expect((await inspect(img)).info.tableErrorCode).toBe('gpt.entries.past-end');
  });

  it('notes a damaged backup header when the primary is good', async () => {
    const img = gptMulti();
    dv(img).setUint32(backupAt(img) + GPT.HeaderCRC32, 0, true);
    const { info } = await inspect(img);
    expectMultiPartitions(info);
    expect(info.notes).toEqual([expect.stringMatching(/^the backup GPT header is damaged: .*header CRC32/)]);
  });

  it('uses the backup of a 4K-sector disk at its last 4096-byte LBA', async () => {
    const img = fixture('partitions/gpt-4k.img.gz');
    dv(img).setUint32(4096 + GPT.HeaderCRC32, 1, true);
    const { info } = await inspect(img);
    expect(info.sectorSize).toBe(4096);
    expect(info.volumes.map((v: any) => v.partlabel)).toEqual(['esp', 'root']);
    expect(info.notes[0]).toMatch(/backup GPT header at LBA 4095 was used/);
  });

  it('skips an entry that ends before it starts, with a note', async () => {
    const img = gptMulti();
    const e3 = 2 * SS + 2 * 128; // entry index 2 = partition 3
    dv(img).setBigUint64(e3 + 40, 100n, true); // EndingLBA < StartingLBA
    resealGptEntries(img, PRIMARY, SS);
    const { info } = await inspect(img);
    expect(info.volumes.map((v: any) => v.id)).toEqual(['p1', 'p2', 'p4', 'p6']);
    expect(info.notes.some((n: string) => /GPT entry 3 ends .* before it starts/.test(n))).toBe(true);
  });
});

describe('GPT: notes on tables that read fine', () => {
  it('notes overlapping partitions and a unique GUID used twice (PARTUUID= would be ambiguous)', async () => {
    const img = gptMulti();
    const e4 = 2 * SS + 3 * 128; // partition 4
    dv(img).setBigUint64(e4 + 32, 10000n, true); // StartingLBA inside partition 3 (8192..10239)
    img.set(img.subarray(2 * SS + 2 * 128 + 16, 2 * SS + 2 * 128 + 32), e4 + 16); // UniquePartitionGUID of 3
    resealGptEntries(img, PRIMARY, SS);
    resealGptEntries(img, backupAt(img), SS);
    const { info } = await inspect(img);
    expect(info.notes).toContain('partitions 3 and 4 overlap');
    expect(info.notes).toContain('GPT partitions 3 and 4 share the unique GUID 33333333-3333-4333-8333-333333333333');
  });
});

describe('GPT: never traps, never hangs', () => {
  it('survives 300 random corruptions of the headers and entry arrays', async () => {
    let seed = 0x9e3779b9;
    const rand = (n: number) => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % n);
    const clean = gptMulti();
    const regions = [[0, 34 * SS], [clean.length - 33 * SS, clean.length]];
    for (let round = 0; round < 300; round++) {
      const img = clean.slice();
      for (let k = 1 + rand(4); k > 0; k--) {
        const [a, b] = regions[rand(2)];
        img[a + rand(b - a)] = rand(256);
      }
      // sometimes make the damage pass the CRC, so the parser sees it
      if (rand(2)) resealGptEntries(img, PRIMARY, SS);
      else if (rand(2)) resealGptHeader(img, PRIMARY);
      const { s, info } = await inspect(img);
      expect(info, JSON.stringify(s.lastError())).not.toBeNull();
      expect(['gpt', 'mbr', 'none']).toContain(info.partitionTable);
    }
  });
});

describe.skipIf(!corpusPresent)('GPT: dissect.volume corpus', () => {
  it('reads gpt.bin (the first 32 KiB of a Windows disk): a note, not a failure, for the backup beyond the file', async () => {
    const { info } = await inspect(corpus('dissect.volume/disk/gpt.bin')!);
    expect(info.partitionTable).toBe('gpt');
    expect(info.tableError).toBeUndefined();
    expect(info.volumes).toMatchObject([
      { id: 'p1', start: 40 * 512, size: (409639 - 40 + 1) * 512, typeName: 'EFI System',
        partlabel: 'EFI System Partition', partuuid: '27d920bc-e414-45e0-9503-2606de7a1056' },
      { id: 'p2', start: 411648 * 512, size: (61437951 - 411648 + 1) * 512, typeName: 'Microsoft basic data' },
    ]);
    expect(info.notes).toContainEqual(expect.stringMatching(/backup GPT header \(LBA 61439999\) lies beyond the end of the image/));
    expect(info.notes).toContainEqual(expect.stringMatching(/^hybrid MBR/));
  });

  it('rejects gpt_no_name_xff.bin as it is (its name was edited after the CRC), like mmls', async () => {
    const { info } = await inspect(corpus('dissect.volume/disk/gpt_no_name_xff.bin')!);
    expect(info.tableErrorCode).toBe('gpt.entries.crc');
  });

  it('reads an all-0xFFFF name as empty once the CRCs are re-sealed (in memory)', async () => {
    const img = corpus('dissect.volume/disk/gpt_no_name_xff.bin')!.slice();
    resealGptEntries(img, PRIMARY, SS);
    const { info } = await inspect(img);
    expect(info.partitionTable).toBe('gpt');
    expect(info.volumes).toHaveLength(1);
    expect(info.volumes[0]).toMatchObject({ id: 'p1', partlabel: '', type: 'aa31e02a-400f-11db-9590-000c2911d1b8', typeName: 'VMware VMFS' });
  });
});

if (!corpusPresent) describe('GPT: dissect.volume corpus', () => it.skip(CORPUS_ABSENT, () => {}));
