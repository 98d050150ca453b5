// SPDX-License-Identifier: Apache-2.0
// The XFS superblock (big-endian, sector 0 of allocation group 0) and the
// geometry derived from it ("XFS Algorithms & Data Structures", "Superblocks").

import { u8at, u16be, u32be, u64be, u32le, asciiAt, asciiz, uuidBE } from "../../util/bytes";
import { corrupt, unsupported } from "../../util/error";
import { crc32cUpdate } from "../../codec/crc32c";

export const XFS_SB_MAGIC = "XFSB";
/** sb_crc sits at byte 224 of a v5 superblock */
const SB_CRC_OFF: i32 = 224;

const VERSION_NUMBITS: u32 = 0x000f;
const VERSION_DIRV2BIT: u32 = 0x2000;
const VERSION_MOREBITSBIT: u32 = 0x8000;
/** features2 bit for the directory entry file type (v4) */
const VERSION2_FTYPE: u32 = 0x0200;

export const INCOMPAT_FTYPE: u32 = 0x0001;
export const INCOMPAT_SPINODES: u32 = 0x0002;
export const INCOMPAT_META_UUID: u32 = 0x0004;
export const INCOMPAT_BIGTIME: u32 = 0x0008;
export const INCOMPAT_NEEDSREPAIR: u32 = 0x0010;
export const INCOMPAT_NREXT64: u32 = 0x0020;
export const INCOMPAT_EXCHRANGE: u32 = 0x0040;
export const INCOMPAT_PARENT: u32 = 0x0080;
/** every incompat feature this reader understands: none of them changes how files are read */
const INCOMPAT_KNOWN: u32 = 0x00ff;

const INCOMPAT_NAMES = ["ftype", "sparse_inodes", "meta_uuid", "bigtime", "needsrepair", "nrext64", "exchange_range", "parent"];

/** Verifies an XFS metadata CRC: crc32c over `len` bytes with the 4-byte field at `crcOff` taken as zero. */
export function xfsCrcOk(b: Uint8Array, off: i32, len: i32, crcOff: i32): bool {
  if (off < 0 || off + len > b.length || crcOff < 0 || crcOff + 4 > len) return false;
  let c: u32 = 0xffffffff;
  c = crc32cUpdate(c, b, off, crcOff);
  const zero = new Uint8Array(4);
  c = crc32cUpdate(c, zero, 0, 4);
  c = crc32cUpdate(c, b, off + crcOff + 4, len - crcOff - 4);
  return ~c == u32le(b, off + crcOff);
}

function bad(where: string, what: string): XfsSuperblock | null {
  corrupt("xfs.superblock.geometry", where + ": superblock " + what);
  return null;
}

export class XfsSuperblock {
  blockSize: u32 = 0;
  blockLog: u32 = 0;
  dblocks: u64 = 0;
  uuid: string = "";
  label: string = "";
  rootIno: u64 = 0;
  agBlocks: u32 = 0;
  agCount: u32 = 0;
  sectSize: u32 = 0;
  inodeSize: u32 = 0;
  inodesPerBlock: u32 = 0;
  inopbLog: u32 = 0;
  agBlkLog: u32 = 0;
  version: u32 = 0;
  versionNum: u32 = 0;
  features2: u32 = 0;
  incompat: u32 = 0;
  roCompat: u32 = 0;
  logIncompat: u32 = 0;
  dirBlkLog: u32 = 0;
  icount: u64 = 0;
  /** first block of an internal log (0: the log is external) */
  logStart: u64 = 0;
  logBlocks: u32 = 0;
  inProgress: bool = false;
  checksumVerified: bool = false;

  get hasCrc(): bool { return this.version == 5; }
  get hasFtype(): bool {
    return this.version == 5 ? (this.incompat & INCOMPAT_FTYPE) != 0 : (this.features2 & VERSION2_FTYPE) != 0;
  }
  get dirBlockSize(): u32 { return this.blockSize << this.dirBlkLog; }

  incompatNames(): string[] {
    const out: string[] = [];
    for (let i = 0; i < 32; i++) {
      if ((this.incompat & (1 << i)) == 0) continue;
      out.push(i < INCOMPAT_NAMES.length ? INCOMPAT_NAMES[i] : "bit" + i.toString());
    }
    return out;
  }

