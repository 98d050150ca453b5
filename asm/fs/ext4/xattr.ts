// SPDX-License-Identifier: Apache-2.0
// Extended attributes stored inside the inode, after i_extra_isize: a 4-byte
// magic, then entries whose values sit at offsets from the first entry
// (Documentation/filesystems/ext4/attributes.rst, "Extended Attributes").

import { u8at, u16le, u32le } from "../../util/bytes";
import { corrupt } from "../../util/error";
import { Inode, GOOD_OLD_INODE_SIZE } from "./inode";

export const EXT4_XATTR_MAGIC: u32 = 0xea020000;
/** e_name_index of "system." names (system.data holds inline data) */
export const XATTR_INDEX_SYSTEM: u32 = 7;
const ENTRY_HEADER: i32 = 16;

/** Where one attribute's value lies inside inode.raw. */
export class XattrValue {
  constructor(public found: bool, public off: i32, public size: i32) {}
}

/**
 * Finds the in-inode attribute `index`.`name` (name as bytes after the prefix).
 * `found` is false when it is absent; null (error set) when the area is corrupt.
 */
export function findInInodeXattr(inode: Inode, index: u32, name: string, where: string): XattrValue | null {
  const raw = inode.raw;
  const absent = new XattrValue(false, 0, 0);
  if (inode.extraIsize == 0) return absent;
  const start = GOOD_OLD_INODE_SIZE + inode.extraIsize;
  const end = raw.length;
  if (start + 4 > end || u32le(raw, start) != EXT4_XATTR_MAGIC) return absent;
  const first = start + 4;
  const want = String.UTF8.encode(name);
  const wantLen = want.byteLength;
  let p = first;
  // each entry is at least 16 bytes, so the area bounds the loop
  while (p + 4 <= end && u32le(raw, p) != 0) {
    if (p + ENTRY_HEADER > end) break;
    const e_name_len = <i32>u8at(raw, p);
    const e_name_index = u8at(raw, p + 1);
    const e_value_offs = <i32>u16le(raw, p + 2);
    const e_value_inum = u32le(raw, p + 4);
    const e_value_size = u32le(raw, p + 8);
    const next = p + ((ENTRY_HEADER + e_name_len + 3) & ~3);
    if (next > end) {
      corrupt("ext4.xattr.entry", where + ": in-inode extended attribute at offset " + p.toString() + " runs past the inode");
      return null;
    }
    if (e_name_index == index && e_name_len == wantLen &&
        memory.compare(raw.dataStart + <usize>(p + ENTRY_HEADER), changetype<usize>(want), <usize>wantLen) == 0) {
      if (e_value_inum != 0) {
        corrupt("ext4.xattr.value", where + ": extended attribute value kept in inode " + e_value_inum.toString() +
          " where it must be inside the inode");
        return null;
      }
      if (e_value_size > <u32>(end - first) || e_value_offs + <i32>e_value_size > end - first) {
        corrupt("ext4.xattr.value", where + ": extended attribute value (" + e_value_size.toString() + " bytes at " +
          e_value_offs.toString() + ") runs past the inode");
        return null;
      }
      return new XattrValue(true, first + e_value_offs, <i32>e_value_size);
    }
    p = next;
  }
  return absent;
}
