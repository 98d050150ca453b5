// SPDX-License-Identifier: Apache-2.0
// The engine (asm/) writes a few remarks in English without a code: why a
// volume is the guest root, what an fstab entry mounted, and notes about the
// layout and the container. Each form it writes is matched here to a catalog
// message, so the page can say it in the reader's language. A match counts
// only when the English catalog renders the very same sentence back; anything
// else is shown as the engine wrote it.
import type { Message } from './types';
import { english, msg } from './message';

const N = String.raw`(?<n>\d+)`;
const FORMS: [RegExp, string][] = [
  // why a volume is the guest root (asm/guest/guest.ts)
  [/^volume (?<id>\S+) holds Windows\/System32\/config\/SYSTEM and SOFTWARE$/, 'ev.root.windows'],
  [/^volume (?<id>\S+) holds \/etc, \/bin or \/usr\/bin and a release file \(Btrfs subvolume (?<subvolume>.*), the default\)$/, 'ev.root.linuxDefaultSubvolume'],
  [/^volume (?<id>\S+) holds \/etc, \/bin or \/usr\/bin and a release file \(Btrfs subvolume (?<subvolume>.*)\)$/, 'ev.root.linuxSubvolume'],
  [/^volume (?<id>\S+) holds \/etc, \/bin or \/usr\/bin and a release file$/, 'ev.root.linux'],
  [/^volume (?<id>\S+) is encrypted \(LUKS, UUID (?<uuid>[^)]*)\): /, 'ev.root.luks'],
  [/^no volume holds a Linux root filesystem /, 'ev.root.none'],
  // what an fstab entry mounted (asm/guest/guest.ts MountRecord.detail)
  [/^no volume of this image matches (?<spec>.+)$/, 'engine.mount.noVolume'],
  [/^(?<spec>\S+) names volume (?<id>\S+), but the root found is (?<root>\S+)$/, 'engine.mount.otherRoot'],
  [/^volume (?<id>\S+) holds an unknown filesystem$/, 'engine.mount.unknownFs'],
  [/^volume (?<id>\S+) holds (?<type>\S+)$/, 'engine.mount.noReader'],
  [/^a filesystem is already mounted at (?<path>.+)$/, 'engine.mount.already'],
  [/^the subvolume it names cannot be found$/, 'engine.mount.noSubvolume'],
  // notes on the partition table (asm/volume/)
  [/^a GPT header at LBA 1 is ignored: the MBR has no protective \(0xEE\) entry$/, 'engine.note.gptIgnored'],
  [/^partitions (?<a>\d+) and (?<b>\d+) overlap$/, 'engine.note.overlap'],
  [/^hybrid MBR: the protective MBR also lists (?<n>\d+) MBR partition\(s\)$/, 'engine.note.hybrid'],
  [/^primary GPT is damaged \((?<why>.*)\); the backup GPT header at LBA (?<lba>\d+) was used$/, 'engine.note.gptBackupUsed'],
  [/^the backup GPT header \(LBA (?<lba>\d+)\) lies beyond the end of the image \(last LBA (?<last>\d+)\): the image is truncated or the disk was shrunk$/, 'engine.note.gptBackupBeyond'],
  [/^the backup GPT header is damaged: (?<detail>.*)$/, 'engine.note.gptBackupDamaged'],
  [/^the backup GPT partition entries differ from the primary ones$/, 'engine.note.gptBackupDiffers'],
  [/^the backup GPT header is at LBA (?<lba>\d+), not at the disk's last LBA (?<last>\d+): the disk was enlarged and the GPT not moved \(sgdisk -e \/ growpart fixes it\)$/, 'engine.note.gptNotMoved'],
  [new RegExp(`^${N} primary partitions are marked active; BIOS boot code expects one$`), 'engine.note.manyActive'],
  [/^extended boot record at LBA (?<lba>\d+) has no 55AA signature; the logical partition chain ends there$/, 'engine.note.ebrSignature'],
  // notes on the container (asm/container/)
  [/^(?<file>.+) was given but (?<top>.+) does not use it$/, 'engine.note.unusedFile'],
  [/^gzip: (?<n>\d+) zero bytes after the last member were ignored$/, 'engine.note.gzipZeros'],
  [/^the qcow2 image was not closed cleanly \(dirty bit\): its refcounts may be stale; qemu-img check -r all repairs them$/, 'engine.note.qcow2Dirty'],
  [/^qemu marked this qcow2 image corrupt: run qemu-img check on it before importing$/, 'engine.note.qcow2Corrupt'],
  [/^extended L2 entries \(subclusters\) need qemu 5\.2 or newer to read$/, 'engine.note.qcow2ExtL2'],
  [new RegExp(`^${N} internal snapshot\\(s\\): the active layer is checked$`), 'engine.note.qcow2Snapshots'],
  [/^a backing chain must be flattened before import: (?<command>qemu-img convert .*)$/, 'engine.note.qcow2Flatten'],
  [/^the VHD footer's checksum does not match$/, 'engine.note.vhdChecksum'],
  [/^the VHD footer at the end of the file is missing or damaged; its copy at offset 0 was used \(the file may be truncated\)$/, 'engine.note.vhdFooterCopy'],
  [/^virtual size is not a whole number of MiB \(Azure requires that\)$/, 'engine.note.vhdMiB'],
  [/^a differencing disk must be merged with its parent before import: (?<command>qemu-img convert .*)$/, 'engine.note.vhdMerge'],
  [/^one VHDX header is damaged; the other was used$/, 'engine.note.vhdxHeader'],
  [/^the first VHDX region table is damaged; the second was used$/, 'engine.note.vhdxRegion'],
  [/^the VHDX has 4096-byte logical sectors$/, 'engine.note.vhdx4k'],
  [/^a VMDK snapshot must be consolidated with its parent before import: (?<command>qemu-img convert .*)$/, 'engine.note.vmdkSnapshot'],
  [/^xz: SHA-256 block checks are not verified$/, 'engine.note.xzSha256'],
];

/** The catalog message for a sentence of one of these forms, or null. */
export function matchSentence(forms: readonly [RegExp, string][], text: string): Message | null {
  for (const [re, key] of forms) {
    const m = re.exec(text);
    if (!m) continue;
    const said = msg(key, { ...(m.groups ?? {}) });
    if (english(said) === text) return said;
  }
  return null;
}

/** The catalog message for a sentence the engine wrote, or null when it is not one of its known forms. */
export function engineSentence(text: string): Message | null {
  return matchSentence(FORMS, text);
}

/** The keys this module can produce, for the catalog test. */
export const ENGINE_SENTENCE_KEYS = FORMS.map(([, k]) => k);
