// SPDX-License-Identifier: Apache-2.0
// Block mapping of an XFS fork: packed 128-bit extent records (xfs_bmbt_rec),
// either inline in the inode (extents format) or at the leaves of an extent
// B+tree rooted in the inode (btree format, "BMAP"/"BMA3" long-format blocks)
// ("XFS Algorithms & Data Structures", "Data Extents", "B+tree Extent List").

import { Device } from "../../io/device";
import { u16be, u32be, u64be } from "../../util/bytes";
import { corrupt, limit } from "../../util/error";
import { XfsSuperblock, xfsCrcOk } from "./superblock";

export const BMAP_MAGIC: u32 = 0x424d4150; // "BMAP" (v4)
export const BMA3_MAGIC: u32 = 0x424d4133; // "BMA3" (v5)
const BMBT_REC_SIZE: i32 = 16;
/** XFS_BM_MAXLEVELS is 9 for the data fork with 64-bit extent counts; more means corruption */
const MAX_BMBT_LEVELS: u32 = 9;
/** extents one fork may map in this reader (2^21 extents x 16 bytes = 32 MiB of records) */
const MAX_EXTENTS: i32 = 1 << 21;

export class XfsExtent {
  constructor(
    /** file offset, in blocks */
    public off: u64,
    /** filesystem block number (AG number << agblklog | block in AG) */
    public fsb: u64,
    public len: u64,
    /** preallocated, never written: reads as zeros */
    public unwritten: bool,
  ) {}
}

/** Byte offset of a filesystem block number on the device, or -1 when it lies outside every AG. */
export function fsbToByte(sb: XfsSuperblock, fsb: u64): i64 {
  const agno = fsb >> <u64>sb.agBlkLog;
  const agbno = fsb & ((<u64>1 << <u64>sb.agBlkLog) - 1);
  if (agno >= <u64>sb.agCount || agbno >= <u64>sb.agBlocks) return -1;
  return <i64>((agno * <u64>sb.agBlocks + agbno) << <u64>sb.blockLog);
}

function decodeRecord(b: Uint8Array, off: i32): XfsExtent {
  const l0 = u64be(b, off);
  const l1 = u64be(b, off + 8);
  return new XfsExtent(
    (l0 & 0x7fffffffffffffff) >> 9,
    ((l0 & 0x1ff) << 43) | (l1 >> 21),
    l1 & 0x1fffff,
    (l0 >> 63) != 0,
  );
}

/** Appends `count` records at b[off..]; checks each lies in the filesystem and follows the previous. */
function addRecords(sb: XfsSuperblock, b: Uint8Array, off: i32, count: i32, out: XfsExtent[], where: string): bool {
  for (let i = 0; i < count; i++) {
    const e = decodeRecord(b, off + i * BMBT_REC_SIZE);
    if (e.len == 0) {
      corrupt("xfs.bmap.extent", where + ": extent " + out.length.toString() + " has length 0");
      return false;
    }
    if (fsbToByte(sb, e.fsb) < 0 || fsbToByte(sb, e.fsb + e.len - 1) < 0) {
      corrupt("xfs.bmap.extent", where + ": extent at file block " + e.off.toString() + " points to block " +
        e.fsb.toString() + " (+" + e.len.toString() + "), outside the filesystem's allocation groups");
      return false;
    }
    if (out.length > 0) {
      const p = out[out.length - 1];
      if (e.off < p.off + p.len) {
        corrupt("xfs.bmap.order", where + ": extent at file block " + e.off.toString() + " overlaps or precedes the one at " +
          p.off.toString());
        return false;
      }
    }
    if (out.length >= MAX_EXTENTS) {
      limit("xfs.bmap.extents", where + ": more than " + MAX_EXTENTS.toString() + " extents");
      return false;
    }
    out.push(e);
  }
  return true;
}

/** The extent list of an extents-format fork holding `count` records. */
export function forkExtents(sb: XfsSuperblock, fork: Uint8Array, count: u64, where: string): XfsExtent[] | null {
  if (count > <u64>(fork.length / BMBT_REC_SIZE)) {
    corrupt("xfs.bmap.count", where + ": " + count.toString() + " extents do not fit in the " + fork.length.toString() +
      "-byte fork");
    return null;
  }
  const out: XfsExtent[] = [];
  if (!addRecords(sb, fork, 0, <i32>count, out, where)) return null;
  return out;
}

