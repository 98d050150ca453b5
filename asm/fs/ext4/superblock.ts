// SPDX-License-Identifier: Apache-2.0
// The ext2/3/4 superblock: 1024 bytes at byte 1024 of the volume
// (kernel Documentation/filesystems/ext4/super.rst, "Super Block").

import { u8at, u16le, u32le, uuidBE, asciiz, hex64 } from "../../util/bytes";
import { corrupt, unsupported } from "../../util/error";
import { crc32cUpdate } from "../../codec/crc32c";

export const SUPERBLOCK_OFFSET: u64 = 1024;
export const SUPERBLOCK_SIZE: i32 = 1024;
export const EXT4_SUPER_MAGIC: u32 = 0xef53;
export const ROOT_INO: u32 = 2;
/** EXT4_MAX_BLOCK_LOG_SIZE - 10: 64 KiB blocks */
const MAX_LOG_BLOCK_SIZE: u32 = 6;

// s_feature_compat
export const COMPAT_HAS_JOURNAL: u32 = 0x4;
export const COMPAT_DIR_INDEX: u32 = 0x20;
export const COMPAT_SPARSE_SUPER2: u32 = 0x200;
// s_feature_ro_compat
export const RO_COMPAT_SPARSE_SUPER: u32 = 0x1;
export const RO_COMPAT_GDT_CSUM: u32 = 0x10;
export const RO_COMPAT_METADATA_CSUM: u32 = 0x400;
// s_feature_incompat
export const INCOMPAT_COMPRESSION: u32 = 0x1;
export const INCOMPAT_FILETYPE: u32 = 0x2;
export const INCOMPAT_RECOVER: u32 = 0x4;
export const INCOMPAT_JOURNAL_DEV: u32 = 0x8;
export const INCOMPAT_META_BG: u32 = 0x10;
export const INCOMPAT_EXTENTS: u32 = 0x40;
export const INCOMPAT_64BIT: u32 = 0x80;
export const INCOMPAT_DIRDATA: u32 = 0x1000;
export const INCOMPAT_LARGEDIR: u32 = 0x4000;
export const INCOMPAT_INLINE_DATA: u32 = 0x8000;
export const INCOMPAT_ENCRYPT: u32 = 0x10000;
export const INCOMPAT_CASEFOLD: u32 = 0x20000;
/** every incompat bit this reader understands well enough to read files */
const INCOMPAT_READABLE: u32 = 0x2 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x200 | 0x400 | 0x2000 |
  0x4000 | 0x8000 | 0x10000 | 0x20000;

// s_flags
export const FLAGS_UNSIGNED_HASH: u32 = 0x2;
const FLAGS_TEST_FILESYS: u32 = 0x4;

// What blkid calls ext2 and ext3 (util-linux libblkid/src/superblocks/ext.c):
// anything else with a journal-less or journalled layout is ext4.
const EXT2_RO_COMPAT_SUPP: u32 = 0x1 | 0x2 | 0x4;
const EXT2_INCOMPAT_SUPP: u32 = INCOMPAT_FILETYPE | INCOMPAT_META_BG;
const EXT3_INCOMPAT_SUPP: u32 = INCOMPAT_FILETYPE | INCOMPAT_RECOVER | INCOMPAT_META_BG;

const COMPAT_NAMES: string[] = ["dir_prealloc", "imagic_inodes", "has_journal", "ext_attr", "resize_inode",
  "dir_index", "lazy_bg", "exclude_inode", "exclude_bitmap", "sparse_super2", "fast_commit", "stable_inodes",
  "orphan_file"];
const RO_COMPAT_NAMES: string[] = ["sparse_super", "large_file", "btree_dir", "huge_file", "uninit_bg",
  "dir_nlink", "extra_isize", "has_snapshot", "quota", "bigalloc", "metadata_csum", "replica", "read-only",
  "project", "shared_blocks", "verity", "orphan_present"];
const INCOMPAT_NAMES: string[] = ["compression", "filetype", "needs_recovery", "journal_dev", "meta_bg",
  "", "extent", "64bit", "mmp", "flex_bg", "ea_inode", "", "dirdata", "metadata_csum_seed", "large_dir",
  "inline_data", "encrypt", "casefold"];

