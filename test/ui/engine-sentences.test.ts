// SPDX-License-Identifier: Apache-2.0
// The engine's uncoded remarks (root reason, fstab mount details, layout and
// container notes), written here exactly as asm/ builds them, are recognised
// and said in Japanese; the English the report carries stays the engine's.
import { describe, it, expect } from 'vitest';
import { engineSentence, ENGINE_SENTENCE_KEYS } from '../../src/report/engine-sentences';
import { catalogKeys, render } from '../../src/report/i18n';
import { noteText } from '../../src/report/finding-text';
import { rootReasonEvidence } from '../../src/rules/root-reason';

const SAMPLES = [
  'volume p3 holds /etc, /bin or /usr/bin and a release file',
  'volume p3 holds /etc, /bin or /usr/bin and a release file (Btrfs subvolume @, the default)',
  'volume p3 holds /etc, /bin or /usr/bin and a release file (Btrfs subvolume @/.snapshots/1/snapshot)',
  'volume p2 holds Windows/System32/config/SYSTEM and SOFTWARE',
  'volume p3 is encrypted (LUKS, UUID 5a1c0d2e-0000-4000-8000-000000000001): its files cannot be inspected without the passphrase, so the checks that read the guest\'s files cannot run; an image whose root is encrypted also cannot boot unattended on a cloud instance unless it unlocks itself (e.g. a TPM or network-bound key)',
  'no volume holds a Linux root filesystem (/etc with /bin or /usr/bin and a release file)',
  'no volume of this image matches UUID=0000',
  'UUID=1111 names volume p2, but the root found is p3',
  'volume p4 holds an unknown filesystem',
  'volume p4 holds crypto_LUKS',
  'a filesystem is already mounted at /boot',
  'the subvolume it names cannot be found',
  'a GPT header at LBA 1 is ignored: the MBR has no protective (0xEE) entry',
  'partitions 1 and 2 overlap',
  'hybrid MBR: the protective MBR also lists 2 MBR partition(s)',
  'primary GPT is damaged (header CRC mismatch); the backup GPT header at LBA 524287 was used',
  'the backup GPT header (LBA 524287) lies beyond the end of the image (last LBA 262143): the image is truncated or the disk was shrunk',
  'the backup GPT header is damaged: gpt.header.crc mismatch',
  'the backup GPT partition entries differ from the primary ones',
  'the backup GPT header is at LBA 262143, not at the disk\'s last LBA 524287: the disk was enlarged and the GPT not moved (sgdisk -e / growpart fixes it)',
  '2 primary partitions are marked active; BIOS boot code expects one',
  'extended boot record at LBA 2048 has no 55AA signature; the logical partition chain ends there',
  'base.qcow2 was given but top.qcow2 does not use it',
  'gzip: 512 zero bytes after the last member were ignored',
  'the qcow2 image was not closed cleanly (dirty bit): its refcounts may be stale; qemu-img check -r all repairs them',
  'qemu marked this qcow2 image corrupt: run qemu-img check on it before importing',
  'extended L2 entries (subclusters) need qemu 5.2 or newer to read',
  '3 internal snapshot(s): the active layer is checked',
  'a backing chain must be flattened before import: qemu-img convert -O qcow2 top.qcow2 flat.qcow2',
  'the VHD footer\'s checksum does not match',
  'the VHD footer at the end of the file is missing or damaged; its copy at offset 0 was used (the file may be truncated)',
  'virtual size is not a whole number of MiB (Azure requires that)',
  'a differencing disk must be merged with its parent before import: qemu-img convert -O vpc -o subformat=fixed child.vhd merged.vhd',
  'one VHDX header is damaged; the other was used',
  'the first VHDX region table is damaged; the second was used',
  'the VHDX has 4096-byte logical sectors',
  'a VMDK snapshot must be consolidated with its parent before import: qemu-img convert -O vmdk -o subformat=streamOptimized snap.vmdk merged.vmdk',
  'xz: SHA-256 block checks are not verified',
];

describe('engine sentences', () => {
  it('recognise every form the engine writes and say it in Japanese', () => {
    const keys = new Set<string>();
    for (const s of SAMPLES) {
      const m = engineSentence(s);
      expect(m, s).not.toBeNull();
      keys.add(m!.key);
      expect(render('en', m!)).toBe(s);
      expect(render('ja', m!)).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
    }
    // every form has a sample above, and a message in both catalogs
    expect([...new Set(ENGINE_SENTENCE_KEYS)].filter((k) => !keys.has(k))).toEqual([]);
    for (const k of ENGINE_SENTENCE_KEYS) expect(catalogKeys('ja')).toContain(k);
  });

  it('leave other text as the engine wrote it, marked as such in Japanese', () => {
    expect(engineSentence('something the engine never says')).toBeNull();
    expect(noteText('ja', 'something the engine never says')).toBe('注記（エンジンの原文）: something the engine never says');
    expect(noteText('ja', 'partitions 1 and 2 overlap')).toBe('パーティション 1 と 2 が重なっています');
    expect(noteText('en', 'partitions 1 and 2 overlap')).toBe('partitions 1 and 2 overlap');
  });

  it('keep the root reason the report carries in English', () => {
    expect(rootReasonEvidence('guest root', SAMPLES[0])).toEqual({ path: 'guest root', text: SAMPLES[0] });
    expect(rootReasonEvidence('guest root', 'test')).toEqual({ path: 'guest root', text: 'test' });
  });
});
