// SPDX-License-Identifier: Apache-2.0
// GUID Partition Table (UEFI spec 2.10 §5.3): header at LBA 1 with a CRC32 over
// itself and one over the entry array; a backup header at the disk's last LBA.
// The primary is used when it checks out, else the backup, with a note saying so.

import { Device } from "../io/device";
import { Partition, PartitionTable } from "./partition";
import { corrupt, limit, lastError, clearError, GcError, setError } from "../util/error";
import { u32le, u64le, u16le, hex64, guidLE, allZero } from "../util/bytes";
import { crc32 } from "../codec/crc32";
import { gptTypeName } from "./gpt-types";
import { bootCodeName, hasBootCode } from "./boot-code";
import { parseEntries, MbrEntry } from "./mbr";
import { MBR_TYPE_GPT_PROTECTIVE } from "./mbr-types";

/** "EFI PART" read as a little-endian u64 */
const EFI_PART_LO: u32 = 0x20494645; // "EFI "
const EFI_PART_HI: u32 = 0x54524150; // "PART"
const HEADER_MIN_SIZE: u32 = 92;
const ENTRY_MIN_SIZE: u32 = 128;
/** Far above the 128 every tool writes; a bigger count is damage or a hostile image. */
export const MAX_ENTRIES: u32 = 4096;
export const MAX_ARRAY_BYTES: u32 = 4 << 20;
const NAME_UNITS: i32 = 36;
const ATTR_LEGACY_BIOS_BOOTABLE: u64 = 1 << 2;

/** Logical sector sizes tried, most common first. */
export const SECTOR_SIZES: i32[] = [512, 4096, 2048, 1024];

export class GptHeader {
  sectorSize: i32 = 512;
  myLba: u64 = 0;
  alternateLba: u64 = 0;
  firstUsableLba: u64 = 0;
  lastUsableLba: u64 = 0;
  diskGuid: string = "";
  entriesLba: u64 = 0;
  entryCount: u32 = 0;
  entrySize: u32 = 0;
  entriesCrc: u32 = 0;
}

export function hasGptSignature(b: Uint8Array, off: i32): bool {
  return u32le(b, off) == EFI_PART_LO && u32le(b, off + 4) == EFI_PART_HI && off + 8 <= b.length;
}

/**
 * Parses and checks the header at b[off, off+sectorSize), read from LBA `lba`.
 * Null with the error set when the header is not usable.
 */
