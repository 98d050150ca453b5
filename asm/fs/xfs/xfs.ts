// SPDX-License-Identifier: Apache-2.0
// Read-only XFS (v4 and v5): finds inodes by number through the allocation
// group geometry, maps forks through extent lists and extent btrees, and reads
// shortform, block, leaf and node directories and inline or remote symlinks
// ("XFS Algorithms & Data Structures", 3rd edition).

import { Device } from "../../io/device";
import { FileSystem, Stat, DirEntry, NOT_FOUND, FAILED } from "../filesystem";
import { corrupt, unsupported, limit, ioError, clearError } from "../../util/error";
import { JsonWriter } from "../../util/json";
import { u16be, u32be, hex64 } from "../../util/bytes";
import { XfsSuperblock, xfsCrcOk, INCOMPAT_NEEDSREPAIR } from "./superblock";
import { XfsInode, DINODE_MAGIC, FMT_LOCAL, FMT_EXTENTS, FMT_BTREE } from "./inode";
import { XfsExtent, forkExtents, btreeExtents, fsbToByte, firstExtentAfter } from "./bmap";
import { readLogState, LogState } from "./log";
import { DirScan, scanShortform, scanDataBlock, shortformParent, XD2B_MAGIC, XDB3_MAGIC, XD2D_MAGIC, XDD3_MAGIC } from "./dir";
import {
  daHash, matchingAddresses, entryAt, daBlockOk, HASH_FALLBACK, MAX_DA_DEPTH,
  LEAF1_MAGIC_V4, LEAF1_MAGIC_V5, LEAFN_MAGIC_V4, LEAFN_MAGIC_V5, NODE_MAGIC_V4, NODE_MAGIC_V5,
} from "./dir-hash";

const INODE_CACHE: i32 = 1024;
/** extent lists kept (directories and files revisited by the rules) */
const EXTENT_CACHE: i32 = 256;
/** directory data lives below this byte offset; leaf and free-index blocks above it (XFS_DIR2_LEAF_OFFSET) */
const DIR2_LEAF_OFFSET: u64 = <u64>1 << 35;
/** a directory's data section larger than this is refused */
const MAX_DIR_BYTES: u64 = 1 << 30;
/** one device read of a directory covers at most this many bytes */
const DIR_CHUNK: u64 = 256 * 1024;
/** XFS_SYMLINK_MAXLEN */
const MAX_SYMLINK: u64 = 1024;
const SYMLINK_MAGIC: u32 = 0x58534c4d; // "XSLM"
const SYMLINK_HDR: i32 = 56;
const DIFLAG_REALTIME: u32 = 0x1;
const MAX_NAME: i32 = 255;

export class XfsFileSystem extends FileSystem {
  private inodes: Map<u64, XfsInode> = new Map<u64, XfsInode>();
  private extentCache: Map<u64, XfsExtent[]> = new Map<u64, XfsExtent[]>();
  private inoAgShift: u64;
  private logState: LogState | null = null;

  constructor(public dev: Device, public sb: XfsSuperblock, public where: string) {
    super();
    this.inoAgShift = <u64>(sb.agBlkLog + sb.inopbLog);
  }

  get type(): string { return "xfs"; }
  get uuid(): string { return this.sb.uuid; }
  get label(): string { return this.sb.label; }
  get rootNode(): u64 { return this.sb.rootIno; }

  // ---- inodes ------------------------------------------------------------

  /** Byte offset of inode `ino`, or -1 with the error set. */
  private inodePos(ino: u64): i64 {
    const sb = this.sb;
    const agno = ino >> this.inoAgShift;
    const agino = ino & ((<u64>1 << this.inoAgShift) - 1);
    const agbno = agino >> <u64>sb.inopbLog;
    const idx = agino & <u64>(sb.inodesPerBlock - 1);
    if (ino == 0 || agno >= <u64>sb.agCount || agbno >= <u64>sb.agBlocks) {
      corrupt("xfs.inode.number", this.where + ": inode " + ino.toString() + " lies outside the filesystem (AG " +
        agno.toString() + " of " + sb.agCount.toString() + ", block " + agbno.toString() + " of " + sb.agBlocks.toString() + ")");
      return -1;
    }
    return <i64>(((agno * <u64>sb.agBlocks + agbno) << <u64>sb.blockLog) + idx * <u64>sb.inodeSize);
  }

