// SPDX-License-Identifier: Apache-2.0
// The Btrfs superblock: 4 KiB at 64 KiB, with mirrors at 64 MiB and 256 GiB
// (btrfs docs, "On-disk Format" → Superblock). The primary is used when it is
// valid; otherwise the valid mirror with the highest generation.

import { Device } from "../../io/device";
import { u8at, u16le, u32le, u64le, uuidBE, asciiz, asciiAt, hex64 } from "../../util/bytes";
import { corrupt, unsupported, clearError, lastError } from "../../util/error";
import { crc32cUpdate } from "../../codec/crc32c";

export const SUPER_SIZE: i32 = 4096;
export const SUPER_MIRRORS: u64[] = [0x10000, 0x4000000, 0x4000000000];
export const BTRFS_MAGIC = "_BHRfS_M";
/** Offset of the checksummed part of the superblock and of every tree node. */
export const CSUM_SIZE: i32 = 0x20;
export const SYS_CHUNK_ARRAY_MAX: i32 = 2048;
const SYS_CHUNK_ARRAY_OFF: i32 = 0x32b;

export const CSUM_CRC32C: u32 = 0;
const CSUM_NAMES: string[] = ["crc32c", "xxhash64", "sha256", "blake2b"];

// incompat flags (ctree.h BTRFS_FEATURE_INCOMPAT_*)
export const INCOMPAT_MIXED_BACKREF: u64 = 0x1;
export const INCOMPAT_DEFAULT_SUBVOL: u64 = 0x2;
export const INCOMPAT_MIXED_GROUPS: u64 = 0x4;
export const INCOMPAT_COMPRESS_LZO: u64 = 0x8;
export const INCOMPAT_COMPRESS_ZSTD: u64 = 0x10;
export const INCOMPAT_BIG_METADATA: u64 = 0x20;
export const INCOMPAT_EXTENDED_IREF: u64 = 0x40;
export const INCOMPAT_RAID56: u64 = 0x80;
export const INCOMPAT_SKINNY_METADATA: u64 = 0x100;
export const INCOMPAT_NO_HOLES: u64 = 0x200;
export const INCOMPAT_METADATA_UUID: u64 = 0x400;
export const INCOMPAT_RAID1C34: u64 = 0x800;
export const INCOMPAT_ZONED: u64 = 0x1000;
export const INCOMPAT_EXTENT_TREE_V2: u64 = 0x2000;
export const INCOMPAT_RAID_STRIPE_TREE: u64 = 0x4000;
export const INCOMPAT_SIMPLE_QUOTA: u64 = 0x10000;
const INCOMPAT_NAMES: string[] = ["mixed_backref", "default_subvol", "mixed_groups", "compress_lzo",
  "compress_zstd", "big_metadata", "extended_iref", "raid56", "skinny_metadata", "no_holes", "metadata_uuid",
  "raid1c34", "zoned", "extent_tree_v2", "raid_stripe_tree", "", "simple_quota"];
/** Layouts this reader cannot follow: the extent tree v2 and the raid stripe tree change how data is found. */
const INCOMPAT_UNREADABLE: u64 = INCOMPAT_EXTENT_TREE_V2 | INCOMPAT_RAID_STRIPE_TREE;
const COMPAT_RO_NAMES: string[] = ["free_space_tree", "free_space_tree_valid", "verity", "block_group_tree"];

export function featureNames(mask: u64, names: string[]): string[] {
  const out: string[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if ((mask & (<u64>1 << <u64>bit)) == 0) continue;
    const n = bit < names.length ? names[bit] : "";
    out.push(n.length > 0 ? n : "bit" + bit.toString());
  }
  return out;
}