/** The extent list of a btree-format fork: walks every leaf of the tree, depth first, in key order. */
export function btreeExtents(dev: Device, sb: XfsSuperblock, fork: Uint8Array, ino: u64, where: string): XfsExtent[] | null {
  if (fork.length < 4 + 16) {
    corrupt("xfs.bmbt.root", where + ": extent btree root in a " + fork.length.toString() + "-byte fork");
    return null;
  }
  const bb_level = u16be(fork, 0);
  const bb_numrecs = <i32>u16be(fork, 2);
  const rootMax = (fork.length - 4) / 16;
  if (bb_level == 0 || bb_level > MAX_BMBT_LEVELS || bb_numrecs == 0 || bb_numrecs > rootMax) {
    corrupt("xfs.bmbt.root", where + ": extent btree root has level " + bb_level.toString() + " and " +
      bb_numrecs.toString() + " pointers (at most " + rootMax.toString() + ")");
    return null;
  }
  const crc = sb.hasCrc;
  const hdr = crc ? 72 : 24;
  const bs = <i32>sb.blockSize;
  const nodeMax = (bs - hdr) / 16;
  const out: XfsExtent[] = [];
  const seen = new Set<u64>();
  // explicit stack of (block, expected level), children pushed in reverse so leaves come in key order
  const stackBlk: u64[] = [];
  const stackLvl: u32[] = [];
  for (let i = bb_numrecs - 1; i >= 0; i--) {
    stackBlk.push(u64be(fork, 4 + rootMax * 8 + i * 8));
    stackLvl.push(bb_level - 1);
  }
  while (stackBlk.length > 0) {
    const fsb = stackBlk.pop();
    const level = stackLvl.pop();
    const pos = fsbToByte(sb, fsb);
    if (pos < 0) {
      corrupt("xfs.bmbt.pointer", where + ": extent btree pointer " + fsb.toString() + " lies outside the filesystem");
      return null;
    }
    if (seen.has(fsb)) {
      corrupt("xfs.bmbt.loop", where + ": extent btree block " + fsb.toString() + " is reached twice (a loop)");
      return null;
    }
    seen.add(fsb);
    if (seen.size > MAX_EXTENTS) {
      limit("xfs.bmbt.blocks", where + ": extent btree has more than " + MAX_EXTENTS.toString() + " blocks");
      return null;
    }
    const b = dev.read(<u64>pos, bs);
    if (b === null) return null;
    const at = where + ": extent btree block " + fsb.toString();
    const magic = u32be(b, 0);
    if (magic != (crc ? BMA3_MAGIC : BMAP_MAGIC)) {
      corrupt("xfs.bmbt.magic", at + " has magic 0x" + magic.toString(16) + ", not " + (crc ? "BMA3" : "BMAP"));
      return null;
    }
    if (crc) {
      if (!xfsCrcOk(b, 0, bs, 64)) {
        corrupt("xfs.bmbt.crc", at + ": checksum does not match");
        return null;
      }
      if (u64be(b, 56) != ino) {
        corrupt("xfs.bmbt.owner", at + " belongs to inode " + u64be(b, 56).toString() + ", not " + ino.toString());
        return null;
      }
    }
    const blkLevel = <u32>u16be(b, 4);
    const numrecs = <i32>u16be(b, 6);
    if (blkLevel != level) {
      corrupt("xfs.bmbt.level", at + " has level " + blkLevel.toString() + " where " + level.toString() +
        " was expected (a loop or a misplaced block)");
      return null;
    }
    if (numrecs == 0 || numrecs > nodeMax) {
      corrupt("xfs.bmbt.numrecs", at + " holds " + numrecs.toString() + " records (1.." + nodeMax.toString() + ")");
      return null;
    }
    if (level == 0) {
      if (!addRecords(sb, b, hdr, numrecs, out, where)) return null;
    } else {
      for (let i = numrecs - 1; i >= 0; i--) {
        stackBlk.push(u64be(b, hdr + nodeMax * 8 + i * 8));
        stackLvl.push(level - 1);
      }
    }
  }
  return out;
}

/** Index of the first extent that ends after file block `blk` (binary search), or extents.length. */
export function firstExtentAfter(ext: XfsExtent[], blk: u64): i32 {
  let lo = 0, hi = ext.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const e = unchecked(ext[mid]);
    if (e.off + e.len <= blk) lo = mid + 1; else hi = mid;
  }
  return lo;
}
