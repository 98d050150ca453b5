// SPDX-License-Identifier: Apache-2.0
// Linear directory entries (ext4_dir_entry_2; ext4_dir_entry without filetype):
// inode, rec_len, name_len, file_type, name, chained by rec_len inside one block
// (Documentation/filesystems/ext4/directory.rst, "Linear (Classic) Directories").

import { u8at, u16le, u32le } from "../../util/bytes";
import { corrupt } from "../../util/error";
import { FileKind } from "../filesystem";

/** EXT4_DIR_REC_LEN(1): the smallest entry the kernel accepts */
const MIN_REC_LEN: i32 = 12;
export const MAX_NAME_LEN: i32 = 255;

/** ext4_dir_entry_2.file_type -> kind (0 and unknown values: ask the inode) */
export function kindOfFileType(ft: u32): FileKind {
  switch (ft) {
    case 1: return FileKind.File;
    case 2: return FileKind.Dir;
    case 7: return FileKind.Symlink;
    case 3: case 4: case 5: case 6: return FileKind.Other;
    default: return FileKind.Unknown;
  }
}

/** Walks the entries of one region (a directory block, or an inline-data area). */
export class DirCursor {
  pos: i32;
  // the current entry, valid after next() returned 1
  inode: u32 = 0;
  recLen: i32 = 0;
  nameLen: i32 = 0;
  fileType: u32 = 0;
  nameOff: i32 = 0;
  entryOff: i32 = 0;

  constructor(
    public b: Uint8Array,
    start: i32,
    public end: i32,
    public hasFileType: bool,
    public blockSize: i32,
    /** "ext4 on partition 1: directory 12 block 3", for messages */
    public where: string,
  ) {
    this.pos = start;
  }

  /** 1 when an entry (possibly unused: inode 0) is ready, 0 at the end, -1 corrupt with the error set. */
  next(): i32 {
    const left = this.end - this.pos;
    if (left <= 0) return 0;
    const p = this.pos;
    if (left < 8) {
      corrupt("ext4.dirent.rec-len", this.where + ": " + left.toString() + " stray bytes at offset " + p.toString() +
        " where a directory entry should start");
      return -1;
    }
    const inode = u32le(this.b, p);
    const rawRecLen = u16le(this.b, p + 4);
    let recLen = <i32>rawRecLen;
    if (this.blockSize >= 65536) {
      // 64 KiB blocks cannot express rec_len 65536 in 16 bits: 0 and 65535 stand for it
      recLen = rawRecLen == 65535 || rawRecLen == 0 ? 65536 : <i32>((rawRecLen & 65532) | ((rawRecLen & 3) << 16));
    }
    if (recLen < MIN_REC_LEN || (recLen & 3) != 0 || recLen > left) {
      corrupt("ext4.dirent.rec-len", this.where + ": entry at offset " + p.toString() + " has rec_len " +
        recLen.toString() + " (it must be a multiple of 4, at least 12 and stay inside the " +
        (this.end - p).toString() + " bytes left)");
      return -1;
    }
    let nameLen: i32, fileType: u32 = 0;
    if (this.hasFileType) {
      nameLen = <i32>u8at(this.b, p + 6);
      fileType = u8at(this.b, p + 7);
    } else {
      nameLen = <i32>u16le(this.b, p + 6);
    }
    if (nameLen > MAX_NAME_LEN || 8 + nameLen > recLen) {
      corrupt("ext4.dirent.name-len", this.where + ": entry at offset " + p.toString() + " has a " +
        nameLen.toString() + "-byte name in a " + recLen.toString() + "-byte record");
      return -1;
    }
    this.inode = inode;
    this.recLen = recLen;
    this.nameLen = nameLen;
    this.fileType = fileType;
    this.nameOff = p + 8;
    this.entryOff = p;
    this.pos = p + recLen;
    return 1;
  }

  name(): string {
    return String.UTF8.decodeUnsafe(this.b.dataStart + <usize>this.nameOff, <usize>this.nameLen, false);
  }

  nameIs(target: Uint8Array): bool {
    if (this.nameLen != target.length) return false;
    return memory.compare(this.b.dataStart + <usize>this.nameOff, target.dataStart, <usize>this.nameLen) == 0;
  }

  /** "." or ".." */
  isDots(): bool {
    if (this.nameLen == 1) return u8at(this.b, this.nameOff) == 0x2e;
    if (this.nameLen == 2) return u8at(this.b, this.nameOff) == 0x2e && u8at(this.b, this.nameOff + 1) == 0x2e;
    return false;
  }
}
