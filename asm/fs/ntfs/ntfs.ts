// SPDX-License-Identifier: Apache-2.0
// Read-only NTFS: the boot sector locates the MFT (whose own runlist may be
// fragmented and split by an attribute list), MFT records are fixed up and
// their attributes gathered across extension records, directories are read
// and searched through their $I30 B+ tree index, and file data comes from
// runlists, LZNT1 compression units or WOF (CompactOS) streams (flatcap NTFS
// documentation; libfsntfs "NTFS" format document; [MS-FSCC]).

import { Device } from "../../io/device";
import { FileSystem, FileKind, Stat, DirEntry, NOT_FOUND, FAILED } from "../filesystem";
import { corrupt, unsupported, limit, ioError, clearError } from "../../util/error";
import { JsonWriter } from "../../util/json";
import { u8at, u16le, u32le, u64le, asciiAt, hex64 } from "../../util/bytes";
import { BootSector, BOOT_SECTOR_SIZE } from "./boot-sector";
import { applyFixups } from "./fixup";
import {
  AttrRecord, parseAttributes, AT_STANDARD_INFORMATION, AT_ATTRIBUTE_LIST, AT_FILE_NAME, AT_VOLUME_NAME,
  AT_VOLUME_INFORMATION, AT_DATA, AT_INDEX_ROOT, AT_INDEX_ALLOCATION, AT_BITMAP, AT_REPARSE_POINT,
} from "./attribute";
import { Stream } from "./stream";
import { FileName, NS_DOS, FN_DIRECTORY, FILE_ATTR_REPARSE_POINT, REF_MASK } from "./file-name";
import { UpCase } from "./upcase";
import { IndexEntry, parseNode, openIndxRecord } from "./dir-index";
import { parseLink, guestPath, isLinkTag, tagHidesData, tagName, IO_REPARSE_TAG_WOF } from "./reparse";
import { WofReader, openWof } from "./wof";

export const MFT_RECORD_MFT: u64 = 0;
export const MFT_RECORD_VOLUME: u64 = 3;
export const MFT_RECORD_ROOT: u64 = 5;
export const MFT_RECORD_UPCASE: u64 = 10;

const RECORD_IN_USE: u32 = 1;
const RECORD_IS_DIRECTORY: u32 = 2;
const FILE_CACHE: i32 = 2048;
/** Extension records one file may have (each holds at least one attribute). */
const MAX_EXTENSIONS: i32 = 65536;
/** An attribute list longer than this is refused (real ones are a few KiB, at most a few MiB). */
const MAX_ATTR_LIST: u64 = 16 << 20;
/** B+ tree depth: a 1 KiB index record holds at least 4 keys, so 32 levels exceed any directory. */
const MAX_INDEX_DEPTH: i32 = 32;
const MAX_DIR_ENTRIES: i32 = 1 << 20;
const MAX_REPARSE: u64 = 16 * 1024;
/** $Volume flag: the volume was not cleanly unmounted (chkdsk will run). */
const VOLUME_IS_DIRTY: u32 = 0x0001;
const FILETIME_UNIX_DIFF: i64 = 11644473600;
/** Node id of the $MFT (record 0): node 0 means "not found" in the FileSystem interface. */
const MFT_NODE: u64 = <u64>1 << 48;

function nodeOf(record: u64): u64 { return record == 0 ? MFT_NODE : record; }
function recordOf(node: u64): u64 { return node == MFT_NODE ? 0 : node; }

export class NtfsFile {
  flags: u32 = 0;
  linkCount: u32 = 0;
  attrs: AttrRecord[] = [];
  names: FileName[] = [];
  mtime: i64 = 0;
  fileAttributes: u32 = 0;
  reparseTag: u32 = 0;
  reparse: Uint8Array | null = null;
  streams: Map<string, Stream> = new Map();
  wof: WofReader | null = null;
  constructor(public no: u64) {}
  get isDir(): bool { return (this.flags & RECORD_IS_DIRECTORY) != 0; }
}

export class NtfsFileSystem extends FileSystem {
  mft: Stream = new Stream();
  private files: Map<u64, NtfsFile> = new Map();
  private upcaseTable: UpCase | null = null;
  volLabel: string = "";
  volFlags: u32 = 0;
  volMajor: u32 = 0;
  volMinor: u32 = 0;
  hasVolumeInfo: bool = false;

