// SPDX-License-Identifier: Apache-2.0
// $FILE_NAME values (in MFT records and as directory index keys): parent,
// flags, and the name in one of four namespaces (flatcap NTFS documentation,
// "$FILE_NAME").

import { u8at, u32le, u64le } from "../../util/bytes";

export const NS_POSIX: u32 = 0;
export const NS_WIN32: u32 = 1;
export const NS_DOS: u32 = 2;
export const NS_WIN32_AND_DOS: u32 = 3;

/** FILE_NAME flag: the file is a directory (it has a $I30 index). */
export const FN_DIRECTORY: u32 = 0x10000000;
export const FILE_ATTR_REPARSE_POINT: u32 = 0x400;

/** The low 48 bits of a file reference: the MFT record number. */
export const REF_MASK: u64 = 0xffffffffffff;

export class FileName {
  parent: u64 = 0;
  flags: u32 = 0;
  /** with FILE_ATTR_REPARSE_POINT set, the EA-size field holds the reparse tag */
  reparseTag: u32 = 0;
  namespace: u32 = 0;
  name: string = "";
  dataSize: u64 = 0;

  /** null when the value is shorter than its name claims */
  static parse(b: Uint8Array, off: i32, len: i32): FileName | null {
    if (len < 0x42) return null;
    const n = <i32>u8at(b, off + 0x40);
    if (0x42 + 2 * n > len || off + 0x42 + 2 * n > b.length) return null;
    const f = new FileName();
    f.parent = u64le(b, off) & REF_MASK;
    f.dataSize = u64le(b, off + 0x30);
    f.flags = u32le(b, off + 0x38);
    f.reparseTag = u32le(b, off + 0x3c);
    f.namespace = u8at(b, off + 0x41);
    f.name = n == 0 ? "" : String.UTF16.decodeUnsafe(b.dataStart + <usize>(off + 0x42), <usize>(2 * n));
    return f;
  }
}
