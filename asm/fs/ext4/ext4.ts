// SPDX-License-Identifier: Apache-2.0
// Read-only ext2/ext3/ext4: opens the superblock, finds inodes through the
// group descriptors, maps file blocks through extents or block maps, and reads
// directories linearly, through their hash index, or inline
// (Documentation/filesystems/ext4/, "Data Structures and Algorithms").

import { Device } from "../../io/device";
import { FileSystem, FileKind, Stat, DirEntry, NOT_FOUND, FAILED } from "../filesystem";
import { corrupt, unsupported, limit, clearError, ioError } from "../../util/error";
import { JsonWriter } from "../../util/json";
import { u32le } from "../../util/bytes";
import { crc32cUpdate } from "../../codec/crc32c";
import {
  Superblock, SUPERBLOCK_OFFSET, SUPERBLOCK_SIZE, ROOT_INO, COMPAT_DIR_INDEX, COMPAT_HAS_JOURNAL,
  INCOMPAT_FILETYPE, INCOMPAT_LARGEDIR, INCOMPAT_RECOVER,
} from "./superblock";
import { GroupTable, BG_INODE_UNINIT } from "./group-desc";
import {
  Inode, EXT4_EXTENTS_FL, EXT4_INLINE_DATA_FL, EXT4_INDEX_FL, EXT4_ENCRYPT_FL, EXT4_CASEFOLD_FL, I_BLOCK_SIZE,
} from "./inode";
import { BlockRun, ExtBlocks, METADATA_READ_AROUND } from "./block-run";
import { setReadAround } from "../../io/page-cache";
import { extentRuns } from "./extent";
import { blockMapRuns } from "./indirect";
import { DirCursor, kindOfFileType, MAX_NAME_LEN } from "./dir-entry";
import { DirBlocks, dxLookup, DX_FALLBACK } from "./htree";
import { inlineData } from "./inline-data";

/** Parsed inodes kept (the walk of a guest revisits /, /etc, /usr ...). */
const INODE_CACHE: i32 = 1024;
/** Bytes of inode-table blocks kept. */
const ITABLE_CACHE_BYTES: i32 = 1 << 20;
/** A directory is read in pieces of at most this many bytes (one device read per contiguous piece). */
const DIR_CHUNK: i32 = 256 * 1024;
/** Directories larger than this are refused (the kernel's largedir limit is far above any real one). */
const MAX_DIR_SIZE: u64 = 1 << 30;
/** Entries one readdir returns at most (a million names is far past any real directory). */
const MAX_DIR_ENTRIES: i32 = 1 << 20;
/** Longest symlink target read (PATH_MAX is 4096; ext4 allows a block). */
const MAX_SYMLINK: u64 = 65536;

class DirScan {
  /** name searched for, or null to collect every entry */
  target: Uint8Array | null = null;
  found: i64 = 0;
  entries: DirEntry[] = [];
  /** include "." and ".." (lookups of them) */
  dots: bool = false;
}

class ExtDirBlocks extends DirBlocks {
  private n: u32;
  constructor(private fs: ExtFileSystem, private inode: Inode) {
    super();
    const bs = <u64>fs.sb.blockSize;
    this.n = <u32>min((inode.size + bs - 1) / bs, <u64>0xffffffff);
  }
  get count(): u32 { return this.n; }
  block(lblk: u32): Uint8Array | null {
    const runs: BlockRun[] = [];
    if (!this.fs.mapBlocks(this.inode, <u64>lblk, <u64>lblk + 1, runs)) return null;
    if (runs.length == 0 || runs[0].unwritten) {
      corrupt("ext4.dir.hole", this.fs.where + ": directory " + this.inode.ino.toString() + " has a hole at block " +
        lblk.toString());
      return null;
    }
    return this.fs.blocks.readBlock(runs[0].pblk, "ext4.dir.block", "directory " + this.inode.ino.toString());
  }
}

export class ExtFileSystem extends FileSystem {
  blocks: ExtBlocks;
  groups: GroupTable;
  private inodes: Map<u32, Inode> = new Map<u32, Inode>();
  private itable: Map<u64, Uint8Array> = new Map<u64, Uint8Array>();
  private itableKeys: u64[] = [];
  private itableMax: i32;
  private hasFileType: bool;

  constructor(public dev: Device, public sb: Superblock, public where: string) {
    super();
    this.blocks = new ExtBlocks(dev, sb, where);
    this.groups = new GroupTable(dev, sb, where);
    this.itableMax = max(4, ITABLE_CACHE_BYTES / sb.blockSize);
    this.hasFileType = sb.hasIncompat(INCOMPAT_FILETYPE);
  }

