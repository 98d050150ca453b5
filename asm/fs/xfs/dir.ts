// SPDX-License-Identifier: Apache-2.0
// XFS version 2/3 directories: the shortform directory inside the inode, and
// the data blocks of block, leaf and node directories, which all hold entries
// the same way ("XFS Algorithms & Data Structures", "Directories"). Lookups
// scan the data blocks: the hash index (leaf and node blocks) only speeds them up.

import { u8at, u16be, u32be, u64be } from "../../util/bytes";
import { corrupt, limit } from "../../util/error";
import { xfsCrcOk } from "./superblock";
import { DirEntry, FileKind } from "../filesystem";

export const XD2B_MAGIC: u32 = 0x58443242; // "XD2B" v4 single-block directory
export const XD2D_MAGIC: u32 = 0x58443244; // "XD2D" v4 data block
export const XDB3_MAGIC: u32 = 0x58444233; // "XDB3" v5 single-block directory
export const XDD3_MAGIC: u32 = 0x58444433; // "XDD3" v5 data block
const DATA_FREE_TAG: u32 = 0xffff;
/** entries one readdir returns at most */
const MAX_DIR_ENTRIES: i32 = 1 << 20;

export class DirScan {
  /** name searched for, or null to collect every entry */
  target: Uint8Array | null = null;
  found: u64 = 0;
  entries: DirEntry[] = [];
}

function kindOfFtype(t: u32): FileKind {
  switch (t) {
    case 1: return FileKind.File;
    case 2: return FileKind.Dir;
    case 7: return FileKind.Symlink;
    case 3: case 4: case 5: case 6: return FileKind.Other;
    default: return FileKind.Unknown;
  }
}

function nameIs(b: Uint8Array, off: i32, len: i32, t: Uint8Array): bool {
  if (len != t.length) return false;
  for (let i = 0; i < len; i++) if (unchecked(b[off + i]) != unchecked(t[i])) return false;
  return true;
}

function isDots(b: Uint8Array, off: i32, len: i32): bool {
  return (len == 1 && b[off] == 0x2e) || (len == 2 && b[off] == 0x2e && b[off + 1] == 0x2e);
}

/** Records one entry; false with the error set when the scan must stop for a limit. */
function visit(scan: DirScan, b: Uint8Array, nameOff: i32, nameLen: i32, ino: u64, ftype: u32, where: string): bool {
  const t = scan.target;
  if (t !== null) {
    if (nameIs(b, nameOff, nameLen, t)) scan.found = ino;
    return true;
  }
  if (isDots(b, nameOff, nameLen)) return true;
  if (scan.entries.length >= MAX_DIR_ENTRIES) {
    limit("xfs.dir.entries", where + ": more than " + MAX_DIR_ENTRIES.toString() + " entries");
    return false;
  }
  scan.entries.push(new DirEntry(String.UTF8.decodeUnsafe(b.dataStart + <usize>nameOff, <usize>nameLen, false), ino,
    kindOfFtype(ftype)));
  return true;
}

/** The parent inode number of a shortform directory. */
export function shortformParent(fork: Uint8Array): u64 {
  return u8at(fork, 1) != 0 ? u64be(fork, 2) : <u64>u32be(fork, 2);
}