export class Superblock {
  raw: Uint8Array = new Uint8Array(0);
  /** byte position of the copy in use */
  at: u64 = 0;
  /** the copies found valid / the one used is not the primary */
  fromMirror: bool = false;
  /** why the primary copy was not used (when fromMirror) */
  primaryError: string = "";
  fsid: string = "";
  fsidBytes: Uint8Array = new Uint8Array(16);
  metadataUuid: Uint8Array = new Uint8Array(16);
  flags: u64 = 0;
  generation: u64 = 0;
  root: u64 = 0;
  chunkRoot: u64 = 0;
  logRoot: u64 = 0;
  totalBytes: u64 = 0;
  bytesUsed: u64 = 0;
  rootDirObjectid: u64 = 0;
  numDevices: u64 = 0;
  sectorSize: u32 = 0;
  nodeSize: u32 = 0;
  stripeSize: u32 = 0;
  sysChunkArraySize: u32 = 0;
  compatFlags: u64 = 0;
  compatRoFlags: u64 = 0;
  incompatFlags: u64 = 0;
  csumType: u32 = 0;
  rootLevel: u32 = 0;
  chunkRootLevel: u32 = 0;
  devid: u64 = 0;
  devUuid: string = "";
  label: string = "";
  checksumVerified: bool = false;

  hasIncompat(f: u64): bool { return (this.incompatFlags & f) != 0; }
  get csumName(): string { return this.csumType < <u32>CSUM_NAMES.length ? CSUM_NAMES[this.csumType] : "type " + this.csumType.toString(); }
  incompatNames(): string[] { return featureNames(this.incompatFlags, INCOMPAT_NAMES); }
  compatRoNames(): string[] { return featureNames(this.compatRoFlags, COMPAT_RO_NAMES); }

  /** The sys_chunk_array bytes (bounded by the format's 2048). */
  sysChunkArray(): Uint8Array {
    return this.raw.slice(SYS_CHUNK_ARRAY_OFF, SYS_CHUNK_ARRAY_OFF + <i32>this.sysChunkArraySize);
  }

  /**
   * Parses and validates one copy; null with the error set when it is not a
   * usable superblock. `at` is where it was read (it must say so itself).
   */
  static parse(b: Uint8Array, at: u64, devSize: u64, where: string): Superblock | null {
    const w = where + ": superblock at " + hex64(at);
    if (b.length < SUPER_SIZE || !asciiAt(b, 0x40, BTRFS_MAGIC)) {
      corrupt("btrfs.super.magic", w + " lacks the magic _BHRfS_M");
      return null;
    }
    const sb = new Superblock();
    sb.raw = b;
    sb.at = at;
    const bytenr = u64le(b, 0x30);
    if (bytenr != at) {
      corrupt("btrfs.super.bytenr", w + " says it belongs at " + hex64(bytenr));
      return null;
    }
    sb.csumType = u16le(b, 0xc4);
    if (sb.csumType == CSUM_CRC32C) {
      // crc32c over everything after the checksum field, stored little-endian
      const want = u32le(b, 0);
      const got = ~crc32cUpdate(0xffffffff, b, CSUM_SIZE, SUPER_SIZE - CSUM_SIZE);
      if (want != got) {
        corrupt("btrfs.super.csum", w + ": checksum mismatch (stored 0x" + want.toString(16) + ", computed 0x" +
          got.toString(16) + ")");
        return null;
      }
      sb.checksumVerified = true;
    } else if (sb.csumType >= <u32>CSUM_NAMES.length) {
      corrupt("btrfs.super.csum-type", w + ": unknown checksum type " + sb.csumType.toString());
      return null;
    }
    sb.fsidBytes = b.slice(0x20, 0x30);
    sb.fsid = uuidBE(b, 0x20);
    sb.flags = u64le(b, 0x38);
    sb.generation = u64le(b, 0x48);
    sb.root = u64le(b, 0x50);
    sb.chunkRoot = u64le(b, 0x58);
    sb.logRoot = u64le(b, 0x60);
    sb.totalBytes = u64le(b, 0x70);
    sb.bytesUsed = u64le(b, 0x78);
    sb.rootDirObjectid = u64le(b, 0x80);
    sb.numDevices = u64le(b, 0x88);
    sb.sectorSize = u32le(b, 0x90);
    sb.nodeSize = u32le(b, 0x94);
    sb.stripeSize = u32le(b, 0x9c);
    sb.sysChunkArraySize = u32le(b, 0xa0);
    sb.compatFlags = u64le(b, 0xac);
    sb.compatRoFlags = u64le(b, 0xb4);
    sb.incompatFlags = u64le(b, 0xbc);
    sb.rootLevel = u8at(b, 0xc6);
    sb.chunkRootLevel = u8at(b, 0xc7);
    sb.devid = u64le(b, 0xc9);
    sb.devUuid = uuidBE(b, 0xc9 + 0x42);
    sb.label = asciiz(b, 0x12b, 256);
    sb.metadataUuid = sb.hasIncompat(INCOMPAT_METADATA_UUID) ? b.slice(0x23b, 0x24b) : sb.fsidBytes;

    const ss = sb.sectorSize, ns = sb.nodeSize;
    if (ss < 4096 || ss > 65536 || (ss & (ss - 1)) != 0) {
      corrupt("btrfs.super.sectorsize", w + ": sector size " + ss.toString() + " is not a power of two in 4 KiB..64 KiB");
      return null;
    }
    if (ns < ss || ns > 65536 || (ns & (ns - 1)) != 0) {
      corrupt("btrfs.super.nodesize", w + ": node size " + ns.toString() + " is not a power of two in sector size..64 KiB");
      return null;
    }
    if (sb.totalBytes == 0) {
      corrupt("btrfs.super.total-bytes", w + ": total_bytes is 0");
      return null;
    }
    if (sb.sysChunkArraySize == 0 || sb.sysChunkArraySize > <u32>SYS_CHUNK_ARRAY_MAX) {
      corrupt("btrfs.super.sys-array-size", w + ": sys_chunk_array_size " + sb.sysChunkArraySize.toString() +
        " is outside 1..2048");
      return null;
    }
    if (sb.rootLevel >= 8 || sb.chunkRootLevel >= 8) {
      corrupt("btrfs.super.level", w + ": tree root level " + sb.rootLevel.toString() + " / chunk root level " +
        sb.chunkRootLevel.toString() + " exceeds the maximum 7");
      return null;
    }
    if (sb.numDevices == 0) {
      corrupt("btrfs.super.num-devices", w + ": num_devices is 0");
      return null;
    }
    if ((sb.root & <u64>(ss - 1)) != 0 || (sb.chunkRoot & <u64>(ss - 1)) != 0) {
      corrupt("btrfs.super.root-align", w + ": tree roots " + hex64(sb.root) + " / " + hex64(sb.chunkRoot) +
        " are not aligned to the sector size");
      return null;
    }
    if ((sb.incompatFlags & INCOMPAT_UNREADABLE) != 0) {
      unsupported("btrfs.incompat", w + ": features " + featureNames(sb.incompatFlags & INCOMPAT_UNREADABLE, INCOMPAT_NAMES).join(", ") +
        " are not supported by this reader");
      return null;
    }
    return sb;
  }
}

