// SPDX-License-Identifier: Apache-2.0
// The FAT boot sector and its BIOS Parameter Block (Microsoft "FAT: General
// Overview of On-Disk Format" 1.03, sections 3.1-3.3), and the geometry derived
// from it: where the FATs, the root directory and the data clusters lie.

import { corrupt, unsupported } from "../../util/error";
import { u8at, u16le, u32le, hexByte, asciiz } from "../../util/bytes";
import { cp437 } from "./code-page";

/** fatgen103 §3.5: fewer than 4085 clusters is FAT12, fewer than 65525 FAT16. */
export const FAT12_MAX_CLUSTERS: u32 = 4084;
export const FAT16_MAX_CLUSTERS: u32 = 65524;
/** FAT32 cluster numbers have 28 bits; 0x0FFFFFF7 is the bad-cluster mark. */
export const FAT32_MAX_CLUSTERS: u32 = 0x0ffffff5;
const EXT_BOOT_SIGNATURE_OLD: u32 = 0x28;
const EXT_BOOT_SIGNATURE: u32 = 0x29;

export class FatGeometry {
  /** 12, 16 or 32 */
  fatBits: i32 = 0;
  bytesPerSector: u32 = 0;
  sectorsPerCluster: u32 = 0;
  clusterSize: u32 = 0;
  reservedSectors: u32 = 0;
  fatCount: u32 = 0;
  rootEntryCount: u32 = 0;
  totalSectors: u32 = 0;
  /** sectors per FAT */
  fatSectors: u32 = 0;
  /** 0-based FAT in use (FAT32 with mirroring off names one) */
  activeFat: u32 = 0;
  /** FAT32: first cluster of the root directory */
  rootCluster: u32 = 0;
  /** data clusters: valid cluster numbers are 2 .. clusterCount+1 */
  clusterCount: u32 = 0;
  /** byte offsets within the volume */
  fatOffset: u64 = 0;
  rootDirOffset: u64 = 0;
  rootDirBytes: u32 = 0;
  dataOffset: u64 = 0;
  volumeBytes: u64 = 0;
  hasSerial: bool = false;
  serial: u32 = 0;
  /** the BPB's label, trimmed ("" for "NO NAME") */
  bpbLabel: string = "";
  oemName: string = "";
  media: u32 = 0;

  /** Byte offset of cluster `c` (2 .. clusterCount+1) within the volume. */
  clusterOffset(c: u32): u64 {
    return this.dataOffset + <u64>(c - 2) * <u64>this.clusterSize;
  }

  /** The volume serial as blkid prints it: "XXXX-XXXX", upper case. */
  get uuid(): string {
    if (!this.hasSerial) return "";
    const s = this.serial;
    return (hexByte(s >>> 24) + hexByte((s >>> 16) & 0xff) + "-" + hexByte((s >>> 8) & 0xff) + hexByte(s & 0xff)).toUpperCase();
  }
}

function isPowerOfTwo(v: u32): bool { return v != 0 && (v & (v - 1)) == 0; }

/** An 11-byte label field: trailing spaces trimmed; "NO NAME" means none. */
export function labelText(b: Uint8Array, off: i32): string {
  let end = off + 11;
  while (end > off && (u8at(b, end - 1) == 0x20 || u8at(b, end - 1) == 0)) end--;
  if (end == off) return "";
  let s = "";
  for (let i = off; i < end; i++) {
    let c = u8at(b, i);
    if (i == off && c == 0x05) c = 0xe5; // 0x05 stands for a leading 0xE5
    s += cp437(c);
  }
  return s == "NO NAME" ? "" : s;
}

/**
 * Parses the boot sector `b` (at least 512 bytes) of a volume of `volumeBytes`.
 * Null with a "fat.bpb.*" error when the BPB cannot describe a FAT volume.
 */