/** Walks a shortform directory (xfs_dir2_sf_hdr and its entries) of `size` bytes in the inode's fork. */
export function scanShortform(fork: Uint8Array, size: u64, ftype: bool, scan: DirScan, where: string): bool {
  if (size < 6 || size > <u64>fork.length) {
    corrupt("xfs.dir.shortform", where + ": shortform directory of " + size.toString() + " bytes in a " +
      fork.length.toString() + "-byte fork");
    return false;
  }
  const end = <i32>size;
  const count = <i32>u8at(fork, 0);
  const i8count = <i32>u8at(fork, 1);
  const inoLen = i8count != 0 ? 8 : 4;
  let p = 2 + inoLen;
  for (let i = 0; i < count; i++) {
    if (p + 3 > end) {
      corrupt("xfs.dir.shortform", where + ": shortform header claims " + count.toString() + " entries; only " +
        i.toString() + " fit in " + end.toString() + " bytes");
      return false;
    }
    const namelen = <i32>u8at(fork, p);
    const nameOff = p + 3; // namelen, then a 2-byte offset tag
    const ftOff = nameOff + namelen;
    const inoOff = ftOff + (ftype ? 1 : 0);
    if (namelen == 0 || inoOff + inoLen > end) {
      corrupt("xfs.dir.shortform", where + ": shortform entry " + i.toString() + " at byte " + p.toString() +
        " runs past the directory's " + end.toString() + " bytes");
      return false;
    }
    const ino = inoLen == 8 ? u64be(fork, inoOff) : <u64>u32be(fork, inoOff);
    if (!visit(scan, fork, nameOff, namelen, ino, ftype ? u8at(fork, ftOff) : 0, where)) return false;
    if (scan.found != 0) return true;
    p = inoOff + inoLen;
  }
  return true;
}

/**
 * Walks the entries of one directory data block (single-block "XD2B"/"XDB3" or
 * data "XD2D"/"XDD3"); `b` holds exactly the directory block.
 */
export function scanDataBlock(b: Uint8Array, v5: bool, ftype: bool, owner: u64, scan: DirScan, where: string): bool {
  const magic = u32be(b, 0);
  const isBlock = magic == (v5 ? XDB3_MAGIC : XD2B_MAGIC);
  if (!isBlock && magic != (v5 ? XDD3_MAGIC : XD2D_MAGIC)) {
    corrupt("xfs.dir.magic", where + ": directory block magic 0x" + magic.toString(16) + " is not " +
      (v5 ? "XDB3 or XDD3" : "XD2B or XD2D"));
    return false;
  }
  if (v5) {
    // xfs_dir3_blk_hdr: magic, crc, blkno, lsn, uuid, owner
    if (!xfsCrcOk(b, 0, b.length, 4)) {
      corrupt("xfs.dir.crc", where + ": directory block checksum does not match");
      return false;
    }
    if (u64be(b, 40) != owner) {
      corrupt("xfs.dir.owner", where + " belongs to inode " + u64be(b, 40).toString());
      return false;
    }
  }
  const hdr = v5 ? 64 : 16;
  let end = b.length;
  if (isBlock) {
    // the leaf array and the tail (count, stale) sit at the end of a single-block directory
    const count = u32be(b, b.length - 8);
    const leafBytes = <u64>count * 8 + 8;
    if (leafBytes > <u64>(b.length - hdr)) {
      corrupt("xfs.dir.block-tail", where + ": block tail claims " + count.toString() + " leaf entries");
      return false;
    }
    end = b.length - <i32>leafBytes;
  }
  let p = hdr;
  while (p + 8 <= end) {
    if (u16be(b, p) == DATA_FREE_TAG) {
      const len = <i32>u16be(b, p + 2);
      if (len < 8 || (len & 7) != 0 || p + len > end) {
        corrupt("xfs.dir.free", where + ": free space at byte " + p.toString() + " has length " + len.toString());
        return false;
      }
      p += len;
      continue;
    }
    const ino = u64be(b, p);
    const namelen = <i32>u8at(b, p + 8);
    const entLen = (8 + 1 + namelen + (ftype ? 1 : 0) + 2 + 7) & ~7;
    if (namelen == 0 || p + entLen > end) {
      corrupt("xfs.dir.entry", where + ": entry at byte " + p.toString() + " (name length " + namelen.toString() +
        ") runs past the data area");
      return false;
    }
    if (!visit(scan, b, p + 9, namelen, ino, ftype ? u8at(b, p + 9 + namelen) : 0, where)) return false;
    if (scan.found != 0) return true;
    p += entLen;
  }
  return true;
}
