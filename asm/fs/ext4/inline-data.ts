// SPDX-License-Identifier: Apache-2.0
// inline_data: a small file's bytes (or a small directory's entries) live in
// i_block's 60 bytes and continue in the "system.data" extended attribute
// (Documentation/filesystems/ext4/inlinedata.rst, "Inline Data").

import { corrupt } from "../../util/error";
import { Inode, I_BLOCK_OFFSET, I_BLOCK_SIZE } from "./inode";
import { findInInodeXattr, XATTR_INDEX_SYSTEM } from "./xattr";

/** Where an inode's inline bytes lie in inode.raw: i_block, then the xattr value. */
export class InlineData {
  constructor(
    public raw: Uint8Array,
    /** offset and length of the continuation in raw (0 length when none) */
    public extraOff: i32,
    public extraLen: i32,
  ) {}

  get totalLen(): i32 { return I_BLOCK_SIZE + this.extraLen; }

  /** Copies inline bytes [off, off+len) (within totalLen) to dst. */
  copy(off: i32, len: i32, dst: usize): void {
    let o = off, d = dst, n = len;
    if (o < I_BLOCK_SIZE) {
      const k = min(n, I_BLOCK_SIZE - o);
      memory.copy(d, this.raw.dataStart + <usize>(I_BLOCK_OFFSET + o), <usize>k);
      o += k; d += <usize>k; n -= k;
    }
    if (n > 0) memory.copy(d, this.raw.dataStart + <usize>(this.extraOff + o - I_BLOCK_SIZE), <usize>n);
  }
}

export function inlineData(inode: Inode, where: string): InlineData | null {
  const v = findInInodeXattr(inode, XATTR_INDEX_SYSTEM, "data", where);
  if (v === null) return null;
  const d = v.found ? new InlineData(inode.raw, v.off, v.size) : new InlineData(inode.raw, 0, 0);
  if (inode.size > <u64>d.totalLen) {
    corrupt("ext4.inline.size", where + ": inode " + inode.ino.toString() + " claims " + inode.size.toString() +
      " bytes of inline data but holds only " + d.totalLen.toString());
    return null;
  }
  return d;
}