export function parseBootSector(b: Uint8Array, volumeBytes: u64): FatGeometry | null {
  if (b.length < 512) {
    corrupt("fat.bpb.short", "the volume is smaller than one boot sector");
    return null;
  }
  const BS_OEMName = 3;
  const BPB_BytsPerSec = u16le(b, 11);
  const BPB_SecPerClus = u8at(b, 13);
  const BPB_RsvdSecCnt = u16le(b, 14);
  const BPB_NumFATs = u8at(b, 16);
  const BPB_RootEntCnt = u16le(b, 17);
  const BPB_TotSec16 = u16le(b, 19);
  const BPB_Media = u8at(b, 21);
  const BPB_FATSz16 = u16le(b, 22);
  const BPB_TotSec32 = u32le(b, 32);
  const BPB_FATSz32 = u32le(b, 36);
  const BPB_ExtFlags = u16le(b, 40);
  const BPB_FSVer = u16le(b, 42);
  const BPB_RootClus = u32le(b, 44);

  if (BPB_BytsPerSec < 512 || BPB_BytsPerSec > 4096 || !isPowerOfTwo(BPB_BytsPerSec)) {
    corrupt("fat.bpb.bytes-per-sector", "BPB bytes per sector is " + BPB_BytsPerSec.toString() + " (512, 1024, 2048 or 4096 expected)");
    return null;
  }
  if (!isPowerOfTwo(BPB_SecPerClus)) {
    corrupt("fat.bpb.sectors-per-cluster", "BPB sectors per cluster is " + BPB_SecPerClus.toString() + " (a power of two expected)");
    return null;
  }
  if (BPB_RsvdSecCnt == 0) {
    corrupt("fat.bpb.reserved-sectors", "BPB reserved sector count is 0 (the boot sector itself is reserved)");
    return null;
  }
  if (BPB_NumFATs == 0) {
    corrupt("fat.bpb.fat-count", "BPB number of FATs is 0");
    return null;
  }
  if (BPB_Media != 0xf0 && BPB_Media < 0xf8) {
    corrupt("fat.bpb.media", "BPB media byte is 0x" + hexByte(BPB_Media) + " (0xF0 or 0xF8-0xFF expected)");
    return null;
  }
  const g = new FatGeometry();
  g.bytesPerSector = BPB_BytsPerSec;
  g.sectorsPerCluster = BPB_SecPerClus;
  g.clusterSize = BPB_BytsPerSec * BPB_SecPerClus;
  g.reservedSectors = BPB_RsvdSecCnt;
  g.fatCount = BPB_NumFATs;
  g.rootEntryCount = BPB_RootEntCnt;
  g.media = BPB_Media;
  g.volumeBytes = volumeBytes;
  g.oemName = asciiz(b, BS_OEMName, 8).trimEnd();
  g.totalSectors = BPB_TotSec16 != 0 ? BPB_TotSec16 : BPB_TotSec32;
  // Linux, like Windows, takes a zero 16-bit FAT size to mean the FAT32 layout.
  const fat32Layout = BPB_FATSz16 == 0;
  g.fatSectors = fat32Layout ? BPB_FATSz32 : BPB_FATSz16;
  if (g.fatSectors == 0) {
    corrupt("fat.bpb.fat-size", "BPB sectors per FAT is 0");
    return null;
  }
  if (g.totalSectors == 0) {
    corrupt("fat.bpb.total-sectors", "BPB total sector count is 0");
    return null;
  }
  if (fat32Layout) {
    if (BPB_RootEntCnt != 0) {
      corrupt("fat.bpb.root-entries", "FAT32 BPB has a fixed root directory of " + BPB_RootEntCnt.toString() + " entries (0 expected)");
      return null;
    }
    if (BPB_FSVer != 0) {
      unsupported("fat.bpb.version", "FAT32 version " + (BPB_FSVer >> 8).toString() + "." + (BPB_FSVer & 0xff).toString() + " (only 0.0 exists)");
      return null;
    }
    // bit 7: mirroring off, bits 0-3 name the one active FAT
    if ((BPB_ExtFlags & 0x80) != 0) g.activeFat = BPB_ExtFlags & 0xf;
    if (g.activeFat >= g.fatCount) {
      corrupt("fat.bpb.active-fat", "BPB names FAT " + g.activeFat.toString() + " active of " + g.fatCount.toString());
      return null;
    }
  } else if (BPB_RootEntCnt == 0) {
    corrupt("fat.bpb.root-entries", "FAT12/16 BPB has no root directory entries");
    return null;
  }

  const ss = <u64>BPB_BytsPerSec;
  const rootDirSectors = (BPB_RootEntCnt * 32 + BPB_BytsPerSec - 1) / BPB_BytsPerSec;
  const metaSectors = <u64>BPB_RsvdSecCnt + <u64>BPB_NumFATs * <u64>g.fatSectors + <u64>rootDirSectors;
  if (metaSectors >= <u64>g.totalSectors) {
    corrupt("fat.bpb.total-sectors", "BPB total sectors (" + g.totalSectors.toString() + ") leave no room for data after " +
      metaSectors.toString() + " sectors of FATs and root directory");
    return null;
  }
  const dataSectors = <u64>g.totalSectors - metaSectors;
  const clusters = dataSectors / <u64>BPB_SecPerClus;
  if (clusters == 0) {
    corrupt("fat.bpb.total-sectors", "the volume has no data clusters");
    return null;
  }
  if (fat32Layout) {
    g.fatBits = 32;
  } else {
    g.fatBits = clusters <= <u64>FAT12_MAX_CLUSTERS ? 12 : 16;
  }
  const maxClusters: u64 = g.fatBits == 12 ? FAT12_MAX_CLUSTERS : (g.fatBits == 16 ? FAT16_MAX_CLUSTERS : FAT32_MAX_CLUSTERS);
  g.clusterCount = <u32>min(clusters, maxClusters);
  // The FAT must hold an entry for every cluster (and the two reserved ones).
  const fatBytesNeeded = (<u64>(g.clusterCount + 2) * <u64>g.fatBits + 7) / 8;
  if (<u64>g.fatSectors * ss < fatBytesNeeded) {
    corrupt("fat.bpb.fat-size", "a FAT of " + g.fatSectors.toString() + " sectors cannot map " + g.clusterCount.toString() +
      " clusters (" + fatBytesNeeded.toString() + " bytes needed)");
    return null;
  }
  g.fatOffset = <u64>BPB_RsvdSecCnt * ss;
  g.rootDirOffset = g.fatOffset + <u64>BPB_NumFATs * <u64>g.fatSectors * ss;
  g.rootDirBytes = rootDirSectors * BPB_BytsPerSec;
  g.dataOffset = g.rootDirOffset + <u64>g.rootDirBytes;
  if (fat32Layout) {
    g.rootCluster = BPB_RootClus;
    if (BPB_RootClus < 2 || BPB_RootClus > g.clusterCount + 1) {
      corrupt("fat.bpb.root-cluster", "FAT32 root directory cluster " + BPB_RootClus.toString() + " is outside 2.." +
        (g.clusterCount + 1).toString());
      return null;
    }
  }
  // The FATs and the root directory must be on the device; data past its end fails when read.
  if (g.dataOffset > volumeBytes) {
    corrupt("fat.bpb.past-end", "the FATs and root directory end at byte " + g.dataOffset.toString() +
      ", past the end of the volume (" + volumeBytes.toString() + " bytes)");
    return null;
  }

  const extOff = fat32Layout ? 64 : 36; // BS_DrvNum
  const BS_BootSig = u8at(b, extOff + 2);
  if (BS_BootSig == EXT_BOOT_SIGNATURE || BS_BootSig == EXT_BOOT_SIGNATURE_OLD) {
    g.hasSerial = true;
    g.serial = u32le(b, extOff + 3); // BS_VolID
  }
  if (BS_BootSig == EXT_BOOT_SIGNATURE) g.bpbLabel = labelText(b, extOff + 7); // BS_VolLab
  return g;
}