export function parseHeader(b: Uint8Array, off: i32, sectorSize: i32, lba: u64, diskBytes: u64): GptHeader | null {
  const where = "GPT header at LBA " + lba.toString();
  if (off + sectorSize > b.length) {
    corrupt("gpt.header.past-end", where + " lies past the end of the disk");
    return null;
  }
  if (!hasGptSignature(b, off)) {
    corrupt("gpt.header.signature", where + " has no \"EFI PART\" signature");
    return null;
  }
  const header_size = u32le(b, off + 12);
  const header_crc32 = u32le(b, off + 16);
  const my_lba = u64le(b, off + 24);
  const alternate_lba = u64le(b, off + 32);
  const first_usable_lba = u64le(b, off + 40);
  const last_usable_lba = u64le(b, off + 48);
  const partition_entry_lba = u64le(b, off + 72);
  const number_of_partition_entries = u32le(b, off + 80);
  const size_of_partition_entry = u32le(b, off + 84);
  const partition_entry_array_crc32 = u32le(b, off + 88);

  if (header_size < HEADER_MIN_SIZE || header_size > <u32>sectorSize) {
    corrupt("gpt.header.size", where + ": header size " + header_size.toString() + " is outside 92.." + sectorSize.toString());
    return null;
  }
  // The CRC covers header_size bytes with the CRC field itself taken as zero.
  const copy = b.slice(off, off + <i32>header_size);
  copy[16] = 0; copy[17] = 0; copy[18] = 0; copy[19] = 0;
  const crc = crc32(copy, 0, copy.length);
  if (crc != header_crc32) {
    corrupt("gpt.header.crc", where + ": header CRC32 is " + hex64(<u64>header_crc32) + ", computed " + hex64(<u64>crc));
    return null;
  }
  if (my_lba != lba) {
    corrupt("gpt.header.my-lba", where + " says it lives at LBA " + my_lba.toString());
    return null;
  }
  if (size_of_partition_entry < ENTRY_MIN_SIZE || (size_of_partition_entry & (size_of_partition_entry - 1)) != 0 ||
    size_of_partition_entry > 4096) {
    corrupt("gpt.entries.size", where + ": partition entry size " + size_of_partition_entry.toString() +
      " is not 128 x 2^n");
    return null;
  }
  if (number_of_partition_entries > MAX_ENTRIES ||
    <u64>number_of_partition_entries * <u64>size_of_partition_entry > <u64>MAX_ARRAY_BYTES) {
    limit("gpt.entries.count", where + ": " + number_of_partition_entries.toString() + " partition entries of " +
      size_of_partition_entry.toString() + " bytes (this reader allows " + MAX_ENTRIES.toString() + " entries, " +
      (MAX_ARRAY_BYTES >> 20).toString() + " MiB)");
    return null;
  }
  if (first_usable_lba > last_usable_lba + 1) {
    corrupt("gpt.header.usable-range", where + ": first usable LBA " + first_usable_lba.toString() +
      " is after the last usable LBA " + last_usable_lba.toString());
    return null;
  }
  const arrayBytes = <u64>number_of_partition_entries * <u64>size_of_partition_entry;
  const arraySectors = (arrayBytes + <u64>sectorSize - 1) / <u64>sectorSize;
  // The array lies outside the usable range, and never over the header itself.
  if (partition_entry_lba <= lba && partition_entry_lba + arraySectors > lba) {
    corrupt("gpt.entries.location", where + ": the partition entry array at LBA " + partition_entry_lba.toString() +
      " overlaps the header");
    return null;
  }
  const ss = <u64>sectorSize;
  if (partition_entry_lba > diskBytes / ss || partition_entry_lba * ss + arrayBytes > diskBytes) {
    corrupt("gpt.entries.past-end", where + ": the partition entry array at LBA " + partition_entry_lba.toString() +
      " (" + arrayBytes.toString() + " bytes) lies past the end of the disk (" + diskBytes.toString() + " bytes)");
    return null;
  }
  const h = new GptHeader();
  h.sectorSize = sectorSize;
  h.myLba = my_lba;
  h.alternateLba = alternate_lba;
  h.firstUsableLba = first_usable_lba;
  h.lastUsableLba = last_usable_lba;
  h.diskGuid = guidLE(b, off + 56);
  h.entriesLba = partition_entry_lba;
  h.entryCount = number_of_partition_entries;
  h.entrySize = size_of_partition_entry;
  h.entriesCrc = partition_entry_array_crc32;
  return h;
}

/** The whole entry array in one read, CRC-checked; null with the error set. */
export function readEntryArray(dev: Device, h: GptHeader): Uint8Array | null {
  const len = <i32>(h.entryCount * h.entrySize); // bounded by MAX_ARRAY_BYTES
  const arr = dev.read(h.entriesLba * <u64>h.sectorSize, len);
  if (arr === null) return null;
  const crc = crc32(arr, 0, len);
  if (crc != h.entriesCrc) {
    corrupt("gpt.entries.crc", "GPT partition entry array at LBA " + h.entriesLba.toString() + " (header at LBA " +
      h.myLba.toString() + "): CRC32 is " + hex64(<u64>crc) + ", the header says " + hex64(<u64>h.entriesCrc));
    return null;
  }
  return arr;
}

/** Reads one sector-sized header at `lba`, checks it and its entry array. */
function readHeaderAt(dev: Device, lba: u64, sectorSize: i32): GptHeader | null {
  const ss = <u64>sectorSize;
  if (lba > dev.size / ss || (lba + 1) * ss > dev.size) {
    corrupt("gpt.header.past-end", "GPT header at LBA " + lba.toString() + " lies past the end of the disk (" +
      dev.size.toString() + " bytes)");
    return null;
  }
  const b = dev.read(lba * ss, sectorSize);
  if (b === null) return null;
  return parseHeader(b, 0, sectorSize, lba, dev.size);
}

