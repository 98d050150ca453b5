// SPDX-License-Identifier: Apache-2.0
// What the block mappers (extent.ts, indirect.ts) return: runs of logical
// blocks that lie on consecutive physical blocks. Logical blocks that no run
// covers are holes and read as zeros.

import { Device } from "../../io/device";
import { setReadAround } from "../../io/page-cache";
import { corrupt } from "../../util/error";
import { Superblock } from "./superblock";

/** Bytes of the image read around each metadata block (the page cache caps it at its page size). */
export const METADATA_READ_AROUND: u32 = 64 << 10;

export class BlockRun {
  constructor(
    public lblk: u64,
    public len: u64,
    public pblk: u64,
    /** an uninitialised (preallocated) extent: reads as zeros */
    public unwritten: bool,
  ) {}
}

/** Appends a run, merging it with the previous one when both are physically contiguous. */
export function pushRun(out: BlockRun[], lblk: u64, len: u64, pblk: u64, unwritten: bool): void {
  const n = out.length;
  if (n > 0) {
    const last = unchecked(out[n - 1]);
    if (last.unwritten == unwritten && last.lblk + last.len == lblk && last.pblk + last.len == pblk) {
      last.len += len;
      return;
    }
  }
  out.push(new BlockRun(lblk, len, pblk, unwritten));
}

/** The filesystem's blocks as the mappers see them: whole-block reads with bounds checked. */
export class ExtBlocks {
  blockSize: i32;
  blocksCount: u64;
  firstDataBlock: u64;

  constructor(public dev: Device, public sb: Superblock, public where: string) {
    this.blockSize = sb.blockSize;
    this.blocksCount = sb.blocksCount;
    this.firstDataBlock = sb.firstDataBlock;
  }

  /** True when [pblk, pblk+len) lies inside the filesystem (block 0 never holds file data). */
  inRange(pblk: u64, len: u64): bool {
    return pblk > 0 && pblk < this.blocksCount && len <= this.blocksCount - pblk;
  }

  /** Reads one metadata block; `code` and `what` name it in the error when it lies outside. */
  readBlock(pblk: u64, code: string, what: string): Uint8Array | null {
    if (!this.inRange(pblk, 1)) {
      corrupt(code, this.where + ": " + what + " points at block " + pblk.toString() +
        ", outside the filesystem's " + this.blocksCount.toString() + " blocks");
      return null;
    }
    // Metadata clusters (inode tables, directories and extent blocks of one
    // group lie together): read around the block, as ext4's inode_readahead_blks does.
    const saved = setReadAround(METADATA_READ_AROUND);
    const b = this.dev.read(pblk * <u64>this.blockSize, this.blockSize);
    setReadAround(saved);
    return b;
  }
}