/** Reads the superblock (mirrors when the primary is bad); null with the error set. */
export function readSuperblock(dev: Device, where: string): Superblock | null {
  if (dev.size < SUPER_MIRRORS[0] + <u64>SUPER_SIZE) {
    corrupt("btrfs.super.short", where + ": too small (" + dev.size.toString() + " bytes) to hold a Btrfs superblock");
    return null;
  }
  const b = dev.read(SUPER_MIRRORS[0], SUPER_SIZE);
  if (b === null) return null;
  const primary = Superblock.parse(b, SUPER_MIRRORS[0], dev.size, where);
  if (primary !== null) return primary;
  const err = lastError();
  const primaryCode = err !== null ? err.code : "";
  const primaryMsg = err !== null ? err.message : "";
  let best: Superblock | null = null;
  for (let i = 1; i < SUPER_MIRRORS.length; i++) {
    const at = SUPER_MIRRORS[i];
    if (at + <u64>SUPER_SIZE > dev.size) break;
    const m = dev.read(at, SUPER_SIZE);
    if (m === null) { clearError(); continue; }
    const sb = Superblock.parse(m, at, dev.size, where);
    clearError();
    if (sb === null) continue;
    if (best === null || sb.generation > best.generation) best = sb;
  }
  if (best === null) {
    corrupt(primaryCode, primaryMsg + (dev.size > SUPER_MIRRORS[1] ? "; no mirror copy is valid either" : ""));
    return null;
  }
  best.fromMirror = true;
  best.primaryError = primaryMsg;
  return best;
}