  constructor(public dev: Device, public boot: BootSector, public where: string) { super(); }

  get type(): string { return "ntfs"; }
  get uuid(): string { return this.boot.uuid; }
  get label(): string { return this.volLabel; }
  get rootNode(): u64 { return MFT_RECORD_ROOT; }
  get clusterSize(): u32 { return this.boot.clusterSize; }

  // ---- MFT records -------------------------------------------------------

  /** The fixed-up bytes of MFT record `no`; null with the error set. */
  readRecord(no: u64): Uint8Array | null {
    const rs = <u64>this.boot.mftRecordSize;
    if (no > (this.mft.dataSize / rs)) {
      corrupt("ntfs.mft.number", this.where + ": MFT record " + no.toString() + " is past the MFT's " + (this.mft.dataSize / rs).toString() + " records");
      return null;
    }
    const off = no * rs;
    if (off + rs > this.mft.dataSize) {
      corrupt("ntfs.mft.number", this.where + ": MFT record " + no.toString() + " is past the end of the MFT");
      return null;
    }
    const b = new Uint8Array(<i32>rs);
    if (!this.mft.read(this.dev, this.clusterSize, off, <i32>rs, b.dataStart, this.where + ": $MFT")) return null;
    return this.checkRecord(b, no);
  }

  checkRecord(b: Uint8Array, no: u64): Uint8Array | null {
    const where = this.where + ": MFT record " + no.toString();
    if (!asciiAt(b, 0, "FILE")) {
      if (asciiAt(b, 0, "BAAD")) corrupt("ntfs.mft.baad", where + " is marked BAAD (a failed multi-sector write)");
      else corrupt("ntfs.mft.magic", where + " does not start with FILE");
      return null;
    }
    if (!applyFixups(b, 0, b.length, "ntfs.mft", where)) return null;
    const used = <i32>u32le(b, 0x18);
    const first = <i32>u16le(b, 0x14);
    if (used > b.length || used < 0x30 || first < 0x30 || first >= used || (first & 7) != 0) {
      corrupt("ntfs.mft.header", where + ": used size " + used.toString() + " / first attribute " + first.toString() + " do not fit a " +
        b.length.toString() + "-byte record");
      return null;
    }
    return b;
  }

  /** The file whose base record is `no`, with attributes from its extension records; null with the error set. */
  file(no: u64): NtfsFile | null {
    if (this.files.has(no)) return this.files.get(no);
    const b = this.readRecord(no);
    if (b === null) return null;
    const f = this.parseFile(b, no);
    if (f === null) return null;
    if (this.files.size >= FILE_CACHE) this.files.clear();
    this.files.set(no, f);
    return f;
  }

  parseFile(b: Uint8Array, no: u64): NtfsFile | null {
    const where = this.where + ": MFT record " + no.toString();
    const flags = u16le(b, 0x16);
    if ((flags & RECORD_IN_USE) == 0) {
      corrupt("ntfs.mft.unused", where + " is not in use (a deleted file)");
      return null;
    }
    if ((u64le(b, 0x20) & REF_MASK) != 0) {
      corrupt("ntfs.mft.extension", where + " is an extension record of record " + (u64le(b, 0x20) & REF_MASK).toString() + ", not a file");
      return null;
    }
    const f = new NtfsFile(no);
    f.flags = flags;
    f.linkCount = u16le(b, 0x12);
    if (!parseAttributes(b, <i32>u16le(b, 0x14), <i32>u32le(b, 0x18), no, f.attrs, where)) return null;
    let listAttr: AttrRecord | null = null;
    for (let i = 0; i < f.attrs.length; i++) if (f.attrs[i].type == AT_ATTRIBUTE_LIST) { listAttr = f.attrs[i]; break; }
    if (listAttr !== null && !this.loadExtensions(f, listAttr, where)) return null;
    for (let i = 0; i < f.attrs.length; i++) {
      const a = f.attrs[i];
      if (a.type == AT_FILE_NAME && !a.nonResident) {
        const fn = FileName.parse(a.value, 0, a.value.length);
        if (fn === null) {
          corrupt("ntfs.filename.short", where + ": a $FILE_NAME attribute is shorter than its name");
          return null;
        }
        f.names.push(fn);
      } else if (a.type == AT_STANDARD_INFORMATION && !a.nonResident && a.value.length >= 0x24) {
        const ft = <i64>u64le(a.value, 0x08);
        f.mtime = ft / 10000000 - FILETIME_UNIX_DIFF;
        f.fileAttributes = u32le(a.value, 0x20);
      }
    }
    if (this.hasAttr(f, AT_REPARSE_POINT, "")) {
      const rp = this.stream(f, AT_REPARSE_POINT, "");
      if (rp === null) return null;
      if (rp.dataSize < 8 || rp.dataSize > MAX_REPARSE) {
        corrupt("ntfs.reparse.size", where + ": reparse point of " + rp.dataSize.toString() + " bytes");
        return null;
      }
      const d = new Uint8Array(<i32>rp.dataSize);
      if (!rp.read(this.dev, this.clusterSize, 0, d.length, d.dataStart, where + ": $REPARSE_POINT")) return null;
      f.reparse = d;
      f.reparseTag = u32le(d, 0);
    }
    return f;
  }

