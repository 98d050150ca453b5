// SPDX-License-Identifier: Apache-2.0
// ext2/ext3 block maps: i_block[0..11] point at data, [12] at a block of
// pointers, [13] two levels deep, [14] three (Documentation/filesystems/ext4/
// ifork.rst, "Direct/Indirect Block Addressing"). A zero pointer is a hole.

import { u32le } from "../../util/bytes";
import { BlockRun, ExtBlocks, pushRun } from "./block-run";
import { Inode } from "./inode";

const DIRECT: u64 = 12;

/** The most recently read pointer block of each level, so a run of blocks reads each once. */
class LevelCache {
  blockNo: StaticArray<u64> = new StaticArray<u64>(4);
  data: (Uint8Array | null)[] = [null, null, null, null];

  get(blocks: ExtBlocks, level: i32, pblk: u64, ino: u32): Uint8Array | null {
    const d = this.data[level];
    if (d !== null && unchecked(this.blockNo[level]) == pblk) return d;
    const b = blocks.readBlock(pblk, "ext4.blockmap.block", "inode " + ino.toString() + " indirect block");
    if (b === null) return null;
    this.data[level] = b;
    unchecked(this.blockNo[level] = pblk);
    return b;
  }
}

/**
 * Appends the runs of logical blocks [first, end) of a block-mapped file to
 * `out`. Every step advances at least one block, and a zero pointer skips its
 * whole subtree, so the work is bounded by the range and the blocks it maps.
 */
export function blockMapRuns(blocks: ExtBlocks, inode: Inode, first: u64, end: u64, out: BlockRun[]): bool {
  const perBlockShift = <u64>(ctz(blocks.blockSize) - 2); // pointers per block = bs / 4
  const p1: u64 = <u64>1 << perBlockShift;
  const p2: u64 = p1 << perBlockShift;
  const p3: u64 = p2 << perBlockShift;
  const limitBlk = DIRECT + p1 + p2 + p3;
  if (end > limitBlk) end = limitBlk;
  const cache = new LevelCache();
  let l = first;
  while (l < end) {
    if (l < DIRECT) {
      if (!addBlock(blocks, out, l, <u64>inode.blockPtr(<i32>l))) return false;
      l++;
      continue;
    }
    // which tree and the offset inside it
    let rel = l - DIRECT;
    let levels: i32, slot: i32;
    if (rel < p1) { levels = 1; slot = 12; }
    else if ((rel -= p1) < p2) { levels = 2; slot = 13; }
    else { rel -= p2; levels = 3; slot = 14; }
    let ptr = <u64>inode.blockPtr(slot);
    let span: u64 = levels == 1 ? p1 : (levels == 2 ? p2 : p3); // blocks under ptr
    for (let lv = 0; lv < levels; lv++) {
      if (ptr == 0) break;
      if (!blocks.inRange(ptr, 1)) {
        blocks.readBlock(ptr, "ext4.blockmap.block", "inode " + inode.ino.toString() + " indirect block");
        return false;
      }
      const b = cache.get(blocks, lv, ptr, inode.ino);
      if (b === null) return false;
      span >>= perBlockShift;
      const idx = <i32>(rel / span);
      rel -= <u64>idx * span;
      ptr = <u64>u32le(b, idx * 4);
    }
    if (ptr == 0) {
      // a hole as large as the subtree the zero pointer stood for (span blocks from rel's start)
      const skip = span - rel;
      l += skip > 0 ? skip : 1;
      continue;
    }
    if (!addBlock(blocks, out, l, ptr)) return false;
    l++;
  }
  return true;
}

function addBlock(blocks: ExtBlocks, out: BlockRun[], l: u64, ptr: u64): bool {
  if (ptr == 0) return true;
  if (!blocks.inRange(ptr, 1)) {
    blocks.readBlock(ptr, "ext4.blockmap.block", "a block map entry");
    return false;
  }
  pushRun(out, l, 1, ptr, false);
  return true;
}
