// SPDX-License-Identifier: Apache-2.0
// Extent trees: a 12-byte header, then index entries (interior nodes) or
// extents (leaves); the root sits in i_block (Documentation/filesystems/ext4/
// ifork.rst, "Extent Tree").

import { u16le, u32le } from "../../util/bytes";
import { corrupt, limit } from "../../util/error";
import { BlockRun, ExtBlocks, pushRun } from "./block-run";

export const EXT4_EXT_MAGIC: u32 = 0xf30a;
/** EXT4_MAX_EXTENT_DEPTH: the kernel refuses deeper trees */
export const MAX_EXTENT_DEPTH: i32 = 5;
const HEADER_SIZE: i32 = 12;
const ENTRY_SIZE: i32 = 12;
/** ee_len above this marks an unwritten extent of (ee_len - 32768) blocks */
const EXT_INIT_MAX_LEN: u32 = 32768;
/** tree nodes one mapping may visit; disjoint child ranges keep real trees far below it */
const MAX_NODES: i32 = 1 << 20;

class Walk {
  path: u64[] = [];
  visited: i32 = 0;
  constructor(
    public blocks: ExtBlocks,
    public ino: u32,
    public first: u64,
    public end: u64,
    public out: BlockRun[],
  ) {}
  get where(): string { return this.blocks.where + ": inode " + this.ino.toString(); }
}

/**
 * Appends the runs of logical blocks [first, end) of the file whose extent
 * tree root is `root` (i_block) to `out`, in logical order. False with the error set.
 */
export function extentRuns(blocks: ExtBlocks, ino: u32, root: Uint8Array, first: u64, end: u64, out: BlockRun[]): bool {
  const w = new Walk(blocks, ino, first, end, out);
  return walkNode(w, root, (root.length - HEADER_SIZE) / ENTRY_SIZE, -1, 0, <u64>1 << 32);
}

function walkNode(w: Walk, b: Uint8Array, capacity: i32, expectDepth: i32, lo: u64, hi: u64): bool {
  if (++w.visited > MAX_NODES) {
    limit("ext4.extent.budget", w.where + ": extent tree visits more than " + MAX_NODES.toString() + " nodes");
    return false;
  }
  const eh_magic = u16le(b, 0);
  const eh_entries = <i32>u16le(b, 2);
  const eh_max = <i32>u16le(b, 4);
  const eh_depth = <i32>u16le(b, 6);
  const at = w.path.length == 0 ? "the extent root in the inode" : "extent block " + w.path[w.path.length - 1].toString();
  if (eh_magic != EXT4_EXT_MAGIC) {
    corrupt("ext4.extent.magic", w.where + ": " + at + " has magic 0x" + eh_magic.toString(16) + ", not 0xf30a");
    return false;
  }
  if (eh_depth > MAX_EXTENT_DEPTH) {
    corrupt("ext4.extent.depth", w.where + ": " + at + " claims depth " + eh_depth.toString() +
      "; ext4 allows at most " + MAX_EXTENT_DEPTH.toString());
    return false;
  }
  if (expectDepth >= 0 && eh_depth != expectDepth) {
    corrupt("ext4.extent.depth", w.where + ": " + at + " claims depth " + eh_depth.toString() +
      " where its parent expects " + expectDepth.toString());
    return false;
  }
  if (eh_max > capacity || eh_entries > eh_max) {
    corrupt("ext4.extent.entries", w.where + ": " + at + " claims " + eh_entries.toString() + " of " +
      eh_max.toString() + " entries but has room for " + capacity.toString());
    return false;
  }
  if (eh_depth == 0) return walkLeaf(w, b, eh_entries, lo, hi, at);

  let prev: u64 = 0;
  for (let i = 0; i < eh_entries; i++) {
    const e = HEADER_SIZE + i * ENTRY_SIZE;
    const ei_block = <u64>u32le(b, e);
    const ei_leaf_lo = u32le(b, e + 4);
    const ei_leaf_hi = u16le(b, e + 8);
    if (ei_block < lo || ei_block >= hi || (i > 0 && ei_block <= prev)) {
      corrupt("ext4.extent.order", w.where + ": " + at + " index " + i.toString() + " starts at logical block " +
        ei_block.toString() + ", out of order or outside [" + lo.toString() + ", " + hi.toString() + ")");
      return false;
    }
    prev = ei_block;
    const cEnd = i + 1 < eh_entries ? <u64>u32le(b, e + ENTRY_SIZE) : hi;
    if (cEnd <= w.first) continue;
    if (ei_block >= w.end) break;
    const child = (<u64>ei_leaf_hi << 32) | ei_leaf_lo;
    if (w.path.includes(child)) {
      corrupt("ext4.extent.loop", w.where + ": " + at + " points back at extent block " + child.toString() +
        ", which is its own ancestor");
      return false;
    }
    const cb = w.blocks.readBlock(child, "ext4.extent.block", "inode " + w.ino.toString() + " extent index");
    if (cb === null) return false;
    w.path.push(child);
    const ok = walkNode(w, cb, (cb.length - HEADER_SIZE) / ENTRY_SIZE, eh_depth - 1, ei_block, min(cEnd, hi));
    w.path.pop();
    if (!ok) return false;
  }
  return true;
}

function walkLeaf(w: Walk, b: Uint8Array, count: i32, lo: u64, hi: u64, at: string): bool {
  let prevEnd: u64 = lo;
  for (let i = 0; i < count; i++) {
    const e = HEADER_SIZE + i * ENTRY_SIZE;
    const ee_block = <u64>u32le(b, e);
    const ee_len = u16le(b, e + 4);
    const ee_start_hi = u16le(b, e + 6);
    const ee_start_lo = u32le(b, e + 8);
    const unwritten = ee_len > EXT_INIT_MAX_LEN;
    const len = <u64>(unwritten ? ee_len - EXT_INIT_MAX_LEN : ee_len);
    if (len == 0) {
      corrupt("ext4.extent.length", w.where + ": " + at + " extent " + i.toString() + " has length 0");
      return false;
    }
    if (ee_block < prevEnd || ee_block + len > hi) {
      corrupt("ext4.extent.order", w.where + ": " + at + " extent " + i.toString() + " covers logical blocks " +
        ee_block.toString() + "+" + len.toString() + ", overlapping its neighbour or outside [" + lo.toString() +
        ", " + hi.toString() + ")");
      return false;
    }
    prevEnd = ee_block + len;
    if (prevEnd <= w.first) continue;
    if (ee_block >= w.end) break;
    const pblk = (<u64>ee_start_hi << 32) | ee_start_lo;
    if (!w.blocks.inRange(pblk, len)) {
      corrupt("ext4.extent.block", w.where + ": " + at + " extent " + i.toString() + " maps to blocks " +
        pblk.toString() + "+" + len.toString() + ", outside the filesystem's " + w.blocks.blocksCount.toString() + " blocks");
      return false;
    }
    const s = max(ee_block, w.first);
    const t = min(prevEnd, w.end);
    pushRun(w.out, s, t - s, pblk + (s - ee_block), unwritten);
  }
  return true;
}