  /** Adds the attributes that the attribute list places in other records. */
  private loadExtensions(f: NtfsFile, listAttr: AttrRecord, where: string): bool {
    const pieces: AttrRecord[] = [listAttr];
    const ls = Stream.build(pieces, this.boot.totalClusters, where + ": $ATTRIBUTE_LIST");
    if (ls === null) return false;
    if (ls.dataSize > MAX_ATTR_LIST) {
      limit("ntfs.attrlist.size", where + ": attribute list of " + ls.dataSize.toString() + " bytes");
      return false;
    }
    const list = new Uint8Array(<i32>ls.dataSize);
    if (!ls.read(this.dev, this.clusterSize, 0, list.length, list.dataStart, where + ": $ATTRIBUTE_LIST")) return false;
    const seen = new Set<u64>();
    seen.add(f.no);
    let p = 0;
    while (p + 0x1a <= list.length) {
      const type = u32le(list, p);
      const len = <i32>u16le(list, p + 4);
      if (len < 0x1a || p + len > list.length) {
        corrupt("ntfs.attrlist.entry", where + ": attribute list entry at +" + p.toString() + " has length " + len.toString());
        return false;
      }
      const rec = u64le(list, p + 0x10) & REF_MASK;
      p += (len + 7) & ~7;
      if (seen.has(rec)) continue;
      seen.add(rec);
      if (seen.size > MAX_EXTENSIONS) {
        limit("ntfs.attrlist.records", where + ": more than " + MAX_EXTENSIONS.toString() + " extension records");
        return false;
      }
      const b = this.readRecord(rec);
      if (b === null) return false;
      const ewhere = where + ": extension record " + rec.toString();
      if ((u16le(b, 0x16) & RECORD_IN_USE) == 0 || (u64le(b, 0x20) & REF_MASK) != f.no) {
        corrupt("ntfs.attrlist.record", ewhere + " (attribute 0x" + type.toString(16) + ") does not belong to this file");
        return false;
      }
      const before = f.attrs.length;
      if (!parseAttributes(b, <i32>u16le(b, 0x14), <i32>u32le(b, 0x18), rec, f.attrs, ewhere)) return false;
      // the MFT's own data may continue in this record: later records need it
      if (f.no == MFT_RECORD_MFT) {
        let hasData = false;
        for (let i = before; i < f.attrs.length; i++) if (f.attrs[i].type == AT_DATA && f.attrs[i].name.length == 0) hasData = true;
        if (hasData) {
          // pieces may arrive out of VCN order (a record listed earlier for another
          // attribute); keep the last whole map until the pieces join up again
          const m = this.buildStream(f, AT_DATA, "");
          if (m !== null) this.mft = m; else clearError();
        }
      }
    }
    return true;
  }

  private buildStream(f: NtfsFile, type: u32, name: string): Stream | null {
    const pieces: AttrRecord[] = [];
    for (let i = 0; i < f.attrs.length; i++) {
      const a = f.attrs[i];
      if (a.type == type && a.name == name) pieces.push(a);
    }
    if (pieces.length == 0) return null;
    pieces.sort((a: AttrRecord, b: AttrRecord): i32 => a.lowVcn < b.lowVcn ? -1 : (a.lowVcn > b.lowVcn ? 1 : 0));
    return Stream.build(pieces, this.boot.totalClusters, this.where + ": MFT record " + f.no.toString());
  }