  getInode(ino: u64): XfsInode | null {
    if (this.inodes.has(ino)) return this.inodes.get(ino);
    const pos = this.inodePos(ino);
    if (pos < 0) return null;
    const isz = <i32>this.sb.inodeSize;
    const raw = this.dev.read(<u64>pos, isz);
    if (raw === null) return null;
    const at = this.where + ": inode " + ino.toString() + " at " + hex64(<u64>pos);
    const magic = u16be(raw, 0);
    if (magic != DINODE_MAGIC) {
      corrupt("xfs.inode.magic", at + " has magic 0x" + magic.toString(16) + ", not \"IN\"");
      return null;
    }
    const inode = XfsInode.parse(raw, ino, isz);
    if (this.sb.hasCrc) {
      if (inode.version != 3) {
        corrupt("xfs.inode.version", at + " is version " + inode.version.toString() + " in a v5 filesystem (3 expected)");
        return null;
      }
      if (!xfsCrcOk(raw, 0, isz, 100)) {
        corrupt("xfs.inode.crc", at + ": checksum does not match");
        return null;
      }
      if (inode.storedIno != ino) {
        corrupt("xfs.inode.number", at + " says it is inode " + inode.storedIno.toString());
        return null;
      }
    } else if (inode.version != 1 && inode.version != 2) {
      corrupt("xfs.inode.version", at + " is version " + inode.version.toString() + " in a v4 filesystem (1 or 2 expected)");
      return null;
    }
    if (!inode.forkOffValid) {
      corrupt("xfs.inode.forkoff", at + ": attribute fork offset " + inode.forkOff.toString() + " lies past the inode");
      return null;
    }
    if (this.inodes.size >= INODE_CACHE) this.inodes.clear();
    this.inodes.set(ino, inode);
    return inode;
  }

  private liveInode(node: u64): XfsInode | null {
    const inode = this.getInode(node);
    if (inode === null) return null;
    if (!inode.inUse) {
      corrupt("xfs.inode.unused", this.where + ": inode " + node.toString() + " is free (deleted or never allocated)");
      return null;
    }
    return inode;
  }

  /** The data fork's extents (extents or btree format). */
  extents(inode: XfsInode): XfsExtent[] | null {
    if (this.extentCache.has(inode.ino)) return this.extentCache.get(inode.ino);
    const where = this.where + ": inode " + inode.ino.toString();
    let ext: XfsExtent[] | null = null;
    if (inode.format == FMT_EXTENTS) ext = forkExtents(this.sb, inode.dataFork(), inode.nextents, where);
    else if (inode.format == FMT_BTREE) ext = btreeExtents(this.dev, this.sb, inode.dataFork(), inode.ino, where);
    else {
      corrupt("xfs.inode.format", where + ": data fork format " + inode.format.toString() + " has no extents");
      return null;
    }
    if (ext === null) return null;
    if (this.extentCache.size >= EXTENT_CACHE) this.extentCache.clear();
    this.extentCache.set(inode.ino, ext);
    return ext;
  }

  /** Reads bytes [offset, offset+n) of an extent-mapped fork; holes and unwritten extents read as zeros. */
  private readMapped(inode: XfsInode, offset: u64, n: i32, dst: usize): bool {
    const ext = this.extents(inode);
    if (ext === null) return false;
    const shift = <u64>this.sb.blockLog;
    const end = offset + <u64>n;
    memory.fill(dst, 0, <usize>n);
    for (let i = firstExtentAfter(ext, offset >> shift); i < ext.length; i++) {
      const e = unchecked(ext[i]);
      const s = max(e.off << shift, offset);
      if (s >= end) break;
      const t = min((e.off + e.len) << shift, end);
      if (t <= s || e.unwritten) continue;
      const phys = <u64>fsbToByte(this.sb, e.fsb) + (s - (e.off << shift));
      if (!this.dev.readInto(phys, <i32>(t - s), dst + <usize>(s - offset))) return false;
    }
    return true;
  }