  get type(): string { return this.sb.blkidType(); }
  get uuid(): string { return this.sb.uuid; }
  get label(): string { return this.sb.label; }
  get rootNode(): u64 { return <u64>ROOT_INO; }

  // ---- inodes ------------------------------------------------------------

  getInode(node: u64): Inode | null {
    if (node == 0 || node > <u64>this.sb.inodesCount) {
      corrupt("ext4.inode.number", this.where + ": inode " + node.toString() + " is outside 1.." +
        this.sb.inodesCount.toString());
      return null;
    }
    const ino = <u32>node;
    if (this.inodes.has(ino)) return this.inodes.get(ino);
    const sb = this.sb;
    const g = (ino - 1) / sb.inodesPerGroup;
    const idx = (ino - 1) % sb.inodesPerGroup;
    const gd = this.groups.get(g);
    if (gd === null) return null;
    let raw: Uint8Array;
    if ((gd.flags & BG_INODE_UNINIT) != 0 || idx >= sb.inodesPerGroup - min(gd.itableUnused, sb.inodesPerGroup)) {
      // never initialised: a free inode whatever the table holds
      raw = new Uint8Array(sb.inodeSize);
    } else {
      const bs = <u64>sb.blockSize;
      const byteInTable = <u64>idx * <u64>sb.inodeSize;
      const blk = gd.inodeTable + byteInTable / bs;
      const within = <i32>(byteInTable % bs);
      let b: Uint8Array | null = null;
      if (this.itable.has(blk)) b = this.itable.get(blk);
      else {
        b = this.blocks.readBlock(blk, "ext4.group.inode-table", "inode table of group " + g.toString());
        if (b === null) return null;
        if (this.itableKeys.length >= this.itableMax) this.itable.delete(this.itableKeys.shift());
        this.itable.set(blk, b);
        this.itableKeys.push(blk);
      }
      raw = b.slice(within, within + sb.inodeSize);
    }
    const inode = Inode.parse(raw, ino);
    // with metadata_csum Linux refuses an inode whose checksum is wrong (__ext4_iget: "checksum invalid", EFSBADCRC)
    if (sb.checksumVerified && inode.inUse && !inodeChecksumOk(raw, ino, inode.extraIsize, sb.csumSeed)) {
      corrupt("ext4.inode.checksum", this.where + ": inode " + ino.toString() + " fails its metadata_csum checksum; Linux refuses to read it until e2fsck repairs it");
      return null;
    }
    if (this.inodes.size >= INODE_CACHE) this.inodes.clear();
    this.inodes.set(ino, inode);
    return inode;
  }

  /** The inode, which must be in use (a directory entry or caller points at it). */
  private liveInode(node: u64): Inode | null {
    const inode = this.getInode(node);
    if (inode === null) return null;
    if (!inode.inUse) {
      corrupt("ext4.inode.unused", this.where + ": inode " + node.toString() + " is not in use (deleted or never allocated)");
      return null;
    }
    return inode;
  }

  /** Runs of logical blocks [first, end) of a block- or extent-mapped inode. */
  mapBlocks(inode: Inode, first: u64, end: u64, out: BlockRun[]): bool {
    if (inode.hasFlag(EXT4_EXTENTS_FL)) return extentRuns(this.blocks, inode.ino, inode.iblock(), first, end, out);
    return blockMapRuns(this.blocks, inode, first, end, out);
  }

  // ---- FileSystem --------------------------------------------------------

  stat(node: u64): Stat | null {
    const inode = this.liveInode(node);
    if (inode === null) return null;
    return Stat.posix(node, inode.kind, inode.mode, inode.size, inode.uid, inode.gid, inode.linksCount, inode.mtime);
  }

  read(node: u64, offset: u64, len: i32, dst: usize): i32 {
    if (len < 0) {
      ioError("ext4.read.length", this.where + ": negative read length");
      return <i32>FAILED;
    }
    const inode = this.liveInode(node);
    if (inode === null) return <i32>FAILED;
    if (inode.isDir) {
      corrupt("ext4.read.directory", this.where + ": inode " + node.toString() + " is a directory, not a file");
      return <i32>FAILED;
    }
    if (inode.hasFlag(EXT4_ENCRYPT_FL)) {
      unsupported("ext4.encrypted", this.where + ": inode " + node.toString() + " is encrypted (fscrypt)");
      return <i32>FAILED;
    }
    if (offset >= inode.size || len == 0) return 0;
    const n = <i32>min(<u64>len, inode.size - offset);
    return this.readData(inode, offset, n, dst) ? n : <i32>FAILED;
  }