  hasAttr(f: NtfsFile, type: u32, name: string): bool {
    for (let i = 0; i < f.attrs.length; i++) if (f.attrs[i].type == type && f.attrs[i].name == name) return true;
    return false;
  }

  /** The attribute (type, name) as a stream; null when absent (check hasAttr) or with the error set. */
  stream(f: NtfsFile, type: u32, name: string): Stream | null {
    const key = type.toString() + ":" + name;
    if (f.streams.has(key)) return f.streams.get(key);
    const s = this.buildStream(f, type, name);
    if (s !== null) f.streams.set(key, s);
    return s;
  }

  upcase(): UpCase | null {
    const u = this.upcaseTable;
    if (u !== null) return u;
    const f = this.file(MFT_RECORD_UPCASE);
    if (f === null) return null;
    const has = this.hasAttr(f, AT_DATA, "");
    const s = has ? this.stream(f, AT_DATA, "") : null;
    if (has && s === null) return null;
    if (s === null || s.dataSize != 131072) {
      corrupt("ntfs.upcase.size", this.where + ": $UpCase is not the 128 KiB table of 65536 characters");
      return null;
    }
    const t = new Uint16Array(65536);
    if (!s.read(this.dev, this.clusterSize, 0, 131072, t.dataStart, this.where + ": $UpCase")) return null;
    const up = new UpCase(t);
    this.upcaseTable = up;
    return up;
  }

  // ---- FileSystem --------------------------------------------------------

  private kindOf(f: NtfsFile): FileKind {
    if (f.reparse !== null && isLinkTag(f.reparseTag)) return FileKind.Symlink;
    return f.isDir ? FileKind.Dir : FileKind.File;
  }

  stat(node: u64): Stat | null {
    const f = this.file(recordOf(node));
    if (f === null) return null;
    const s = new Stat();
    s.node = node;
    s.kind = this.kindOf(f);
    s.mode = s.kind == FileKind.Dir ? 0o40755 : (s.kind == FileKind.Symlink ? 0o120777 : 0o100644);
    if (s.kind == FileKind.File && this.hasAttr(f, AT_DATA, "")) {
      const d = this.stream(f, AT_DATA, "");
      if (d === null) return null;
      s.size = d.dataSize;
    } else if (s.kind == FileKind.Symlink) {
      const t = this.readlink(node);
      if (t !== null) s.size = <u64>String.UTF8.byteLength(t);
      else clearError();
    }
    let links: u32 = 0;
    for (let i = 0; i < f.names.length; i++) if (f.names[i].namespace != NS_DOS) links++;
    s.nlink = links;
    s.mtime = f.mtime;
    return s;
  }

  read(node: u64, offset: u64, len: i32, dst: usize): i32 {
    if (len < 0) { ioError("ntfs.read.length", this.where + ": negative read length"); return <i32>FAILED; }
    const f = this.file(recordOf(node));
    if (f === null) return <i32>FAILED;
    const where = this.where + ": file " + recordOf(node).toString();
    if (f.isDir && !(f.reparse !== null && isLinkTag(f.reparseTag))) {
      corrupt("ntfs.read.directory", where + " is a directory, not a file");
      return <i32>FAILED;
    }
    if (f.reparse !== null && tagHidesData(f.reparseTag)) {
      unsupported("ntfs.reparse.data", where + " keeps its data elsewhere (reparse tag " + tagName(f.reparseTag) + ")");
      return <i32>FAILED;
    }
    if (!this.hasAttr(f, AT_DATA, "")) return 0; // no unnamed data stream: an empty file
    const d = this.stream(f, AT_DATA, "");
    if (d === null) return <i32>FAILED;
    if (offset >= d.dataSize || len == 0) return 0;
    const n = <i32>min(<u64>len, d.dataSize - offset);
    if (f.reparse !== null && f.reparseTag == IO_REPARSE_TAG_WOF) {
      let w = f.wof;
      if (w === null) {
        w = openWof(this, f, d.dataSize, where);
        if (w === null) return <i32>FAILED;
        f.wof = w;
      }
      return w.read(offset, n, dst) ? n : <i32>FAILED;
    }
    return d.read(this.dev, this.clusterSize, offset, n, dst, where) ? n : <i32>FAILED;
  }