/** A partition name: UTF-16LE, up to 36 units, ended by NUL (or 0xFFFF, as in blank entries). */
export function entryName(b: Uint8Array, off: i32): string {
  let n = 0;
  while (n < NAME_UNITS) {
    const u = u16le(b, off + 2 * n);
    if (u == 0 || u == 0xffff) break;
    n++;
  }
  if (n == 0) return "";
  return String.UTF16.decodeUnsafe(b.dataStart + <usize>off, <usize>(2 * n));
}

function parseEntryArray(table: PartitionTable, h: GptHeader, arr: Uint8Array, diskBytes: u64): void {
  const ss = <u64>h.sectorSize;
  const byGuid = new Map<string, i32>();
  for (let i: u32 = 0; i < h.entryCount; i++) {
    const off = <i32>(i * h.entrySize);
    if (allZero(arr, off, 16)) continue; // unused entry
    const starting_lba = u64le(arr, off + 32);
    const ending_lba = u64le(arr, off + 40);
    const attributes = u64le(arr, off + 48);
    const number = <i32>i + 1;
    if (ending_lba < starting_lba) {
      table.notes.push("GPT entry " + number.toString() + " ends (LBA " + ending_lba.toString() +
        ") before it starts (LBA " + starting_lba.toString() + "); ignored");
      continue;
    }
    const p = new Partition();
    p.number = number;
    p.type = guidLE(arr, off);
    p.typeName = gptTypeName(p.type);
    p.partuuid = guidLE(arr, off + 16);
    p.partlabel = entryName(arr, off + 56);
    p.attributes = attributes;
    p.bootable = (attributes & ATTR_LEGACY_BIOS_BOOTABLE) != 0;
    p.scheme = "gpt";
    p.start = starting_lba * ss;
    p.size = (ending_lba - starting_lba + 1) * ss;
    if (starting_lba < h.firstUsableLba || ending_lba > h.lastUsableLba) {
      table.notes.push("GPT partition " + number.toString() + " (LBA " + starting_lba.toString() + ".." +
        ending_lba.toString() + ") lies outside the usable range " + h.firstUsableLba.toString() + ".." +
        h.lastUsableLba.toString());
    }
    if (ending_lba >= diskBytes / ss) {
      table.notes.push("GPT partition " + number.toString() + " (LBA " + starting_lba.toString() + ".." +
        ending_lba.toString() + ") ends past the end of the disk (" + diskBytes.toString() + " bytes)");
    }
    // PARTUUID= in fstab or on the kernel command line would be ambiguous
    if (byGuid.has(p.partuuid)) {
      table.notes.push("GPT partitions " + byGuid.get(p.partuuid).toString() + " and " + number.toString() +
        " share the unique GUID " + p.partuuid);
    } else {
      byGuid.set(p.partuuid, number);
    }
    table.partitions.push(p);
  }
}

function describeProtectiveMbr(table: PartitionTable, mbr: Uint8Array): void {
  const entries = parseEntries(mbr);
  let others = 0;
  for (let i = 0; i < 4; i++) {
    const e: MbrEntry = entries[i];
    if (e.isUsed && e.type != MBR_TYPE_GPT_PROTECTIVE) others++;
  }
  if (others > 0) table.notes.push("hybrid MBR: the protective MBR also lists " + others.toString() + " MBR partition(s)");
}

/**
 * Reads a GPT disk. `head` holds the disk's first bytes (at least 2 sectors of 512,
 * 8 KiB when the disk is that large) so that the primary header costs no read.
 */