  /** Reads bytes [offset, offset+n) that lie inside the file. */
  private readData(inode: Inode, offset: u64, n: i32, dst: usize): bool {
    if (inode.hasFlag(EXT4_INLINE_DATA_FL)) {
      const d = inlineData(inode, this.where);
      if (d === null) return false;
      d.copy(<i32>offset, n, dst);
      return true;
    }
    if (this.isFastSymlink(inode)) {
      memory.copy(dst, inode.iblock().dataStart + <usize>offset, <usize>n);
      return true;
    }
    const shift = <u64>(10 + this.sb.logBlockSize);
    const bs = <u64>1 << shift;
    const end = offset + <u64>n;
    const runs: BlockRun[] = [];
    if (!this.mapBlocks(inode, offset >> shift, (end + bs - 1) >> shift, runs)) return false;
    // holes and unwritten extents read as zeros
    memory.fill(dst, 0, <usize>n);
    for (let i = 0; i < runs.length; i++) {
      const r = unchecked(runs[i]);
      if (r.unwritten) continue;
      const s = max(r.lblk << shift, offset);
      const t = min((r.lblk + r.len) << shift, end);
      if (t <= s) continue;
      const phys = (r.pblk << shift) + (s - (r.lblk << shift));
      if (!this.dev.readInto(phys, <i32>(t - s), dst + <usize>(s - offset))) return false;
    }
    return true;
  }

  private isFastSymlink(inode: Inode): bool {
    if (!inode.isSymlink || inode.hasFlag(EXT4_INLINE_DATA_FL) || inode.size >= <u64>I_BLOCK_SIZE) return false;
    // a fast symlink owns no blocks but perhaps an extended attribute block
    const eaBlocks: u32 = inode.fileAcl != 0 ? <u32>(this.sb.blockSize >> 9) : 0;
    return inode.blocksLo == 0 || inode.blocksLo == eaBlocks;
  }

  readlink(node: u64): string | null {
    const inode = this.liveInode(node);
    if (inode === null) return null;
    if (!inode.isSymlink) {
      corrupt("ext4.symlink.kind", this.where + ": inode " + node.toString() + " is not a symbolic link");
      return null;
    }
    if (inode.hasFlag(EXT4_ENCRYPT_FL)) {
      unsupported("ext4.encrypted", this.where + ": symlink " + node.toString() + " is encrypted (fscrypt)");
      return null;
    }
    if (inode.size == 0 || inode.size > MAX_SYMLINK) {
      corrupt("ext4.symlink.size", this.where + ": symlink " + node.toString() + " claims a target of " +
        inode.size.toString() + " bytes");
      return null;
    }
    const n = <i32>inode.size;
    const buf = new Uint8Array(n);
    if (!this.readData(inode, 0, n, buf.dataStart)) return null;
    return String.UTF8.decodeUnsafe(buf.dataStart, <usize>n, false);
  }

  readdir(dir: u64): DirEntry[] | null {
    const inode = this.dirInode(dir);
    if (inode === null) return null;
    const scan = new DirScan();
    if (!this.scan(inode, scan)) return null;
    if (!this.hasFileType) {
      // ext2 revision 0 and others without filetype: the kind is in the inode
      for (let i = 0; i < scan.entries.length; i++) {
        const e = scan.entries[i];
        if (e.kind != FileKind.Unknown) continue;
        const child = this.getInode(e.node);
        if (child !== null) e.kind = child.kind; else clearError();
      }
    }
    return scan.entries;
  }

  lookup(dir: u64, name: string): i64 {
    const inode = this.dirInode(dir);
    if (inode === null) return FAILED;
    const target = Uint8Array.wrap(String.UTF8.encode(name));
    if (target.length == 0 || target.length > MAX_NAME_LEN || target.includes(0x2f)) return NOT_FOUND;
    const dots = name == "." || name == "..";
    if (name == ".") return <i64>dir;
    if (inode.hasFlag(EXT4_INLINE_DATA_FL) && name == "..") {
      // an inline directory keeps only its parent's number, in i_block's first 4 bytes
      return <i64>u32le(inode.raw, 0x28);
    }
    if (!dots && !inode.hasFlag(EXT4_INLINE_DATA_FL) && inode.hasFlag(EXT4_INDEX_FL) &&
        this.sb.hasCompat(COMPAT_DIR_INDEX) && !inode.hasFlag(EXT4_CASEFOLD_FL) && !inode.hasFlag(EXT4_ENCRYPT_FL)) {
      const r = this.indexedLookup(inode, target);
      if (r != DX_FALLBACK) return r;
    }
    const scan = new DirScan();
    scan.target = target;
    scan.dots = dots;
    if (!this.scan(inode, scan)) return FAILED;
    return scan.found;
  }