  readlink(node: u64): string | null {
    const f = this.file(recordOf(node));
    if (f === null) return null;
    const rp = f.reparse;
    const where = this.where + ": file " + node.toString();
    if (rp === null) { corrupt("ntfs.symlink.kind", where + " is not a reparse point"); return null; }
    if (!isLinkTag(f.reparseTag)) {
      unsupported("ntfs.reparse.tag", where + " is a reparse point of kind " + tagName(f.reparseTag) + ", not a link");
      return null;
    }
    const t = parseLink(rp);
    if (t === null) { corrupt("ntfs.reparse.link", where + ": the " + tagName(f.reparseTag) + " reparse data is truncated"); return null; }
    return guestPath(t);
  }

  private indexRoot(f: NtfsFile, where: string): Stream | null {
    if (!f.isDir) { corrupt("ntfs.dir.kind", where + " is not a directory"); return null; }
    if (!this.hasAttr(f, AT_INDEX_ROOT, "$I30")) {
      corrupt("ntfs.dir.no-index", where + " is a directory without a $I30 index root");
      return null;
    }
    const root = this.stream(f, AT_INDEX_ROOT, "$I30");
    if (root === null) return null;
    if (!root.resident || root.value.length < 0x20 || u32le(root.value, 0) != AT_FILE_NAME) {
      corrupt("ntfs.dir.index-root", where + ": $INDEX_ROOT is not a resident index of file names");
      return null;
    }
    const rs = u32le(root.value, 8);
    if (rs < 512 || rs > 65536 || (rs & (rs - 1)) != 0) {
      corrupt("ntfs.dir.index-size", where + ": index record size " + rs.toString() + " is not a power of two in 512..65536");
      return null;
    }
    return root;
  }

  /** Entries of the INDX record at `vcn`; false with the error set. */
  private indexNode(f: NtfsFile, recSize: u32, vcn: u64, out: IndexEntry[], where: string): bool {
    if (!this.hasAttr(f, AT_INDEX_ALLOCATION, "$I30")) {
      corrupt("ntfs.dir.no-allocation", where + ": index entry points to VCN " + vcn.toString() + " but there is no $INDEX_ALLOCATION");
      return false;
    }
    const alloc = this.stream(f, AT_INDEX_ALLOCATION, "$I30");
    if (alloc === null) return false;
    const shift: u64 = recSize >= this.clusterSize ? <u64>ctz(this.clusterSize) : 9;
    if (vcn > (alloc.dataSize >> shift)) {
      corrupt("ntfs.dir.vcn", where + ": index VCN " + vcn.toString() + " lies past the index allocation");
      return false;
    }
    const off = vcn << shift;
    if (off + <u64>recSize > alloc.dataSize) {
      corrupt("ntfs.dir.vcn", where + ": index record at VCN " + vcn.toString() + " runs past the index allocation");
      return false;
    }
    const b = new Uint8Array(recSize);
    if (!alloc.read(this.dev, this.clusterSize, off, <i32>recSize, b.dataStart, where + ": $INDEX_ALLOCATION")) return false;
    const hdr = openIndxRecord(b, <i32>recSize, vcn, where);
    if (hdr < 0) return false;
    return parseNode(b, hdr, <i32>recSize, out, where + ": index record " + vcn.toString());
  }

