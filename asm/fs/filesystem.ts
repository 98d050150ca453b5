// SPDX-License-Identifier: Apache-2.0
// The interface every filesystem reader implements (DESIGN.md, asm/fs/).
// Files are named by a u64 "node id" the filesystem chooses (an inode number,
// or for FAT the byte position of the directory entry). Calls that can fail
// return null / -1 and leave the reason in util/error.

export const enum FileKind {
  Unknown = 0,
  File = 1,
  Dir = 2,
  Symlink = 3,
  Other = 4, // device, fifo, socket
}

export function kindName(k: FileKind): string {
  switch (k) {
    case FileKind.File: return "file";
    case FileKind.Dir: return "dir";
    case FileKind.Symlink: return "symlink";
    case FileKind.Other: return "other";
    default: return "unknown";
  }
}

export class Stat {
  node: u64 = 0;
  kind: FileKind = FileKind.Unknown;
  /** POSIX mode bits including the type (0 where the filesystem has none) */
  mode: u32 = 0;
  size: u64 = 0;
  uid: u32 = 0;
  gid: u32 = 0;
  nlink: u32 = 0;
  /** seconds since the epoch */
  mtime: i64 = 0;

  /** The stat of a filesystem with POSIX inodes (ext4, XFS, Btrfs). */
  static posix(node: u64, kind: FileKind, mode: u32, size: u64, uid: u32, gid: u32, nlink: u32, mtime: i64): Stat {
    const s = new Stat();
    s.node = node; s.kind = kind; s.mode = mode; s.size = size;
    s.uid = uid; s.gid = gid; s.nlink = nlink; s.mtime = mtime;
    return s;
  }
}

export class DirEntry {
  constructor(public name: string, public node: u64, public kind: FileKind) {}
}

/** lookup() result when the name is absent (no error). */
export const NOT_FOUND: i64 = 0;
/** lookup() / read() result when the error is set. */
export const FAILED: i64 = -1;

export abstract class FileSystem {
  /** "ext4", "ext3", "ext2", "vfat", ... as Linux's blkid names it */
  abstract get type(): string;
  abstract get uuid(): string;
  abstract get label(): string;
  abstract get rootNode(): u64;

  /** Node id of `name` in directory `dir`, NOT_FOUND, or FAILED. */
  abstract lookup(dir: u64, name: string): i64;
  abstract stat(node: u64): Stat | null;
  abstract readdir(dir: u64): DirEntry[] | null;
  /** Reads up to `len` bytes at `offset`; returns the count (short at end of file) or -1. */
  abstract read(node: u64, offset: u64, len: i32, dst: usize): i32;
  abstract readlink(node: u64): string | null;
  /** Facts worth reporting (features, version), as a JSON object text. */
  describe(): string { return "{}"; }
}
