// SPDX-License-Identifier: Apache-2.0
// The XFS on-disk inode (xfs_dinode, versions 1-3): core fields, timestamps
// (classic and bigtime), extent counters (classic and nrext64), and where the
// data fork lies ("XFS Algorithms & Data Structures", "On-disk Inode").

import { u8at, u16be, u32be, u64be } from "../../util/bytes";
import { FileKind } from "../filesystem";

export const DINODE_MAGIC: u32 = 0x494e; // "IN"
/** fork formats (di_format) */
export const FMT_DEV: u32 = 0;
export const FMT_LOCAL: u32 = 1;
export const FMT_EXTENTS: u32 = 2;
export const FMT_BTREE: u32 = 3;

const DIFLAG2_BIGTIME: u64 = 1 << 3;
const DIFLAG2_NREXT64: u64 = 1 << 4;
/** bigtime counts nanoseconds from the classic epoch's lowest value, -2^31 seconds */
const BIGTIME_EPOCH_OFFSET: i64 = 2147483648;

export const S_IFMT: u32 = 0o170000;
export const S_IFREG: u32 = 0o100000;
export const S_IFDIR: u32 = 0o040000;
export const S_IFLNK: u32 = 0o120000;

export class XfsInode {
  ino: u64 = 0;
  raw: Uint8Array;
  version: u32 = 0;
  mode: u32 = 0;
  format: u32 = 0;
  uid: u32 = 0;
  gid: u32 = 0;
  nlink: u32 = 0;
  mtime: i64 = 0;
  size: u64 = 0;
  nextents: u64 = 0;
  forkOff: u32 = 0;
  flags2: u64 = 0;
  /** the stored inode number (v3 only; 0 before) */
  storedIno: u64 = 0;
  /** byte offset of the literal area (data fork) inside raw */
  litOff: i32 = 0;
  /** bytes of the data fork inside the inode */
  dataForkSize: i32 = 0;

  constructor(raw: Uint8Array, ino: u64) {
    this.raw = raw;
    this.ino = ino;
  }

  get magicOk(): bool { return u16be(this.raw, 0) == DINODE_MAGIC; }
  get inUse(): bool { return this.mode != 0; }
  get isDir(): bool { return (this.mode & S_IFMT) == S_IFDIR; }
  get isSymlink(): bool { return (this.mode & S_IFMT) == S_IFLNK; }
  get isFile(): bool { return (this.mode & S_IFMT) == S_IFREG; }
  get kind(): FileKind {
    switch (this.mode & S_IFMT) {
      case S_IFREG: return FileKind.File;
      case S_IFDIR: return FileKind.Dir;
      case S_IFLNK: return FileKind.Symlink;
      case 0: return FileKind.Unknown;
      default: return FileKind.Other;
    }
  }

  /** The data fork bytes (inline data, extent records or the btree root). */
  dataFork(): Uint8Array { return this.raw.subarray(this.litOff, this.litOff + this.dataForkSize); }

  /** Decodes the fields; the caller checks magic, version and fork bounds (xfs.ts). */
  static parse(raw: Uint8Array, ino: u64, inodeSize: i32): XfsInode {
    const n = new XfsInode(raw, ino);
    n.mode = u16be(raw, 2);
    n.version = u8at(raw, 4);
    n.format = u8at(raw, 5);
    const di_onlink = u16be(raw, 6);
    n.uid = u32be(raw, 8);
    n.gid = u32be(raw, 12);
    n.nlink = n.version == 1 ? di_onlink : u32be(raw, 16);
    n.size = u64be(raw, 56);
    n.forkOff = u8at(raw, 82);
    if (n.version == 3) {
      n.flags2 = u64be(raw, 120);
      n.storedIno = u64be(raw, 152);
    }
    // nrext64 moves the data fork's extent count to the 64-bit field that was padding
    n.nextents = (n.flags2 & DIFLAG2_NREXT64) != 0 ? u64be(raw, 24) : <u64>u32be(raw, 76);
    if ((n.flags2 & DIFLAG2_BIGTIME) != 0) {
      n.mtime = <i64>(u64be(raw, 40) / 1000000000) - BIGTIME_EPOCH_OFFSET;
    } else {
      n.mtime = <i64><i32>u32be(raw, 40);
    }
    n.litOff = n.version == 3 ? 176 : 100;
    const lit = inodeSize - n.litOff;
    n.dataForkSize = n.forkOff != 0 ? min(<i32>(n.forkOff << 3), lit) : lit;
    return n;
  }

  /** forkoff beyond the literal area means a corrupt inode */
  get forkOffValid(): bool {
    return this.forkOff == 0 || <i32>(this.forkOff << 3) < this.raw.length - this.litOff;
  }
}