  lookup(dir: u64, name: string): i64 {
    const where = this.where + ": directory " + dir.toString();
    const f = this.file(recordOf(dir));
    if (f === null) return FAILED;
    const root = this.indexRoot(f, where);
    if (root === null) return FAILED;
    if (name == ".") return <i64>dir;
    if (name == "..") {
      for (let i = 0; i < f.names.length; i++) return <i64>nodeOf(f.names[i].parent);
      return <i64>dir;
    }
    if (name.length == 0 || name.length > 255) return NOT_FOUND;
    const up = this.upcase();
    if (up === null) return FAILED;
    const recSize = u32le(root.value, 8);
    let entries: IndexEntry[] = [];
    if (!parseNode(root.value, 0x10, root.value.length, entries, where + ": $INDEX_ROOT")) return FAILED;
    const visited = new Set<i64>();
    let candidate: i64 = NOT_FOUND;
    for (let depth = 0; depth < MAX_INDEX_DEPTH; depth++) {
      let child: i64 = -1;
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i];
        const k = e.key;
        if (k === null) { child = e.child; break; }
        const c = up.compare(name, k.name);
        if (c == 0) {
          if (k.name == name) return <i64>nodeOf(e.record);
          if (candidate == NOT_FOUND) candidate = <i64>nodeOf(e.record);
          continue;
        }
        if (c < 0) { child = e.child; break; }
      }
      if (child < 0 || candidate != NOT_FOUND) return candidate;
      if (visited.has(child)) {
        corrupt("ntfs.dir.cycle", where + ": index record " + child.toString() + " is reached twice (a cycle in the index)");
        return FAILED;
      }
      visited.add(child);
      entries = [];
      if (!this.indexNode(f, recSize, <u64>child, entries, where)) return FAILED;
    }
    corrupt("ntfs.dir.depth", where + ": index deeper than " + MAX_INDEX_DEPTH.toString() + " levels");
    return FAILED;
  }

  readdir(dir: u64): DirEntry[] | null {
    const where = this.where + ": directory " + dir.toString();
    const f = this.file(recordOf(dir));
    if (f === null) return null;
    const root = this.indexRoot(f, where);
    if (root === null) return null;
    const recSize = u32le(root.value, 8);
    const all: IndexEntry[] = [];
    if (!parseNode(root.value, 0x10, root.value.length, all, where + ": $INDEX_ROOT")) return null;
    if (this.hasAttr(f, AT_INDEX_ALLOCATION, "$I30")) {
      const alloc = this.stream(f, AT_INDEX_ALLOCATION, "$I30");
      if (alloc === null) return null;
      // every index record in use, in allocation order (no recursion, no revisits)
      const shift: u64 = recSize >= this.clusterSize ? <u64>ctz(this.clusterSize) : 9;
      const count = alloc.dataSize / <u64>recSize;
      let bitmap: Uint8Array | null = null;
      if (this.hasAttr(f, AT_BITMAP, "$I30")) {
        const bm = this.stream(f, AT_BITMAP, "$I30");
        if (bm === null) return null;
        if (bm.dataSize > (1 << 24)) { limit("ntfs.dir.bitmap", where + ": index bitmap of " + bm.dataSize.toString() + " bytes"); return null; }
        const bb = new Uint8Array(<i32>bm.dataSize);
        if (!bm.read(this.dev, this.clusterSize, 0, bb.length, bb.dataStart, where + ": $BITMAP")) return null;
        bitmap = bb;
      }
      for (let i: u64 = 0; i < count; i++) {
        if (bitmap !== null && (i >> 3 >= <u64>bitmap.length || (bitmap[<i32>(i >> 3)] & (1 << <u8>(i & 7))) == 0)) continue;
        if (!this.indexNode(f, recSize, (i * <u64>recSize) >> shift, all, where)) return null;
        if (all.length > MAX_DIR_ENTRIES) { limit("ntfs.dir.entries", where + ": more than " + MAX_DIR_ENTRIES.toString() + " entries"); return null; }
      }
    }
    const out: DirEntry[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < all.length; i++) {
      const e = all[i];
      const k = e.key;
      if (k === null || k.namespace == NS_DOS || e.record == dir) continue;
      const id = e.record.toString() + "/" + k.name;
      if (seen.has(id)) continue;
      seen.add(id);
      let kind = (k.flags & FN_DIRECTORY) != 0 ? FileKind.Dir : FileKind.File;
      if ((k.flags & FILE_ATTR_REPARSE_POINT) != 0 && isLinkTag(k.reparseTag)) kind = FileKind.Symlink;
      out.push(new DirEntry(k.name, nodeOf(e.record), kind));
    }
    return out;
  }

  // ---- volume facts --------------------------------------------------------

  loadVolumeInfo(): bool {
    const v = this.file(MFT_RECORD_VOLUME);
    if (v === null) return false;
    for (let i = 0; i < v.attrs.length; i++) {
      const a = v.attrs[i];
      if (a.nonResident) continue;
      if (a.type == AT_VOLUME_NAME && a.value.length > 0) {
        this.volLabel = String.UTF16.decodeUnsafe(a.value.dataStart, <usize>(a.value.length & ~1));
      } else if (a.type == AT_VOLUME_INFORMATION && a.value.length >= 12) {
        this.volMajor = u8at(a.value, 8);
        this.volMinor = u8at(a.value, 9);
        this.volFlags = u16le(a.value, 10);
        this.hasVolumeInfo = true;
      }
    }
    return true;
  }

  describe(): string {
    const b = this.boot;
    const w = new JsonWriter();
    w.beginObject();
    w.prop("type", "ntfs");
    w.prop("version", this.volMajor.toString() + "." + this.volMinor.toString());
    w.propNum("bytesPerSector", b.bytesPerSector);
    w.propNum("clusterSize", b.clusterSize);
    w.propNum("totalClusters", <f64>b.totalClusters);
    w.propNum("mftRecordSize", b.mftRecordSize);
    w.propNum("indexRecordSize", b.indexRecordSize);
    w.propNum("mftRecords", <f64>(this.mft.dataSize / <u64>b.mftRecordSize));
    w.propNum("mftFragments", this.mft.runs.length);
    w.prop("serial", b.uuid);
    w.propNum("volumeFlags", this.volFlags);
    w.propBool("dirty", (this.volFlags & VOLUME_IS_DIRTY) != 0);
    // hibernation (or Fast Startup) leaves a live system image in hiberfil.sys
    const h = this.lookup(MFT_RECORD_ROOT, "hiberfil.sys");
    if (h > 0) {
      const st = this.stat(<u64>h);
      w.propBool("hiberfil", true);
      w.propNum("hiberfilSize", st !== null ? <f64>st.size : 0);
      const sig = new Uint8Array(4);
      let s = "";
      if (st !== null && st.size >= 4 && this.read(<u64>h, 0, 4, sig.dataStart) == 4) {
        for (let i = 0; i < 4; i++) s += sig[i] >= 0x20 && sig[i] < 0x7f ? String.fromCharCode(sig[i]) : (sig[i] == 0 ? "" : "?");
      }
      w.prop("hiberfilSignature", s);
      const l = s.toLowerCase();
      w.propBool("hibernated", l == "hibr" || l == "wake");
    } else {
      w.propBool("hiberfil", false);
      w.propBool("hibernated", false);
    }
    clearError();
    w.endObject();
    return w.toString();
  }
}