  /** Parses the first sector of the device; null with the error set when it is not a readable XFS. */
  static parse(b: Uint8Array, devSize: u64, where: string): XfsSuperblock | null {
    if (b.length < 512 || !asciiAt(b, 0, XFS_SB_MAGIC)) {
      corrupt("xfs.superblock.magic", where + ": no XFS superblock magic \"XFSB\" at byte 0");
      return null;
    }
    const sb = new XfsSuperblock();
    const sb_versionnum = u16be(b, 100);
    sb.versionNum = sb_versionnum;
    sb.version = sb_versionnum & VERSION_NUMBITS;
    if (sb.version < 4 || sb.version > 5) {
      unsupported("xfs.superblock.version", where + ": XFS superblock version " + sb.version.toString() +
        " (this reader reads versions 4 and 5)");
      return null;
    }
    if (sb.version == 4 && (sb_versionnum & VERSION_DIRV2BIT) == 0) {
      unsupported("xfs.superblock.dirv1", where + ": version 1 directories (XFS from before 2003) are not supported");
      return null;
    }
    sb.blockSize = u32be(b, 4);
    sb.dblocks = u64be(b, 8);
    sb.uuid = uuidBE(b, 32);
    sb.rootIno = u64be(b, 56);
    sb.logStart = u64be(b, 48);
    sb.logBlocks = u32be(b, 96);
    sb.agBlocks = u32be(b, 84);
    sb.agCount = u32be(b, 88);
    sb.sectSize = u16be(b, 102);
    sb.inodeSize = u16be(b, 104);
    sb.inodesPerBlock = u16be(b, 106);
    sb.label = asciiz(b, 108, 12);
    sb.blockLog = u8at(b, 120);
    const sb_inodelog = u8at(b, 122);
    sb.inopbLog = u8at(b, 123);
    sb.agBlkLog = u8at(b, 124);
    sb.inProgress = u8at(b, 126) != 0;
    sb.icount = u64be(b, 128);
    sb.dirBlkLog = u8at(b, 192);
    if ((sb_versionnum & VERSION_MOREBITSBIT) != 0) sb.features2 = u32be(b, 200);
    if (sb.version == 5) {
      sb.roCompat = u32be(b, 212);
      sb.incompat = u32be(b, 216);
      sb.logIncompat = u32be(b, 220);
    }
    // geometry must agree with itself before any of it is used to compute an offset
    if (sb.blockLog < 9 || sb.blockLog > 16 || sb.blockSize != (<u32>1 << sb.blockLog))
      return bad(where, "block size " + sb.blockSize.toString() + " does not match its log " + sb.blockLog.toString());
    if (sb.sectSize < 512 || sb.sectSize > sb.blockSize || (sb.sectSize & (sb.sectSize - 1)) != 0)
      return bad(where, "sector size " + sb.sectSize.toString() + " is invalid");
    if (sb_inodelog < 8 || sb_inodelog > 11 || sb.inodeSize != (<u32>1 << sb_inodelog))
      return bad(where, "inode size " + sb.inodeSize.toString() + " does not match its log " + sb_inodelog.toString());
    if (sb.inopbLog != sb.blockLog - sb_inodelog || sb.inodesPerBlock != (<u32>1 << sb.inopbLog))
      return bad(where, "inodes per block " + sb.inodesPerBlock.toString() + " do not match block and inode size");
    if (sb.agBlocks == 0 || sb.agCount == 0 || sb.agBlkLog > 31 || (<u64>sb.agBlocks > (<u64>1 << sb.agBlkLog)) ||
        (sb.agBlkLog > 0 && <u64>sb.agBlocks <= (<u64>1 << (sb.agBlkLog - 1))))
      return bad(where, "allocation group size " + sb.agBlocks.toString() + " blocks does not match agblklog " + sb.agBlkLog.toString());
    if (sb.dblocks == 0 || sb.dblocks > <u64>sb.agBlocks * <u64>sb.agCount)
      return bad(where, "data block count " + sb.dblocks.toString() + " exceeds " + sb.agCount.toString() + " groups of " + sb.agBlocks.toString());
    if (sb.blockLog + sb.dirBlkLog > 16)
      return bad(where, "directory block size 2^" + (sb.blockLog + sb.dirBlkLog).toString() + " exceeds 64 KiB");
    if (sb.agBlkLog + sb.inopbLog > 32 + 31)
      return bad(where, "inode number layout is impossible");
    if (sb.version == 5) {
      if (!xfsCrcOk(b, 0, <i32>sb.sectSize, SB_CRC_OFF)) {
        corrupt("xfs.superblock.crc", where + ": superblock checksum (crc32c at byte 224) does not match");
        return null;
      }
      sb.checksumVerified = true;
      if ((sb.incompat & ~INCOMPAT_KNOWN) != 0) {
        unsupported("xfs.superblock.incompat", where + ": unknown incompatible features 0x" +
          (sb.incompat & ~INCOMPAT_KNOWN).toString(16) + " (metadir or newer)");
        return null;
      }
    }
    if (devSize < <u64>sb.blockSize) return bad(where, "device is smaller than one block");
    return sb;
  }
}