/** Names of the bits set in `mask` as e2fsprogs prints them (unknown bits as "FEATURE_<bit>"). */
export function featureNames(mask: u32, names: string[], prefix: string): string[] {
  const out: string[] = [];
  for (let bit = 0; bit < 32; bit++) {
    if ((mask & (<u32>1 << bit)) == 0) continue;
    const n = bit < names.length ? names[bit] : "";
    out.push(n.length > 0 ? n : "FEATURE_" + prefix + bit.toString());
  }
  return out;
}

/** blkid's name for an ext superblock with these feature words and s_flags. */
export function extBlkidType(compat: u32, incompat: u32, roCompat: u32, flags: u32): string {
  if ((incompat & INCOMPAT_JOURNAL_DEV) != 0) return "jbd";
  const journal = (compat & COMPAT_HAS_JOURNAL) != 0;
  const plainRo = (roCompat & ~EXT2_RO_COMPAT_SUPP) == 0;
  if (!journal && plainRo && (incompat & ~EXT2_INCOMPAT_SUPP) == 0) return "ext2";
  if (journal && plainRo && (incompat & ~EXT3_INCOMPAT_SUPP) == 0) return "ext3";
  return (flags & FLAGS_TEST_FILESYS) != 0 ? "ext4dev" : "ext4";
}

/** The same from the superblock bytes at `off` (for a prober that has not opened the filesystem). */
export function extBlkidTypeAt(b: Uint8Array, off: i32): string {
  const revLevel = u32le(b, off + 0x4c);
  if (revLevel == 0) return "ext2";
  return extBlkidType(u32le(b, off + 0x5c), u32le(b, off + 0x60), u32le(b, off + 0x64), u32le(b, off + 0x160));
}

export class Superblock {
  inodesCount: u32 = 0;
  blocksCount: u64 = 0;
  firstDataBlock: u32 = 0;
  logBlockSize: u32 = 0;
  blockSize: i32 = 0;
  blocksPerGroup: u32 = 0;
  inodesPerGroup: u32 = 0;
  magic: u32 = 0;
  state: u32 = 0;
  revLevel: u32 = 0;
  minorRevLevel: u32 = 0;
  firstIno: u32 = 11;
  inodeSize: i32 = 128;
  compat: u32 = 0;
  incompat: u32 = 0;
  roCompat: u32 = 0;
  uuid: string = "";
  label: string = "";
  lastMounted: string = "";
  hashSeed: StaticArray<u32> = new StaticArray<u32>(4);
  defHashVersion: u32 = 0;
  descSize: i32 = 32;
  firstMetaBg: u32 = 0;
  mkfsTime: u32 = 0;
  mountTime: u32 = 0;
  writeTime: u32 = 0;
  mountCount: u32 = 0;
  flags: u32 = 0;
  checksumType: u32 = 0;
  checksum: u32 = 0;
  backupBgs0: u32 = 0;
  backupBgs1: u32 = 0;
  groupCount: u32 = 0;
  /** true when metadata_csum is on and the stored crc32c matches */
  checksumVerified: bool = false;
  /** crc32c seed of every metadata checksum: s_checksum_seed, or crc32c of the UUID (ext4_fill_super) */
  csumSeed: u32 = 0;

  hasCompat(f: u32): bool { return (this.compat & f) != 0; }
  hasIncompat(f: u32): bool { return (this.incompat & f) != 0; }
  hasRoCompat(f: u32): bool { return (this.roCompat & f) != 0; }

  /** "ext2", "ext3", "ext4" (or "ext4dev", "jbd") as blkid names this superblock. */
  blkidType(): string {
    return extBlkidType(this.compat, this.incompat, this.roCompat, this.flags);
  }

  compatNames(): string[] { return featureNames(this.compat, COMPAT_NAMES, "C"); }
  roCompatNames(): string[] { return featureNames(this.roCompat, RO_COMPAT_NAMES, "R"); }
  incompatNames(): string[] { return featureNames(this.incompat, INCOMPAT_NAMES, "I"); }

  get unsignedDirHash(): bool { return (this.flags & FLAGS_UNSIGNED_HASH) != 0; }

