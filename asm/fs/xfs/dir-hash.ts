// SPDX-License-Identifier: Apache-2.0
// Hashed lookup in XFS block, leaf and node directories: the name's
// xfs_da_hashname value is searched in the sorted leaf entries (at the end of
// a single-block directory, in the leaf block at XFS_DIR2_LEAF_OFFSET, or
// under the dabtree node blocks there), and each match's data address is
// checked for the name ("XFS Algorithms & Data Structures", "Directories").

import { u8at, u16be, u32be, u64be } from "../../util/bytes";
import { corrupt } from "../../util/error";
import { xfsCrcOk } from "./superblock";

export const LEAF1_MAGIC_V4: u32 = 0xd2f1;
export const LEAF1_MAGIC_V5: u32 = 0x3df1;
export const LEAFN_MAGIC_V4: u32 = 0xd2ff;
export const LEAFN_MAGIC_V5: u32 = 0x3dff;
export const NODE_MAGIC_V4: u32 = 0xfebe;
export const NODE_MAGIC_V5: u32 = 0x3ebe;
/** XFS_DA_NODE_MAXDEPTH */
export const MAX_DA_DEPTH: i32 = 5;
/** lookup result: the index could not decide (fall back to scanning the data blocks) */
export const HASH_FALLBACK: i64 = -2;

function rol32(x: u32, n: u32): u32 { return (x << n) | (x >>> (32 - n)); }

/** xfs_da_hashname */
export function daHash(name: Uint8Array): u32 {
  let h: u32 = 0;
  let i = 0;
  let n = name.length;
  for (; n >= 4; n -= 4, i += 4) {
    h = (<u32>name[i] << 21) ^ (<u32>name[i + 1] << 14) ^ (<u32>name[i + 2] << 7) ^ <u32>name[i + 3] ^ rol32(h, 7 * 4);
  }
  if (n == 3) return (<u32>name[i] << 14) ^ (<u32>name[i + 1] << 7) ^ <u32>name[i + 2] ^ rol32(h, 7 * 3);
  if (n == 2) return (<u32>name[i] << 7) ^ <u32>name[i + 1] ^ rol32(h, 7 * 2);
  if (n == 1) return <u32>name[i] ^ rol32(h, 7);
  return h;
}

/** Data addresses (byte offset in the directory / 8) of leaf entries [first, first+count) at `base` whose hash is `h`. */
export function matchingAddresses(b: Uint8Array, base: i32, count: i32, h: u32, out: u32[]): bool {
  // entries are sorted by hash: binary search the first >= h
  let lo = 0, hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (u32be(b, base + mid * 8) < h) lo = mid + 1; else hi = mid;
  }
  let k = lo;
  for (; k < count && u32be(b, base + k * 8) == h; k++) {
    const addr = u32be(b, base + k * 8 + 4);
    if (addr != 0) out.push(addr); // 0: a stale entry
  }
  // true when the run of equal hashes may continue in the next leaf block
  return k == count;
}

/** The inode number of the entry at `off` of a data block when its name is `name`, else 0. */
export function entryAt(b: Uint8Array, off: i32, name: Uint8Array): u64 {
  if (off < 0 || off + 9 + name.length > b.length) return 0;
  if (u16be(b, off) == 0xffff) return 0; // free space
  const namelen = <i32>u8at(b, off + 8);
  if (namelen != name.length) return 0;
  for (let i = 0; i < namelen; i++) if (b[off + 9 + i] != name[i]) return 0;
  return u64be(b, off);
}

/** Checks a v5 dabtree block's CRC (at byte 12 of xfs_da3_blkinfo) and owner (byte 48). */
export function daBlockOk(b: Uint8Array, v5: bool, owner: u64, where: string): bool {
  if (!v5) return true;
  if (!xfsCrcOk(b, 0, b.length, 12)) {
    corrupt("xfs.dir.crc", where + ": directory index block checksum does not match");
    return false;
  }
  if (u64be(b, 48) != owner) {
    corrupt("xfs.dir.owner", where + " belongs to inode " + u64be(b, 48).toString());
    return false;
  }
  return true;
}