/** Opens an NTFS volume on `dev`; null with the error set when it cannot be read. */
export function openNtfs(dev: Device): FileSystem | null {
  const where = dev.name.length > 0 ? dev.name : "NTFS volume";
  if (dev.size < <u64>BOOT_SECTOR_SIZE) {
    corrupt("ntfs.boot.short", where + ": too small for an NTFS boot sector");
    return null;
  }
  const bb = dev.read(0, BOOT_SECTOR_SIZE);
  if (bb === null) return null;
  const boot = BootSector.parse(bb, dev.size, where);
  if (boot === null) return null;
  const fs = new NtfsFileSystem(dev, boot, where);
  // bootstrap: record 0 read straight from the boot sector's MFT cluster
  const rs = <i32>boot.mftRecordSize;
  const r0 = dev.read(boot.mftLcn * <u64>boot.clusterSize, rs);
  if (r0 === null) return null;
  const b0 = fs.checkRecord(r0, 0);
  if (b0 === null) return null;
  const base: AttrRecord[] = [];
  if (!parseAttributes(b0, <i32>u16le(b0, 0x14), <i32>u32le(b0, 0x18), 0, base, where + ": MFT record 0")) return null;
  const first: AttrRecord[] = [];
  for (let i = 0; i < base.length; i++) if (base[i].type == AT_DATA && base[i].name.length == 0) first.push(base[i]);
  if (first.length != 1 || !first[0].nonResident) {
    corrupt("ntfs.mft.data", where + ": the $MFT record has no non-resident unnamed $DATA attribute");
    return null;
  }
  const m0 = Stream.build(first, boot.totalClusters, where + ": $MFT");
  if (m0 === null) return null;
  if (m0.dataSize < <u64>(16 * rs)) {
    corrupt("ntfs.mft.size", where + ": the $MFT is " + m0.dataSize.toString() + " bytes, too small for the 16 system files");
    return null;
  }
  fs.mft = m0;
  // the whole $MFT (with extension records, if its attribute list has any)
  const mf = fs.parseFile(b0, 0);
  if (mf === null) return null;
  const m = fs.stream(mf, AT_DATA, "");
  if (m === null) return null;
  fs.mft = m;
  if (!fs.loadVolumeInfo()) return null;
  const root = fs.file(MFT_RECORD_ROOT);
  if (root === null) return null;
  if (!root.isDir) {
    corrupt("ntfs.root.kind", where + ": the root directory record (5) is not a directory");
    return null;
  }
  return fs;
}

export { hex64 };
