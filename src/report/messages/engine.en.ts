// SPDX-License-Identifier: Apache-2.0
// The engine's remarks that carry no code: what an fstab entry mounted
// (engine.mount.*) and notes on the layout and the container (engine.note.*).
// Each must render back exactly the sentence asm/ writes (engine-sentences.ts).
export const engineEn: Record<string, string> = {
  'engine.mount.noVolume': 'no volume of this image matches {spec}',
  'engine.mount.otherRoot': '{spec} names volume {id}, but the root found is {root}',
  'engine.mount.unknownFs': 'volume {id} holds an unknown filesystem',
  'engine.mount.noReader': 'volume {id} holds {type}',
  'engine.mount.already': 'a filesystem is already mounted at {path}',
  'engine.mount.noSubvolume': 'the subvolume it names cannot be found',

  'engine.note.gptIgnored': 'a GPT header at LBA 1 is ignored: the MBR has no protective (0xEE) entry',
  'engine.note.overlap': 'partitions {a} and {b} overlap',
  'engine.note.hybrid': 'hybrid MBR: the protective MBR also lists {n} MBR partition(s)',
  'engine.note.gptBackupUsed': 'primary GPT is damaged ({why}); the backup GPT header at LBA {lba} was used',
  'engine.note.gptBackupBeyond': 'the backup GPT header (LBA {lba}) lies beyond the end of the image (last LBA {last}): the image is truncated or the disk was shrunk',
  'engine.note.gptBackupDamaged': 'the backup GPT header is damaged: {detail}',
  'engine.note.gptBackupDiffers': 'the backup GPT partition entries differ from the primary ones',
  'engine.note.gptNotMoved': 'the backup GPT header is at LBA {lba}, not at the disk\'s last LBA {last}: the disk was enlarged and the GPT not moved (sgdisk -e / growpart fixes it)',
  'engine.note.manyActive': '{n} primary partitions are marked active; BIOS boot code expects one',
  'engine.note.ebrSignature': 'extended boot record at LBA {lba} has no 55AA signature; the logical partition chain ends there',
  'engine.note.unusedFile': '{file} was given but {top} does not use it',
  'engine.note.gzipZeros': 'gzip: {n} zero bytes after the last member were ignored',
  'engine.note.qcow2Dirty': 'the qcow2 image was not closed cleanly (dirty bit): its refcounts may be stale; qemu-img check -r all repairs them',
  'engine.note.qcow2Corrupt': 'qemu marked this qcow2 image corrupt: run qemu-img check on it before importing',
  'engine.note.qcow2ExtL2': 'extended L2 entries (subclusters) need qemu 5.2 or newer to read',
  'engine.note.qcow2Snapshots': '{n} internal snapshot(s): the active layer is checked',
  'engine.note.qcow2Flatten': 'a backing chain must be flattened before import: {command}',
  'engine.note.vhdChecksum': 'the VHD footer\'s checksum does not match',
  'engine.note.vhdFooterCopy': 'the VHD footer at the end of the file is missing or damaged; its copy at offset 0 was used (the file may be truncated)',
  'engine.note.vhdMiB': 'virtual size is not a whole number of MiB (Azure requires that)',
  'engine.note.vhdMerge': 'a differencing disk must be merged with its parent before import: {command}',
  'engine.note.vhdxHeader': 'one VHDX header is damaged; the other was used',
  'engine.note.vhdxRegion': 'the first VHDX region table is damaged; the second was used',
  'engine.note.vhdx4k': 'the VHDX has 4096-byte logical sectors',
  'engine.note.vmdkSnapshot': 'a VMDK snapshot must be consolidated with its parent before import: {command}',
  'engine.note.xzSha256': 'xz: SHA-256 block checks are not verified',
};
