// SPDX-License-Identifier: Apache-2.0
// The on-disk inode: 128 bytes plus i_extra_isize, inode size apart in the
// group's inode table (Documentation/filesystems/ext4/inodes.rst, "Index Nodes").

import { u16le, u32le } from "../../util/bytes";
import { FileKind } from "../filesystem";

// i_mode file types
export const S_IFMT: u32 = 0xf000;
export const S_IFREG: u32 = 0x8000;
export const S_IFDIR: u32 = 0x4000;
export const S_IFLNK: u32 = 0xa000;

// i_flags
export const EXT4_ENCRYPT_FL: u32 = 0x800;
export const EXT4_INDEX_FL: u32 = 0x1000;
export const EXT4_EXTENTS_FL: u32 = 0x80000;
export const EXT4_INLINE_DATA_FL: u32 = 0x10000000;
export const EXT4_CASEFOLD_FL: u32 = 0x40000000;

/** i_block: 15 block pointers, an extent tree root, a fast symlink or inline data */
export const I_BLOCK_OFFSET: i32 = 0x28;
export const I_BLOCK_SIZE: i32 = 60;
export const GOOD_OLD_INODE_SIZE: i32 = 128;

export class Inode {
  ino: u32 = 0;
  mode: u32 = 0;
  uid: u32 = 0;
  gid: u32 = 0;
  size: u64 = 0;
  linksCount: u32 = 0;
  mtime: i64 = 0;
  dtime: u32 = 0;
  flags: u32 = 0;
  /** 512-byte units (or blocks with huge_file + EXT4_HUGE_FILE_FL); only used to spot fast symlinks */
  blocksLo: u32 = 0;
  fileAcl: u64 = 0;
  extraIsize: i32 = 0;
  /** the whole on-disk inode (inode size bytes): i_block and the in-inode xattrs */
  raw: Uint8Array;

  constructor(raw: Uint8Array) { this.raw = raw; }

  static parse(raw: Uint8Array, ino: u32): Inode {
    const n = new Inode(raw);
    n.ino = ino;
    const i_mode = u16le(raw, 0x0);
    const i_uid = u16le(raw, 0x2);
    const i_size_lo = u32le(raw, 0x4);
    const i_mtime = u32le(raw, 0x10);
    const i_dtime = u32le(raw, 0x14);
    const i_gid = u16le(raw, 0x18);
    const i_links_count = u16le(raw, 0x1a);
    const i_blocks_lo = u32le(raw, 0x1c);
    const i_flags = u32le(raw, 0x20);
    const i_file_acl_lo = u32le(raw, 0x68);
    const i_size_high = u32le(raw, 0x6c);
    const l_i_file_acl_high = u16le(raw, 0x76);
    const l_i_uid_high = u16le(raw, 0x78);
    const l_i_gid_high = u16le(raw, 0x7a);
    n.mode = i_mode;
    n.uid = (l_i_uid_high << 16) | i_uid;
    n.gid = (l_i_gid_high << 16) | i_gid;
    n.size = (<u64>i_size_high << 32) | i_size_lo;
    n.linksCount = i_links_count;
    n.dtime = i_dtime;
    n.flags = i_flags;
    n.blocksLo = i_blocks_lo;
    n.fileAcl = (<u64>l_i_file_acl_high << 32) | i_file_acl_lo;
    n.mtime = <i64><i32>i_mtime;
    if (raw.length > GOOD_OLD_INODE_SIZE) {
      const i_extra_isize = <i32>u16le(raw, 0x80);
      // a nonsensical i_extra_isize just means "no extra fields" for what we read
      if (i_extra_isize >= 4 && (i_extra_isize & 3) == 0 && GOOD_OLD_INODE_SIZE + i_extra_isize <= raw.length) {
        n.extraIsize = i_extra_isize;
        if (i_extra_isize >= 0x0c) {
          // i_mtime_extra: the low two bits extend the seconds past 2038
          const i_mtime_extra = u32le(raw, 0x88);
          n.mtime += <i64>(i_mtime_extra & 3) << 32;
        }
      }
    }
    return n;
  }

  get fileType(): u32 { return this.mode & S_IFMT; }
  get isDir(): bool { return this.fileType == S_IFDIR; }
  get isReg(): bool { return this.fileType == S_IFREG; }
  get isSymlink(): bool { return this.fileType == S_IFLNK; }
  /** Linux treats an inode without links as deleted (ext4_iget: ESTALE) */
  get inUse(): bool { return this.mode != 0 && this.linksCount != 0; }
  hasFlag(f: u32): bool { return (this.flags & f) != 0; }

  get kind(): FileKind {
    switch (this.fileType) {
      case S_IFREG: return FileKind.File;
      case S_IFDIR: return FileKind.Dir;
      case S_IFLNK: return FileKind.Symlink;
      case 0x1000: case 0x2000: case 0x6000: case 0xc000: return FileKind.Other;
      default: return FileKind.Unknown;
    }
  }

  /** i_block, the 60 bytes after the fixed fields */
  iblock(): Uint8Array { return this.raw.subarray(I_BLOCK_OFFSET, I_BLOCK_OFFSET + I_BLOCK_SIZE); }

  /** Block pointer i of i_block (block-mapped files). */
  blockPtr(i: i32): u32 { return u32le(this.raw, I_BLOCK_OFFSET + 4 * i); }
}
