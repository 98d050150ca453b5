// SPDX-License-Identifier: Apache-2.0
// The MBR (IBM PC partition table): four 16-byte entries at 0x1BE, the disk
// signature at 0x1B8, 0x55AA at 0x1FE; extended partitions hold a chain of EBRs,
// each naming one logical partition and the next EBR (numbered 5, 6, ... as Linux does).

import { Device } from "../io/device";
import { Partition, PartitionTable } from "./partition";
import { corrupt, limit, addContext } from "../util/error";
import { u8at, u16le, u32le, hex64, hexByte, asciiAt } from "../util/bytes";
import { bootCodeName, hasBootCode } from "./boot-code";
import { isExtendedType, mbrTypeName, MBR_TYPE_EMPTY, MBR_TYPE_GPT_PROTECTIVE } from "./mbr-types";

export const MBR_SECTOR_SIZE: i32 = 512;
export const BOOT_SIGNATURE: u32 = 0xaa55;
const OFF_DISK_SIGNATURE: i32 = 0x1b8;
const OFF_ENTRIES: i32 = 0x1be;
const ENTRY_SIZE: i32 = 16;
const OFF_BOOT_SIGNATURE: i32 = 0x1fe;
const STATUS_ACTIVE: u32 = 0x80;

/** Linux stops at 256 partitions per disk (DISK_MAX_PARTS); a longer EBR chain is runaway work. */
export const MAX_LOGICAL: i32 = 252;

export class MbrEntry {
  /** 0..3 in its sector */
  slot: i32 = 0;
  status: u32 = 0;
  type: u32 = 0;
  /** LBA relative to the table's base (the disk for the MBR; see readLogical for EBRs) */
  startLba: u32 = 0;
  sectors: u32 = 0;

  get isUsed(): bool { return this.type != MBR_TYPE_EMPTY && this.sectors != 0; }
}

export function hasBootSignature(sector: Uint8Array): bool {
  return sector.length >= 512 && u16le(sector, OFF_BOOT_SIGNATURE) == BOOT_SIGNATURE;
}

export function parseEntry(sector: Uint8Array, slot: i32): MbrEntry {
  const off = OFF_ENTRIES + slot * ENTRY_SIZE;
  const e = new MbrEntry();
  e.slot = slot;
  const boot_indicator = u8at(sector, off);
  const os_type = u8at(sector, off + 4);
  const starting_lba = u32le(sector, off + 8);
  const size_in_lba = u32le(sector, off + 12);
  e.status = boot_indicator;
  e.type = os_type;
  e.startLba = starting_lba;
  e.sectors = size_in_lba;
  return e;
}

export function parseEntries(sector: Uint8Array): MbrEntry[] {
  const out = new Array<MbrEntry>(4);
  for (let i = 0; i < 4; i++) out[i] = parseEntry(sector, i);
  return out;
}

/** The disk signature (NT disk id) as 8 lower-case hex digits. */
export function diskSignature(sector: Uint8Array): string {
  const id = u32le(sector, OFF_DISK_SIGNATURE);
  return hexByte(id >>> 24) + hexByte((id >>> 16) & 0xff) + hexByte((id >>> 8) & 0xff) + hexByte(id & 0xff);
}

export function hasProtectiveEntry(sector: Uint8Array): bool {
  for (let i = 0; i < 4; i++) if (parseEntry(sector, i).type == MBR_TYPE_GPT_PROTECTIVE) return true;
  return false;
}

/** A volume boot record: a FAT/NTFS/exFAT boot sector with its BPB, which also ends in 55AA. */
export function looksLikeBootSector(sector: Uint8Array): bool {
  const jmp = u8at(sector, 0);
  if (!((jmp == 0xeb && u8at(sector, 2) == 0x90) || jmp == 0xe9)) return false;
  if (asciiAt(sector, 3, "NTFS    ") || asciiAt(sector, 3, "EXFAT   ")) return true;
  const bytesPerSector = u16le(sector, 11);
  const sectorsPerCluster = u8at(sector, 13);
  const reservedSectors = u16le(sector, 14);
  const fatCount = u8at(sector, 16);
  // Loose on purpose (no media byte check): a damaged BPB is still a boot sector, for the FAT reader to name.
  if (bytesPerSector < 512 || bytesPerSector > 4096 || (bytesPerSector & (bytesPerSector - 1)) != 0) return false;
  if (sectorsPerCluster == 0 || (sectorsPerCluster & (sectorsPerCluster - 1)) != 0) return false;
  return reservedSectors != 0 && fatCount != 0 && fatCount <= 4;
}


/** What sector 0 holds. */
export const enum SectorZero {
  /** no 55AA, or not a partition table (a boot sector, garbage in the entries) */
  NotMbr = 0,
  Mbr = 1,
  /** an MBR whose entries include 0xEE: the GPT's protective MBR */
  Protective = 2,
}

export function classifySectorZero(sector: Uint8Array): SectorZero {
  if (!hasBootSignature(sector)) return SectorZero.NotMbr;
  const entries = parseEntries(sector);
  let used = 0;
  let startsAtZero = false;
  for (let i = 0; i < 4; i++) {
    const e = entries[i];
    // Anything but 0x00 / 0x80 in a status byte is boot code or text: not a table.
    if (e.status != 0 && e.status != STATUS_ACTIVE) return SectorZero.NotMbr;
    if (e.type == MBR_TYPE_GPT_PROTECTIVE) return SectorZero.Protective;
    if (e.isUsed) {
      used++;
      if (e.startLba == 0) startsAtZero = true;
    }
  }
  // A FAT boot sector often has zeros where the entries would be.
  if (looksLikeBootSector(sector) && (used == 0 || startsAtZero)) return SectorZero.NotMbr;
  return SectorZero.Mbr;
}