  private dirInode(dir: u64): Inode | null {
    const inode = this.liveInode(dir);
    if (inode === null) return null;
    if (!inode.isDir) {
      corrupt("ext4.dir.kind", this.where + ": inode " + dir.toString() + " is not a directory");
      return null;
    }
    if (inode.hasFlag(EXT4_ENCRYPT_FL)) {
      unsupported("ext4.encrypted", this.where + ": directory " + dir.toString() + " is encrypted (fscrypt)");
      return null;
    }
    return inode;
  }

  private indexedLookup(inode: Inode, target: Uint8Array): i64 {
    const blocks = new ExtDirBlocks(this, inode);
    if (blocks.count == 0) return DX_FALLBACK;
    const root = blocks.block(0);
    if (root === null) return FAILED;
    return dxLookup(blocks, root, target, this.sb.unsignedDirHash, this.sb.hashSeed,
      this.sb.hasIncompat(INCOMPAT_LARGEDIR), this.hasFileType, this.where + ": directory " + inode.ino.toString());
  }

  /** Walks every entry of a directory; stops early when scan.target is found. */
  private scan(inode: Inode, scan: DirScan): bool {
    const where = this.where + ": directory " + inode.ino.toString();
    if (inode.hasFlag(EXT4_INLINE_DATA_FL)) {
      const d = inlineData(inode, this.where);
      if (d === null) return false;
      // i_block: the parent's inode number, then entries; the xattr value: more entries
      if (!this.scanRegion(new DirCursor(inode.raw, 0x28 + 4, 0x28 + I_BLOCK_SIZE, this.hasFileType, this.sb.blockSize,
        where + " (inline)"), scan)) return false;
      if (scan.found != 0 || d.extraLen == 0) return true;
      return this.scanRegion(new DirCursor(inode.raw, d.extraOff, d.extraOff + d.extraLen, this.hasFileType,
        this.sb.blockSize, where + " (inline, system.data)"), scan);
    }
    if (inode.size > MAX_DIR_SIZE) {
      limit("ext4.dir.size", where + " is " + inode.size.toString() + " bytes, more than this reader's " +
        MAX_DIR_SIZE.toString());
      return false;
    }
    const shift = <u64>(10 + this.sb.logBlockSize);
    const bs = this.sb.blockSize;
    const nblocks = (inode.size + <u64>bs - 1) >> shift;
    const runs: BlockRun[] = [];
    if (!this.mapBlocks(inode, 0, nblocks, runs)) return false;
    const perChunk = <u64>max(1, DIR_CHUNK / bs);
    for (let i = 0; i < runs.length; i++) {
      const r = unchecked(runs[i]);
      if (r.unwritten) continue; // never written: no entries
      for (let done: u64 = 0; done < r.len; done += perChunk) {
        const cnt = min(perChunk, r.len - done);
        const saved = setReadAround(METADATA_READ_AROUND);
        const buf = this.dev.read((r.pblk + done) << shift, <i32>(cnt << shift));
        setReadAround(saved);
        if (buf === null) return false;
        for (let k = 0; k < <i32>cnt; k++) {
          const lblk = r.lblk + done + <u64>k;
          const cur = new DirCursor(buf, k * bs, (k + 1) * bs, this.hasFileType, bs, where + " block " + lblk.toString());
          if (!this.scanRegion(cur, scan)) return false;
          if (scan.found != 0) return true;
        }
      }
    }
    return true;
  }

  private scanRegion(cur: DirCursor, scan: DirScan): bool {
    let r: i32;
    while ((r = cur.next()) > 0) {
      if (cur.inode == 0) continue; // free space, a checksum tail or an htree node
      const t = scan.target;
      if (t !== null) {
        if (cur.nameIs(t) && (scan.dots || !cur.isDots())) {
          scan.found = <i64>cur.inode;
          return true;
        }
        continue;
      }
      if (cur.isDots()) continue;
      if (scan.entries.length >= MAX_DIR_ENTRIES) {
        limit("ext4.dir.entries", cur.where + ": more than " + MAX_DIR_ENTRIES.toString() + " entries");
        return false;
      }
      scan.entries.push(new DirEntry(cur.name(), <u64>cur.inode, kindOfFileType(cur.fileType)));
    }
    return r == 0;
  }