export function readGpt(dev: Device, head: Uint8Array): PartitionTable | null {
  const diskBytes = dev.size;
  // The primary header: the first sector size whose LBA 1 carries the signature.
  let sectorSize = 0;
  for (let k = 0; k < SECTOR_SIZES.length; k++) {
    const ss = SECTOR_SIZES[k];
    if (hasGptSignature(head, ss)) { sectorSize = ss; break; }
  }
  let primary: GptHeader | null = null;
  let primaryEntries: Uint8Array | null = null;
  let primaryError: GcError | null = null;
  if (sectorSize != 0) {
    primary = parseHeader(head, sectorSize, sectorSize, 1, diskBytes);
    if (primary !== null) primaryEntries = readEntryArray(dev, primary);
    if (primaryEntries === null) primaryError = lastError();
  } else {
    corrupt("gpt.header.signature", "protective MBR found, but no \"EFI PART\" header at LBA 1 (sector sizes 512..4096)");
    primaryError = lastError();
  }

  if (primary !== null && primaryEntries !== null) {
    const table = newTable(head, primary);
    parseEntryArray(table, primary, primaryEntries, diskBytes);
    checkBackup(dev, table, primary);
    return table;
  }

  // The primary is damaged: look for the backup at the last LBA, then where the primary pointed.
  clearError();
  const sizes: i32[] = sectorSize != 0 ? [sectorSize] : [512, 4096];
  for (let k = 0; k < sizes.length; k++) {
    const ss = sizes[k];
    const lastLba = diskBytes / <u64>ss - 1;
    const candidates: u64[] = [lastLba];
    if (primary !== null && primary.alternateLba != lastLba) candidates.push(primary.alternateLba);
    else if (primary === null && sectorSize != 0 && hasGptSignature(head, ss)) {
      const alt = u64le(head, ss + 32);
      if (alt != lastLba && alt > 1) candidates.push(alt);
    }
    for (let c = 0; c < candidates.length; c++) {
      const backup = readHeaderAt(dev, candidates[c], ss);
      if (backup === null) { clearError(); continue; }
      const entries = readEntryArray(dev, backup);
      if (entries === null) { clearError(); continue; }
      const table = newTable(head, backup);
      const why = primaryError !== null ? primaryError.code + ": " + primaryError.message : "damaged";
      table.notes.push("primary GPT is damaged (" + why + "); the backup GPT header at LBA " +
        backup.myLba.toString() + " was used");
      parseEntryArray(table, backup, entries, diskBytes);
      return table;
    }
  }
  if (primaryError !== null) {
    setError(primaryError.kind, primaryError.code, dev.name + ": " + primaryError.message + "; no valid backup GPT header either");
  }
  return null;
}

function newTable(head: Uint8Array, h: GptHeader): PartitionTable {
  const table = new PartitionTable();
  table.kind = "gpt";
  table.sectorSize = h.sectorSize;
  table.diskId = h.diskGuid;
  table.hasBootCode = hasBootCode(head);
  table.bootCode = bootCodeName(head);
  describeProtectiveMbr(table, head);
  return table;
}

/** With a good primary, reports a missing, damaged, misplaced or diverging backup as notes. */
function checkBackup(dev: Device, table: PartitionTable, primary: GptHeader): void {
  const ss = <u64>primary.sectorSize;
  const lastLba = dev.size / ss - 1;
  const alt = primary.alternateLba;
  if (alt > lastLba) {
    table.notes.push("the backup GPT header (LBA " + alt.toString() + ") lies beyond the end of the image (last LBA " +
      lastLba.toString() + "): the image is truncated or the disk was shrunk");
    return;
  }
  const backup = readHeaderAt(dev, alt, primary.sectorSize);
  if (backup === null) {
    const e = lastError();
    table.notes.push("the backup GPT header is damaged: " + (e !== null ? e.message : "unreadable"));
    clearError();
    return;
  }
  if (backup.entriesCrc != primary.entriesCrc || backup.entryCount != primary.entryCount) {
    table.notes.push("the backup GPT partition entries differ from the primary ones");
  }
  if (alt != lastLba) {
    table.notes.push("the backup GPT header is at LBA " + alt.toString() + ", not at the disk's last LBA " +
      lastLba.toString() + ": the disk was enlarged and the GPT not moved (sgdisk -e / growpart fixes it)");
  }
}