function endsPastDisk(startLba: u64, sectors: u64, diskBytes: u64): bool {
  return (startLba + sectors) * <u64>MBR_SECTOR_SIZE > diskBytes;
}

function makePartition(table: PartitionTable, e: MbrEntry, number: i32, absStartLba: u64, scheme: string, diskBytes: u64): Partition {
  const p = new Partition();
  p.number = number;
  p.start = absStartLba * <u64>MBR_SECTOR_SIZE;
  p.size = <u64>e.sectors * <u64>MBR_SECTOR_SIZE;
  p.type = "0x" + hexByte(e.type);
  p.isExtended = isExtendedType(e.type);
  // "extended" whatever the byte (0x05, 0x0F, 0x85): the guest layer skips these containers by that name
  p.typeName = p.isExtended ? "extended" : mbrTypeName(e.type);
  p.bootable = e.status == STATUS_ACTIVE;
  p.scheme = scheme;
  // blkid leaves PARTUUID unset when the disk signature is zero
  if (table.diskId != "00000000") p.partuuid = table.diskId + "-" + hexByte(<u32>number);
  if (endsPastDisk(absStartLba, <u64>e.sectors, diskBytes)) {
    table.notes.push("partition " + number.toString() + " (LBA " + absStartLba.toString() + ", " +
      e.sectors.toString() + " sectors) ends past the end of the disk (" + diskBytes.toString() + " bytes)");
  }
  return p;
}

/** Reads the MBR in `sector` (the disk's first 512 bytes) and follows any EBR chain. */
export function readMbr(dev: Device, sector: Uint8Array): PartitionTable | null {
  const table = new PartitionTable();
  table.kind = "mbr";
  table.sectorSize = MBR_SECTOR_SIZE;
  table.diskId = diskSignature(sector);
  table.hasBootCode = hasBootCode(sector);
  table.bootCode = bootCodeName(sector);
  const diskBytes = dev.size;

  const entries = parseEntries(sector);
  let active = 0;
  for (let i = 0; i < 4; i++) {
    const e = entries[i];
    if (!e.isUsed) continue;
    if (e.status == STATUS_ACTIVE) active++;
    table.partitions.push(makePartition(table, e, i + 1, <u64>e.startLba, "primary", diskBytes));
  }
  if (active > 1) table.notes.push(active.toString() + " primary partitions are marked active; BIOS boot code expects one");

  let nextNumber = 5;
  for (let i = 0; i < 4; i++) {
    const e = entries[i];
    if (!e.isUsed || !isExtendedType(e.type)) continue;
    const n = readLogical(dev, table, e, nextNumber);
    if (n < 0) {
      addContext(dev.name + ": extended partition " + (i + 1).toString());
      return null;
    }
    nextNumber = n;
  }
  return table;
}

/**
 * Walks the EBR chain of the extended partition `ext`. In each EBR the data entry's
 * start is relative to that EBR, the link entry's start to the extended partition.
 * Returns the next free partition number, or -1 with the error set.
 */
function readLogical(dev: Device, table: PartitionTable, ext: MbrEntry, firstNumber: i32): i32 {
  const extStart = <u64>ext.startLba;
  const diskBytes = dev.size;
  const seen = new Set<u64>();
  let ebrLba = extStart;
  let number = firstNumber;
  for (let hops = 0; hops < MAX_LOGICAL; hops++) {
    if (seen.has(ebrLba)) {
      corrupt("mbr.ebr.loop", "the chain of extended boot records loops back to LBA " + ebrLba.toString() +
        " after " + hops.toString() + " records");
      return -1;
    }
    seen.add(ebrLba);
    const off = ebrLba * <u64>MBR_SECTOR_SIZE;
    if (off + <u64>MBR_SECTOR_SIZE > diskBytes) {
      corrupt("mbr.ebr.out-of-range", "extended boot record at LBA " + ebrLba.toString() + " (" + hex64(off) +
        ") lies past the end of the disk (" + diskBytes.toString() + " bytes)");
      return -1;
    }
    const ebr = dev.read(off, MBR_SECTOR_SIZE);
    if (ebr === null) return -1;
    if (!hasBootSignature(ebr)) {
      // Linux ends the chain here without complaint; say so.
      table.notes.push("extended boot record at LBA " + ebrLba.toString() + " has no 55AA signature; the logical partition chain ends there");
      return number;
    }
    let link: MbrEntry | null = null;
    for (let i = 0; i < 4; i++) {
      const e = parseEntry(ebr, i);
      if (!e.isUsed) continue;
      if (isExtendedType(e.type)) {
        if (link === null) link = e;
        continue;
      }
      table.partitions.push(makePartition(table, e, number, ebrLba + <u64>e.startLba, "logical", diskBytes));
      number++;
    }
    if (link === null) return number;
    ebrLba = extStart + <u64>link.startLba;
  }
  limit("mbr.ebr.too-many", "the chain of extended boot records is longer than " + MAX_LOGICAL.toString() +
    " (Linux reads at most " + MAX_LOGICAL.toString() + " logical partitions)");
  return -1;
}