  describe(): string {
    const sb = this.sb;
    const w = new JsonWriter();
    w.beginObject();
    w.prop("type", sb.blkidType());
    w.propNum("revision", sb.revLevel);
    w.propNum("blockSize", sb.blockSize);
    w.propNum("blocksCount", <f64>sb.blocksCount);
    w.propNum("inodesCount", sb.inodesCount);
    w.propNum("inodeSize", sb.inodeSize);
    w.propNum("groups", sb.groupCount);
    w.arrKey("compat");
    const c = sb.compatNames();
    for (let i = 0; i < c.length; i++) w.str(c[i]);
    w.endArray();
    w.arrKey("incompat");
    const ic = sb.incompatNames();
    for (let i = 0; i < ic.length; i++) w.str(ic[i]);
    w.endArray();
    w.arrKey("roCompat");
    const rc = sb.roCompatNames();
    for (let i = 0; i < rc.length; i++) w.str(rc[i]);
    w.endArray();
    w.propBool("hasJournal", sb.hasCompat(COMPAT_HAS_JOURNAL));
    w.propBool("needsRecovery", sb.hasIncompat(INCOMPAT_RECOVER));
    w.propBool("cleanlyUnmounted", (sb.state & 1) != 0);
    w.propBool("errorsDetected", (sb.state & 2) != 0);
    w.propBool("superblockChecksumVerified", sb.checksumVerified);
    w.prop("lastMountedOn", sb.lastMounted);
    w.propNum("mountCount", sb.mountCount);
    w.propNum("createdAt", sb.mkfsTime);
    w.propNum("lastMountedAt", sb.mountTime);
    w.propNum("lastWrittenAt", sb.writeTime);
    w.endObject();
    return w.toString();
  }
}

/** Opens an ext2/3/4 filesystem on `dev`; null with the error set when it cannot be read. */
export function openExt(dev: Device): FileSystem | null {
  const where = dev.name.length > 0 ? dev.name : "ext filesystem";
  if (dev.size < SUPERBLOCK_OFFSET + <u64>SUPERBLOCK_SIZE) {
    corrupt("ext4.superblock.short", where + ": too small (" + dev.size.toString() + " bytes) to hold an ext superblock");
    return null;
  }
  const b = dev.read(SUPERBLOCK_OFFSET, SUPERBLOCK_SIZE);
  if (b === null) return null;
  const sb = Superblock.parse(b, dev.size, where);
  if (sb === null) return null;
  const fs = new ExtFileSystem(dev, sb, where);
  const root = fs.getInode(ROOT_INO);
  if (root === null) return null;
  if (!root.isDir) {
    corrupt("ext4.root.kind", where + ": the root inode (2) is not a directory (mode 0" + root.mode.toString(8) + ")");
    return null;
  }
  return fs;
}

/**
 * ext4_inode_csum_verify: crc32c seeded with the filesystem seed, the inode
 * number and i_generation, over the whole on-disk inode with i_checksum_lo
 * (and i_checksum_hi when i_extra_isize covers it) taken as zero.
 */
function inodeChecksumOk(raw: Uint8Array, ino: u32, extraIsize: i32, seed: u32): bool {
  const le = new Uint8Array(4);
  le[0] = <u8>ino; le[1] = <u8>(ino >> 8); le[2] = <u8>(ino >> 16); le[3] = <u8>(ino >> 24);
  let crc = crc32cUpdate(seed, le, 0, 4);
  crc = crc32cUpdate(crc, raw, 0x64, 4); // i_generation
  const copy = raw.slice(0);
  copy[0x7c] = 0; copy[0x7d] = 0;
  const hasHi = raw.length > 128 && extraIsize >= 4;
  if (hasHi) { copy[0x82] = 0; copy[0x83] = 0; }
  let calculated = crc32cUpdate(crc, copy, 0, copy.length);
  let provided = <u32>raw[0x7c] | (<u32>raw[0x7d] << 8);
  if (hasHi) provided |= ((<u32>raw[0x82] | (<u32>raw[0x83] << 8)) << 16);
  else calculated &= 0xffff;
  return provided == calculated;
}
