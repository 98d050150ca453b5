// SPDX-License-Identifier: Apache-2.0
// Block group descriptors (32 bytes, or s_desc_size with 64bit) and where the
// table lives, with and without meta_bg (Documentation/filesystems/ext4/group_descr.rst,
// "Block Group Descriptors"; blockgroup.rst, "Meta Block Groups").

import { Device } from "../../io/device";
import { u16le, u32le } from "../../util/bytes";
import { corrupt } from "../../util/error";
import { Superblock, INCOMPAT_META_BG, RO_COMPAT_GDT_CSUM, RO_COMPAT_METADATA_CSUM } from "./superblock";

/** bg_flags: the inode table and bitmap are not initialised (every inode is free) */
export const BG_INODE_UNINIT: u32 = 0x1;

export class GroupDesc {
  group: u32 = 0;
  inodeTable: u64 = 0;
  flags: u32 = 0;
  /** inodes at the end of the table that were never initialised (with gdt_csum / metadata_csum) */
  itableUnused: u32 = 0;

  static parse(b: Uint8Array, off: i32, descSize: i32, group: u32): GroupDesc {
    const d = new GroupDesc();
    d.group = group;
    const bg_inode_table_lo = u32le(b, off + 0x8);
    const bg_flags = u16le(b, off + 0x12);
    const bg_itable_unused_lo = u16le(b, off + 0x1c);
    let bg_inode_table_hi: u32 = 0, bg_itable_unused_hi: u32 = 0;
    if (descSize >= 64) {
      bg_inode_table_hi = u32le(b, off + 0x28);
      bg_itable_unused_hi = u16le(b, off + 0x32);
    }
    d.inodeTable = (<u64>bg_inode_table_hi << 32) | bg_inode_table_lo;
    d.flags = bg_flags;
    d.itableUnused = (bg_itable_unused_hi << 16) | bg_itable_unused_lo;
    return d;
  }
}

/** Most descriptor tables are contiguous: read them in chunks of this many bytes (one read each). */
const CHUNK: i32 = 65536;

/** Reads descriptors on demand and keeps what it read (the table is at most a few MiB). */
export class GroupTable {
  private chunks: Map<u64, Uint8Array> = new Map<u64, Uint8Array>();
  private descs: Map<u32, GroupDesc> = new Map<u32, GroupDesc>();
  /** groups covered by the plain (non-meta_bg) table */
  private plainGroups: u32;
  private descPerBlock: u32;
  private tableStart: u64;
  private uninitFlagsValid: bool;

  constructor(private dev: Device, private sb: Superblock, private where: string) {
    const bs = <u64>sb.blockSize;
    this.descPerBlock = <u32>(sb.blockSize / sb.descSize);
    this.tableStart = (<u64>sb.firstDataBlock + 1) * bs;
    const metaFrom = <u64>sb.firstMetaBg * <u64>this.descPerBlock;
    this.plainGroups = sb.hasIncompat(INCOMPAT_META_BG) && metaFrom < <u64>sb.groupCount ? <u32>metaFrom : sb.groupCount;
    this.uninitFlagsValid = sb.hasRoCompat(RO_COMPAT_GDT_CSUM) || sb.hasRoCompat(RO_COMPAT_METADATA_CSUM);
  }

  /** Whether bg_flags / bg_itable_unused mean anything (only with group checksums). */
  get uninitValid(): bool { return this.uninitFlagsValid; }

  get(g: u32): GroupDesc | null {
    if (g >= this.sb.groupCount) {
      corrupt("ext4.group.number", this.where + ": block group " + g.toString() + " is past the last group (" +
        (this.sb.groupCount - 1).toString() + ")");
      return null;
    }
    if (this.descs.has(g)) return this.descs.get(g);
    const ds = this.sb.descSize;
    let chunkStart: u64, chunkLen: i32, within: i32;
    if (g < this.plainGroups) {
      const byteOff = <u64>g * <u64>ds;
      const c = byteOff / <u64>CHUNK;
      chunkStart = this.tableStart + c * <u64>CHUNK;
      const tableLen = <u64>this.plainGroups * <u64>ds;
      chunkLen = <i32>min(<u64>CHUNK, tableLen - c * <u64>CHUNK);
      within = <i32>(byteOff - c * <u64>CHUNK);
    } else {
      // meta_bg: each run of descPerBlock groups keeps its descriptors in its own first group
      const first = (g / this.descPerBlock) * this.descPerBlock;
      const blk = <u64>this.sb.firstDataBlock + <u64>first * <u64>this.sb.blocksPerGroup +
        (this.sb.groupHasSuper(first) ? 1 : 0);
      if (blk >= this.sb.blocksCount) {
        corrupt("ext4.group.table", this.where + ": descriptors of group " + g.toString() + " would lie past the end");
        return null;
      }
      chunkStart = blk * <u64>this.sb.blockSize;
      chunkLen = this.sb.blockSize;
      within = <i32>((g - first) * <u32>ds);
    }
    let chunk: Uint8Array | null = null;
    if (this.chunks.has(chunkStart)) chunk = this.chunks.get(chunkStart);
    else {
      chunk = this.dev.read(chunkStart, chunkLen);
      if (chunk === null) return null;
      this.chunks.set(chunkStart, chunk);
    }
    const d = GroupDesc.parse(chunk, within, ds, g);
    if (!this.uninitFlagsValid) { d.flags = 0; d.itableUnused = 0; }
    // The inode table must lie inside the filesystem; the check that catches most descriptor damage.
    const tableBlocks = (<u64>this.sb.inodesPerGroup * <u64>this.sb.inodeSize + <u64>this.sb.blockSize - 1) / <u64>this.sb.blockSize;
    if (d.inodeTable <= <u64>this.sb.firstDataBlock || d.inodeTable > this.sb.blocksCount || this.sb.blocksCount - d.inodeTable < tableBlocks) {
      corrupt("ext4.group.inode-table", this.where + ": group " + g.toString() + " puts its inode table at block " +
        d.inodeTable.toString() + ", outside the filesystem's " + this.sb.blocksCount.toString() + " blocks");
      return null;
    }
    this.descs.set(g, d);
    return d;
  }
}