  private readData(inode: XfsInode, offset: u64, n: i32, dst: usize): bool {
    if (inode.format == FMT_LOCAL) {
      const fork = inode.dataFork();
      if (offset + <u64>n > <u64>fork.length) {
        corrupt("xfs.inode.local-size", this.where + ": inode " + inode.ino.toString() + " claims " + inode.size.toString() +
          " bytes inline in a " + fork.length.toString() + "-byte fork");
        return false;
      }
      memory.copy(dst, fork.dataStart + <usize>offset, <usize>n);
      return true;
    }
    if ((<u32>u16be(inode.raw, 90) & DIFLAG_REALTIME) != 0) {
      unsupported("xfs.realtime", this.where + ": inode " + inode.ino.toString() + " keeps its data on the realtime device");
      return false;
    }
    return this.readMapped(inode, offset, n, dst);
  }

  // ---- FileSystem --------------------------------------------------------

  stat(node: u64): Stat | null {
    const inode = this.liveInode(node);
    if (inode === null) return null;
    return Stat.posix(node, inode.kind, inode.mode, inode.size, inode.uid, inode.gid, inode.nlink, inode.mtime);
  }

  read(node: u64, offset: u64, len: i32, dst: usize): i32 {
    if (len < 0) {
      ioError("xfs.read.length", this.where + ": negative read length");
      return <i32>FAILED;
    }
    const inode = this.liveInode(node);
    if (inode === null) return <i32>FAILED;
    if (inode.isDir) {
      corrupt("xfs.read.directory", this.where + ": inode " + node.toString() + " is a directory, not a file");
      return <i32>FAILED;
    }
    if (offset >= inode.size || len == 0) return 0;
    const n = <i32>min(<u64>len, inode.size - offset);
    return this.readData(inode, offset, n, dst) ? n : <i32>FAILED;
  }

  readlink(node: u64): string | null {
    const inode = this.liveInode(node);
    if (inode === null) return null;
    const where = this.where + ": symlink " + node.toString();
    if (!inode.isSymlink) {
      corrupt("xfs.symlink.kind", this.where + ": inode " + node.toString() + " is not a symbolic link");
      return null;
    }
    if (inode.size == 0 || inode.size > MAX_SYMLINK) {
      corrupt("xfs.symlink.size", where + " claims a target of " + inode.size.toString() + " bytes (1.." +
        MAX_SYMLINK.toString() + ")");
      return null;
    }
    const n = <i32>inode.size;
    const buf = new Uint8Array(n);
    if (inode.format == FMT_LOCAL || !this.sb.hasCrc) {
      if (!this.readData(inode, 0, n, buf.dataStart)) return null;
    } else {
      // v5 remote symlink: each block starts with a header and carries part of the target
      const bs = <i32>this.sb.blockSize;
      const nblocks = (n + bs - SYMLINK_HDR - 1) / (bs - SYMLINK_HDR);
      const blk = new Uint8Array(bs);
      let got = 0;
      for (let i = 0; i < nblocks; i++) {
        if (!this.readMapped(inode, <u64>i * <u64>bs, bs, blk.dataStart)) return null;
        const magic = u32be(blk, 0);
        const off = <i32>u32be(blk, 4);
        const bytes = <i32>u32be(blk, 8);
        if (magic != SYMLINK_MAGIC || off != got || bytes <= 0 || bytes > bs - SYMLINK_HDR || got + bytes > n) {
          corrupt("xfs.symlink.block", where + ": remote block " + i.toString() + " has magic 0x" + magic.toString(16) +
            ", offset " + off.toString() + " and " + bytes.toString() + " bytes where XSLM at offset " + got.toString() + " was expected");
          return null;
        }
        if (!xfsCrcOk(blk, 0, bs, 12)) {
          corrupt("xfs.symlink.crc", where + ": remote block " + i.toString() + " checksum does not match");
          return null;
        }
        memory.copy(buf.dataStart + <usize>got, blk.dataStart + <usize>SYMLINK_HDR, <usize>bytes);
        got += bytes;
      }
      if (got != n) {
        corrupt("xfs.symlink.short", where + ": remote blocks hold " + got.toString() + " of " + n.toString() + " bytes");
        return null;
      }
    }
    return String.UTF8.decodeUnsafe(buf.dataStart, <usize>n, false);
  }