  /** Whether group `g` holds a superblock backup (and so a copy of the descriptors before its data). */
  groupHasSuper(g: u32): bool {
    if (g == 0) return true;
    if (this.hasCompat(COMPAT_SPARSE_SUPER2)) return g == this.backupBgs0 || g == this.backupBgs1;
    if (g <= 1 || !this.hasRoCompat(RO_COMPAT_SPARSE_SUPER)) return true;
    if ((g & 1) == 0) return false;
    return isPower(g, 3) || isPower(g, 5) || isPower(g, 7);
  }

  /**
   * Parses and checks the 1024 superblock bytes; `volumeSize` bounds the block count.
   * Null with the error set (corrupt or unsupported) otherwise.
   */
  static parse(b: Uint8Array, volumeSize: u64, where: string): Superblock | null {
    if (b.length < SUPERBLOCK_SIZE) {
      corrupt("ext4.superblock.short", where + ": the superblock is cut short");
      return null;
    }
    const sb = new Superblock();
    const s_magic = u16le(b, 0x38);
    if (s_magic != EXT4_SUPER_MAGIC) {
      corrupt("ext4.superblock.magic", where + ": superblock magic is " + hex64(s_magic) + ", not 0xef53");
      return null;
    }
    sb.magic = s_magic;
    sb.inodesCount = u32le(b, 0x0);
    const s_blocks_count_lo = u32le(b, 0x4);
    sb.firstDataBlock = u32le(b, 0x14);
    sb.logBlockSize = u32le(b, 0x18);
    sb.blocksPerGroup = u32le(b, 0x20);
    sb.inodesPerGroup = u32le(b, 0x28);
    sb.mountTime = u32le(b, 0x2c);
    sb.writeTime = u32le(b, 0x30);
    sb.mountCount = u16le(b, 0x34);
    sb.state = u16le(b, 0x3a);
    sb.minorRevLevel = u16le(b, 0x3e);
    sb.revLevel = u32le(b, 0x4c);
    if (sb.revLevel >= 1) {
      sb.firstIno = u32le(b, 0x54);
      sb.inodeSize = <i32>u16le(b, 0x58);
      sb.compat = u32le(b, 0x5c);
      sb.incompat = u32le(b, 0x60);
      sb.roCompat = u32le(b, 0x64);
    }
    sb.uuid = uuidBE(b, 0x68);
    sb.label = asciiz(b, 0x78, 16);
    sb.lastMounted = asciiz(b, 0x88, 64);
    for (let i = 0; i < 4; i++) unchecked(sb.hashSeed[i] = u32le(b, 0xec + 4 * i));
    sb.defHashVersion = u8at(b, 0xfc);
    const s_desc_size = <i32>u16le(b, 0xfe);
    sb.firstMetaBg = u32le(b, 0x104);
    sb.mkfsTime = u32le(b, 0x108);
    const s_blocks_count_hi = u32le(b, 0x150);
    sb.flags = u32le(b, 0x160);
    sb.checksumType = u8at(b, 0x175);
    sb.backupBgs0 = u32le(b, 0x24c);
    sb.backupBgs1 = u32le(b, 0x250);
    sb.checksum = u32le(b, 0x3fc);

    if (sb.hasIncompat(INCOMPAT_JOURNAL_DEV)) {
      unsupported("ext4.feature.journal_dev", where + ": an external ext3/ext4 journal device, which holds no files");
      return null;
    }
    if (sb.hasRoCompat(RO_COMPAT_METADATA_CSUM)) {
      if (sb.checksumType != 1) {
        unsupported("ext4.superblock.checksum-type", where + ": superblock names checksum type " +
          sb.checksumType.toString() + "; only crc32c (1) exists");
        return null;
      }
      const crc = crc32cUpdate(0xffffffff, b, 0, 0x3fc);
      if (crc != sb.checksum) {
        corrupt("ext4.superblock.checksum", where + ": superblock checksum is " + hex64(sb.checksum) +
          " but its contents sum to " + hex64(crc) + "; Linux refuses to mount it until e2fsck repairs it");
        return null;
      }
      sb.checksumVerified = true;
      // INCOMPAT_CSUM_SEED (0x2000): the seed is stored, so that the UUID can change
      sb.csumSeed = (sb.incompat & 0x2000) != 0 ? u32le(b, 0x270) : crc32cUpdate(0xffffffff, b, 0x68, 16);
    }
    if (sb.logBlockSize > MAX_LOG_BLOCK_SIZE) {
      corrupt("ext4.superblock.block-size", where + ": block size 2^(10+" + sb.logBlockSize.toString() +
        ") is larger than ext4's 64 KiB");
      return null;
    }
    sb.blockSize = 1024 << <i32>sb.logBlockSize;
    const bs = sb.blockSize;
    sb.blocksCount = sb.hasIncompat(INCOMPAT_64BIT) ? (<u64>s_blocks_count_hi << 32) | s_blocks_count_lo : s_blocks_count_lo;
    if (sb.revLevel >= 1) {
      if (sb.inodeSize < 128 || sb.inodeSize > bs || (sb.inodeSize & (sb.inodeSize - 1)) != 0) {
        corrupt("ext4.superblock.inode-size", where + ": inode size " + sb.inodeSize.toString() +
          " is not a power of two between 128 and the block size");
        return null;
      }
      if (sb.firstIno < 3) {
        corrupt("ext4.superblock.first-ino", where + ": first non-reserved inode " + sb.firstIno.toString() + " is below 3");
        return null;
      }
    } else {
      sb.inodeSize = 128;
      sb.firstIno = 11;
    }
    if (sb.hasIncompat(INCOMPAT_64BIT)) {
      if (s_desc_size < 64 || s_desc_size > 1024 || (s_desc_size & (s_desc_size - 1)) != 0) {
        corrupt("ext4.superblock.desc-size", where + ": group descriptor size " + s_desc_size.toString() +
          " is not a power of two between 64 and 1024");
        return null;
      }
      sb.descSize = s_desc_size;
    } else {
      sb.descSize = 32;
    }
    if (sb.blocksPerGroup == 0 || sb.blocksPerGroup > <u32>(8 * bs)) {
      corrupt("ext4.superblock.blocks-per-group", where + ": " + sb.blocksPerGroup.toString() +
        " blocks per group does not fit one block bitmap (1.." + (8 * bs).toString() + ")");
      return null;
    }
    if (sb.inodesPerGroup == 0 || sb.inodesPerGroup > <u32>(8 * bs)) {
      corrupt("ext4.superblock.inodes-per-group", where + ": " + sb.inodesPerGroup.toString() +
        " inodes per group does not fit one inode bitmap (1.." + (8 * bs).toString() + ")");
      return null;
    }
    if (sb.blocksCount == 0 || <u64>sb.firstDataBlock >= sb.blocksCount) {
      corrupt("ext4.superblock.blocks-count", where + ": block count " + sb.blocksCount.toString() +
        " with first data block " + sb.firstDataBlock.toString());
      return null;
    }
    if (sb.blocksCount > (volumeSize >> (10 + sb.logBlockSize))) {
      corrupt("ext4.superblock.blocks-count", where + ": the filesystem says it has " + sb.blocksCount.toString() +
        " blocks of " + bs.toString() + " bytes but the volume holds only " + volumeSize.toString() +
        " bytes (truncated image or partition?)");
      return null;
    }
    const groups = (sb.blocksCount - <u64>sb.firstDataBlock + <u64>sb.blocksPerGroup - 1) / <u64>sb.blocksPerGroup;
    if (groups > 0xffffffff || <u64>sb.inodesCount > groups * <u64>sb.inodesPerGroup) {
      corrupt("ext4.superblock.inodes-count", where + ": " + sb.inodesCount.toString() + " inodes do not fit " +
        groups.toString() + " groups of " + sb.inodesPerGroup.toString());
      return null;
    }
    sb.groupCount = <u32>groups;
    const bad = sb.incompat & ~INCOMPAT_READABLE;
    if (bad != 0) {
      const names = featureNames(bad, INCOMPAT_NAMES, "I");
      unsupported("ext4.feature.incompat", where + ": uses " + names.join(", ") +
        ", which this reader does not understand");
      return null;
    }
    return sb;
  }
}

function isPower(n: u32, base: u32): bool {
  let p: u64 = base;
  while (p < <u64>n) p *= base;
  return p == <u64>n;
}