  private dirInode(dir: u64): XfsInode | null {
    const inode = this.liveInode(dir);
    if (inode === null) return null;
    if (!inode.isDir) {
      corrupt("xfs.dir.kind", this.where + ": inode " + dir.toString() + " is not a directory");
      return null;
    }
    return inode;
  }

  readdir(dir: u64): DirEntry[] | null {
    const inode = this.dirInode(dir);
    if (inode === null) return null;
    const scan = new DirScan();
    if (!this.scan(inode, scan)) return null;
    if (!this.sb.hasFtype) {
      for (let i = 0; i < scan.entries.length; i++) {
        const e = scan.entries[i];
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
    if (target.length == 0 || target.length > MAX_NAME || target.includes(0x2f)) return NOT_FOUND;
    if (name == ".") return <i64>dir;
    if (name == ".." && inode.format == FMT_LOCAL) return <i64>shortformParent(inode.dataFork());
    if (inode.format != FMT_LOCAL && name != "..") {
      const r = this.hashedLookup(inode, target);
      if (r != HASH_FALLBACK) return r;
      clearError();
    }
    const scan = new DirScan();
    scan.target = target;
    if (!this.scan(inode, scan)) return FAILED;
    return <i64>scan.found;
  }

  /** One directory block (or dabtree block) at byte `pos` of the directory, or null with the error set. */
  private dirBlockAt(inode: XfsInode, pos: u64): Uint8Array | null {
    const b = new Uint8Array(<i32>this.sb.dirBlockSize);
    return this.readMapped(inode, pos, b.length, b.dataStart) ? b : null;
  }

  /**
   * Looks `target` up through the directory's hash index: the leaf entries of a
   * single-block directory, or the leaf / dabtree blocks of a leaf or node one.
   * HASH_FALLBACK when the index is not there as expected (the caller then scans).
   */
  private hashedLookup(inode: XfsInode, target: Uint8Array): i64 {
    const sb = this.sb;
    const ext = this.extents(inode);
    if (ext === null) return FAILED;
    if (ext.length == 0) return HASH_FALLBACK;
    const v5 = sb.hasCrc;
    const shift = <u64>sb.blockLog;
    const dirBlk = <u64>sb.dirBlockSize;
    const leafOff = DIR2_LEAF_OFFSET; // bytes
    const h = daHash(target);
    const addrs: u32[] = [];
    const where = this.where + ": directory " + inode.ino.toString();
    const lastExt = ext[ext.length - 1];
    if (((lastExt.off + lastExt.len) << shift) <= leafOff) {
      // a single-block directory: leaf entries and tail at the end of block 0
      if (inode.size != dirBlk) return HASH_FALLBACK;
      const b = this.dirBlockAt(inode, 0);
      if (b === null) return FAILED;
      if (u32be(b, 0) != (v5 ? XDB3_MAGIC : XD2B_MAGIC)) return HASH_FALLBACK;
      if (v5 && !xfsCrcOk(b, 0, b.length, 4)) {
        corrupt("xfs.dir.crc", where + " block 0: directory block checksum does not match");
        return FAILED;
      }
      const count = u32be(b, b.length - 8);
      if (<u64>count * 8 + 8 > <u64>(b.length - (v5 ? 64 : 16))) return HASH_FALLBACK;
      matchingAddresses(b, b.length - 8 - <i32>count * 8, <i32>count, h, addrs);
    } else {
      const hdr = v5 ? 64 : 16;
      const countOff = v5 ? 56 : 12;
      let pos = leafOff;
      let depth = 0;
      let hops = 0;
      while (true) {
        const b = this.dirBlockAt(inode, pos);
        if (b === null) return FAILED;
        const magic = u16be(b, 8);
        const at = where + " index block " + (pos >> shift).toString();
        if (magic == (v5 ? NODE_MAGIC_V5 : NODE_MAGIC_V4)) {
          if (!daBlockOk(b, v5, inode.ino, at)) return FAILED;
          if (++depth > MAX_DA_DEPTH) {
            corrupt("xfs.dir.depth", at + ": the directory's index is deeper than " + MAX_DA_DEPTH.toString() + " levels (a loop?)");
            return FAILED;
          }
          const count = <i32>u16be(b, countOff);
          if (count == 0 || hdr + count * 8 > b.length) return HASH_FALLBACK;
          let i = 0;
          while (i < count && u32be(b, hdr + i * 8) < h) i++;
          if (i == count) return NOT_FOUND; // larger than every hash in the directory
          pos = <u64>u32be(b, hdr + i * 8 + 4) << shift;
          continue;
        }
        const leaf1 = magic == (v5 ? LEAF1_MAGIC_V5 : LEAF1_MAGIC_V4);
        if (!leaf1 && magic != (v5 ? LEAFN_MAGIC_V5 : LEAFN_MAGIC_V4)) return HASH_FALLBACK;
        if (!daBlockOk(b, v5, inode.ino, at)) return FAILED;
        const count = <i32>u16be(b, countOff);
        if (hdr + count * 8 > b.length) return HASH_FALLBACK;
        const more = matchingAddresses(b, hdr, count, h, addrs);
        const forw = u32be(b, 0);
        // equal hashes can run on into the next leaf block of a node directory
        if (leaf1 || !more || forw == 0 || ++hops > 64) break;
        pos = <u64>forw << shift;
      }
    }
    let cachedDb: u64 = <u64>-1;
    let blk: Uint8Array | null = null;
    for (let i = 0; i < addrs.length; i++) {
      const byte = <u64>addrs[i] << 3;
      if (byte >= leafOff) return HASH_FALLBACK;
      const db = byte / dirBlk;
      if (db != cachedDb) {
        blk = this.dirBlockAt(inode, db * dirBlk);
        if (blk === null) return FAILED;
        cachedDb = db;
        const m = u32be(blk, 0);
        if (m != (v5 ? XDB3_MAGIC : XD2B_MAGIC) && m != (v5 ? XDD3_MAGIC : XD2D_MAGIC)) return HASH_FALLBACK;
        if (v5 && !xfsCrcOk(blk, 0, blk.length, 4)) {
          corrupt("xfs.dir.crc", where + " block " + db.toString() + ": directory block checksum does not match");
          return FAILED;
        }
      }
      const ino = entryAt(blk!, <i32>(byte % dirBlk), target);
      if (ino != 0) return <i64>ino;
    }
    return NOT_FOUND;
  }

  private scan(inode: XfsInode, scan: DirScan): bool {
    const where = this.where + ": directory " + inode.ino.toString();
    const sb = this.sb;
    if (inode.format == FMT_LOCAL) return scanShortform(inode.dataFork(), inode.size, sb.hasFtype, scan, where);
    const ext = this.extents(inode);
    if (ext === null) return false;
    const shift = <u64>sb.blockLog;
    const dirBlk = <u64>sb.dirBlockSize;
    const perDirBlk = dirBlk >> shift;
    const dataEnd = DIR2_LEAF_OFFSET >> shift; // in filesystem blocks
    let total: u64 = 0;
    for (let i = 0; i < ext.length; i++) {
      const e = unchecked(ext[i]);
      if (e.off >= dataEnd) break;
      if (e.unwritten) continue;
      const len = min(e.len, dataEnd - e.off);
      total += len << shift;
      if (total > MAX_DIR_BYTES) {
        limit("xfs.dir.size", where + " has more than " + MAX_DIR_BYTES.toString() + " bytes of entries");
        return false;
      }
      if ((e.off % perDirBlk) != 0 || (len % perDirBlk) != 0) {
        // a directory block split across extents: gather it through the mapping
        const first = e.off / perDirBlk, last = (e.off + len - 1) / perDirBlk;
        for (let d = first; d <= last; d++) {
          if (i > 0 && d * perDirBlk < ext[i - 1].off + ext[i - 1].len) continue; // begun in the previous extent
          const b = new Uint8Array(<i32>dirBlk);
          if (!this.readMapped(inode, d * dirBlk, <i32>dirBlk, b.dataStart)) return false;
          if (!scanDataBlock(b, sb.hasCrc, sb.hasFtype, inode.ino, scan, where + " block " + d.toString())) return false;
          if (scan.found != 0) return true;
        }
        continue;
      }
      const base = <u64>fsbToByte(sb, e.fsb);
      const bytes = len << shift;
      const chunk = max(dirBlk, (DIR_CHUNK / dirBlk) * dirBlk);
      for (let done: u64 = 0; done < bytes; done += chunk) {
        const cnt = min(chunk, bytes - done);
        const buf = this.dev.read(base + done, <i32>cnt);
        if (buf === null) return false;
        for (let k: u64 = 0; k < cnt; k += dirBlk) {
          const d = ((e.off << shift) + done + k) / dirBlk;
          const b = buf.subarray(<i32>k, <i32>(k + dirBlk));
          if (!scanDataBlock(b, sb.hasCrc, sb.hasFtype, inode.ino, scan, where + " block " + d.toString())) return false;
          if (scan.found != 0) return true;
        }
      }
    }
    return true;
  }

  describe(): string {
    const sb = this.sb;
    const w = new JsonWriter();
    w.beginObject();
    w.prop("type", "xfs");
    w.propNum("version", sb.version);
    w.propNum("blockSize", sb.blockSize);
    w.propNum("blocksCount", <f64>sb.dblocks);
    w.propNum("agCount", sb.agCount);
    w.propNum("agBlocks", sb.agBlocks);
    w.propNum("inodeSize", sb.inodeSize);
    w.propNum("inodesCount", <f64>sb.icount);
    w.propNum("dirBlockSize", sb.dirBlockSize);
    w.propBool("crc", sb.hasCrc);
    w.propBool("ftype", sb.hasFtype);
    w.arrKey("incompat");
    const ic = sb.incompatNames();
    for (let i = 0; i < ic.length; i++) w.str(ic[i]);
    w.endArray();
    w.propBool("needsRepair", (sb.incompat & INCOMPAT_NEEDSREPAIR) != 0);
    w.propBool("superblockChecksumVerified", sb.checksumVerified);
    // the journal: a dirty one means recent changes are not visible to this reader
    let log = this.logState;
    if (log === null) {
      this.logState = log = readLogState(this.dev, sb);
      clearError();
    }
    w.prop("log", log.state);
    w.propBool("needsRecovery", log.state == "dirty");
    w.propNum("logHead", <f64>log.head);
    w.prop("logDetail", log.detail);
    w.endObject();
    return w.toString();
  }
}

/** Opens an XFS filesystem on `dev`; null with the error set when it cannot be read. */
export function openXfs(dev: Device): FileSystem | null {
  const where = dev.name.length > 0 ? dev.name : "xfs filesystem";
  if (dev.size < 4096) {
    corrupt("xfs.superblock.short", where + ": too small (" + dev.size.toString() + " bytes) to hold XFS");
    return null;
  }
  // the superblock's sector size is at most 32 KiB; read the largest and parse
  const b = dev.read(0, <i32>min(<u64>32768, dev.size));
  if (b === null) return null;
  const sb = XfsSuperblock.parse(b, dev.size, where);
  if (sb === null) return null;
  const fs = new XfsFileSystem(dev, sb, where);
  const root = fs.getInode(sb.rootIno);
  if (root === null) return null;
  if (!root.isDir) {
    corrupt("xfs.root.kind", where + ": the root inode (" + sb.rootIno.toString() + ") is not a directory (mode 0" +
      root.mode.toString(8) + ")");
    return null;
  }
  return fs;
}
