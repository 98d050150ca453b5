// SPDX-License-Identifier: Apache-2.0
// VHD (Microsoft Virtual Hard Disk Image Format Specification, 2006): the
// 512-byte big-endian footer; fixed disks are raw data before it; dynamic and
// differencing disks have a dynamic header, a BAT of block sectors, and a
// sector bitmap before each block; a differencing disk names its parent.

import { Device, SliceDevice } from "../io/device";
import { corrupt, limit, unsupported } from "../util/error";
import { asciiAt, hex, hex64, u16be, u32be, u64be, u8at, utf16le, utf8 } from "../util/bytes";
import { Container } from "./container";
import { FileSet } from "./files";
import { MappedDevice, RunKind, TableCache } from "./mapped";
import { openReferenced, chainFacts } from "./detect";

const FOOTER_SIZE: i32 = 512;
const DYN_HEADER_SIZE: i32 = 1024;
const TYPE_FIXED: u32 = 2;
const TYPE_DYNAMIC: u32 = 3;
const TYPE_DIFFERENCING: u32 = 4;
const BAT_UNUSED: u32 = 0xffffffff;
/** qemu's bound (INT_MAX / 4); a 2 TiB disk of 2 MiB blocks needs 2^20 */
const MAX_TABLE_ENTRIES: u32 = 0x1fffffff;
const MAX_BLOCK_SIZE: u32 = 256 << 20;

export function isVhdFooter(b: Uint8Array): bool {
  return asciiAt(b, 0, "conectix");
}

class VhdFooter {
  diskType: u32 = 0;
  dataOffset: u64 = 0;
  currentSize: u64 = 0;
  creator: string = "";
  cylinders: u32 = 0;
  heads: u32 = 0;
  spt: u32 = 0;
  uniqueId: string = "";
  checksumOk: bool = true;
}

function parseFooter(b: Uint8Array): VhdFooter {
  const f = new VhdFooter();
  f.dataOffset = u64be(b, 16);
  f.creator = utf8(b, 28, 4);
  f.currentSize = u64be(b, 48);
  f.cylinders = u16be(b, 56);
  f.heads = u8at(b, 58);
  f.spt = u8at(b, 59);
  f.diskType = u32be(b, 60);
  f.uniqueId = hex(b, 68, 16);
  let sum: u32 = 0;
  for (let i = 0; i < b.length; i++) if (i < 64 || i >= 68) sum += u8at(b, i);
  f.checksumOk = ~sum == u32be(b, 64);
  return f;
}

function typeName(t: u32): string {
  return t == TYPE_FIXED ? "fixed" : (t == TYPE_DYNAMIC ? "dynamic" : (t == TYPE_DIFFERENCING ? "differencing" : "type " + t.toString()));
}

class DynHeader {
  tableOffset: u64 = 0;
  maxEntries: u32 = 0;
  blockSize: u32 = 0;
  parentId: string = "";
  parentName: string = "";
  /** parent paths from the locators, relative first */
  parentPaths: string[] = [];
}

function utf16be(b: Uint8Array, off: i32, bytes: i32): string {
  const sw = new Uint8Array(bytes);
  for (let i = 0; i + 1 < bytes; i += 2) {
    sw[i] = <u8>u8at(b, off + i + 1);
    sw[i + 1] = <u8>u8at(b, off + i);
  }
  return utf16le(sw, 0, bytes >> 1);
}

/** Footer at the end (or the 511-byte one of old Virtual PC), else the copy at offset 0. */
function readFooter(file: Device, notes: string[]): VhdFooter | null {
  const n = file.name;
  if (file.size < <u64>FOOTER_SIZE) { corrupt("vhd.footer.short", n + ": a VHD needs at least its 512-byte footer"); return null; }
  const end = file.read(file.size - 512, 512);
  if (end === null) return null;
  if (isVhdFooter(end)) {
    const f = parseFooter(end);
    if (f.checksumOk || f.diskType == TYPE_FIXED) {
      if (!f.checksumOk) notes.push("the VHD footer's checksum does not match");
      return f;
    }
  }
  const e511 = file.read(file.size - 511, 511);
  if (e511 === null) return null;
  if (isVhdFooter(e511)) return parseFooter(e511);
  const head = file.read(0, 512);
  if (head === null) return null;
  if (isVhdFooter(head)) {
    const f = parseFooter(head);
    if (!f.checksumOk) { corrupt("vhd.footer.checksum", n + ": both VHD footers are damaged (checksums do not match)"); return null; }
    notes.push("the VHD footer at the end of the file is missing or damaged; its copy at offset 0 was used (the file may be truncated)");
    return f;
  }
  corrupt("vhd.footer.missing", n + ": no VHD footer (\"conectix\") at the end of the file");
  return null;
}

function readDynHeader(file: Device, f: VhdFooter): DynHeader | null {
  const n = file.name;
  if (f.dataOffset > file.size || file.size - f.dataOffset < <u64>DYN_HEADER_SIZE) {
    corrupt("vhd.dynamic-header.out-of-range", n + ": VHD dynamic header at " + hex64(f.dataOffset) + " is past the end of the file");
    return null;
  }
  const b = file.read(f.dataOffset, DYN_HEADER_SIZE);
  if (b === null) return null;
  if (!asciiAt(b, 0, "cxsparse")) {
    corrupt("vhd.dynamic-header.magic", n + ": no \"cxsparse\" dynamic header at " + hex64(f.dataOffset));
    return null;
  }
  const h = new DynHeader();
  h.tableOffset = u64be(b, 16);
  h.maxEntries = u32be(b, 28);
  h.blockSize = u32be(b, 32);
  h.parentId = hex(b, 40, 16);
  h.parentName = utf16be(b, 64, 512);
  // Parent locators: relative Windows path, absolute Windows path, Mac OS X file URL.
  const rel: string[] = [];
  const abs: string[] = [];
  for (let i = 0; i < 8; i++) {
    const e = 576 + i * 24;
    const code = utf8(b, e, 4);
    const len = u32be(b, e + 8);
    const off = u64be(b, e + 16);
    if (len == 0 || len > 4096 || off > file.size || file.size - off < <u64>len) continue;
    if (code != "W2ru" && code != "W2ku" && code != "MacX") continue;
    const d = file.read(off, <i32>len);
    if (d === null) return null;
    let p = code == "MacX" ? utf8(d, 0, d.length) : utf16le(d, 0, d.length >> 1);
    if (code == "W2ru") rel.push(p); else abs.push(p);
  }
  for (let i = 0; i < rel.length; i++) h.parentPaths.push(rel[i]);
  for (let i = 0; i < abs.length; i++) h.parentPaths.push(abs[i]);
  return h;
}

export function vhdReferences(file: Device): string[] {
  const out: string[] = [];
  const f = readFooter(file, []);
  if (f === null || f.diskType != TYPE_DIFFERENCING) return out;
  const h = readDynHeader(file, f);
  if (h === null) return out;
  if (h.parentName.length > 0) out.push(h.parentName);
  for (let i = 0; i < h.parentPaths.length; i++) out.push(h.parentPaths[i]);
  return out;
}

class VhdDevice extends MappedDevice {
  bat: TableCache = new TableCache(16);
  bitmaps: TableCache = new TableCache(64);
  bitmapBytes: u64;
  blockShift: u32;
  differencing: bool;

  constructor(public file: Device, public h: DynHeader, size: u64, differencing: bool) {
    super();
    this.name = file.name;
    this.virtualSize = size;
    this.blockShift = <u32>ctz(h.blockSize);
    this.differencing = differencing;
    // one bit per sector, padded to a whole sector
    this.bitmapBytes = ((<u64>(h.blockSize >> 12) + 511) & ~(<u64>511));
    if (this.bitmapBytes == 0) this.bitmapBytes = 512;
  }

  private batEntry(index: u64): i64 {
    const byteOff = index << 2;
    const t = this.bat.piece(this.file, this.h.tableOffset, <u64>this.h.maxEntries << 2, byteOff);
    if (t === null) return -1;
    return <i64>u32be(t, <i32>(byteOff & 4095));
  }

  map(vOff: u64): bool {
    const bs = <u64>this.h.blockSize;
    const block = vOff >> this.blockShift;
    const inBlock = vOff & (bs - 1);
    const e = this.batEntry(block);
    if (e < 0) return false;
    if (<u32>e == BAT_UNUSED) {
      this.runKind = this.differencing ? RunKind.Backing : RunKind.Zero;
      this.runLen = bs - inBlock;
      return true;
    }
    const bitmapOff = <u64>e << 9;
    const dataOff = bitmapOff + this.bitmapBytes;
    if (dataOff + inBlock >= this.file.size) {
      corrupt("vhd.bat.out-of-range", this.name + ": BAT entry " + block.toString() + " points to sector " + e.toString() + ", past the end of the file");
      return false;
    }
    this.runLen = bs - inBlock;
    // A dynamic disk's blocks are zero-filled when allocated, so its bitmap adds
    // nothing (qemu reads them the same way) and costs a read: only a
    // differencing disk consults it.
    if (this.differencing) {
      // In a differencing disk a clear bit means "the parent holds this sector".
      const bm = this.bitmaps.load(this.file, bitmapOff, <i32>this.bitmapBytes);
      if (bm === null) return false;
      const sector = <i32>(inBlock >> 9);
      const bit = (u8at(bm, sector >> 3) >> (7 - (sector & 7))) & 1;
      let k = sector + 1;
      const sectors = <i32>(bs >> 9);
      while (k < sectors && ((u8at(bm, k >> 3) >> (7 - (k & 7))) & 1) == bit) k++;
      this.runLen = (<u64>k << 9) - inBlock;
      if (bit == 0) { this.runKind = RunKind.Backing; return true; }
    }
    this.runKind = RunKind.Data;
    this.runFile = this.file;
    this.runHost = dataOff + inBlock;
    return true;
  }
}

export function openVhd(set: FileSet, index: i32): Container | null {
  const file = set.files[index];
  const n = file.name;
  const notes: string[] = [];
  const f = readFooter(file, notes);
  if (f === null) return null;
  const chs = <u64>f.cylinders * <u64>f.heads * <u64>f.spt * 512;
  if ((f.creator == "vpc " || f.creator == "qemu") && chs != f.currentSize && chs != 0 && !(f.cylinders == 65535 && f.heads == 16 && f.spt == 255)) {
    notes.push("the footer says " + f.currentSize.toString() + " bytes; Virtual PC and qemu use the CHS geometry's " + chs.toString());
  }
  if (f.diskType == TYPE_FIXED) {
    const dataLen = file.size - 512;
    if (f.currentSize != dataLen) notes.push("VHD footer says " + f.currentSize.toString() + " bytes, the file holds " + dataLen.toString() + "; the file's size is used");
    if ((dataLen & 0xfffff) != 0) notes.push("virtual size is not a whole number of MiB (Azure requires that)");
    const c = new Container("vhd", new SliceDevice(file, 0, dataLen, n), notes);
    c.subformat = "fixed";
    c.allocatedSize = <i64>dataLen;
    return c;
  }
  if (f.diskType != TYPE_DYNAMIC && f.diskType != TYPE_DIFFERENCING) {
    unsupported("vhd.type", n + ": VHD disk type " + f.diskType.toString() + " (fixed 2, dynamic 3 and differencing 4 are read)");
    return null;
  }
  const h = readDynHeader(file, f);
  if (h === null) return null;
  if (h.blockSize < 512 || h.blockSize > MAX_BLOCK_SIZE || popcnt(h.blockSize) != 1) {
    corrupt("vhd.block-size", n + ": VHD block size " + h.blockSize.toString() + " is not a power of two between 512 bytes and 256 MiB");
    return null;
  }
  if (h.maxEntries > MAX_TABLE_ENTRIES) {
    limit("vhd.bat.entries", n + ": Max Table Entries too large (" + h.maxEntries.toString() + ")");
    return null;
  }
  const needed = (f.currentSize + <u64>h.blockSize - 1) / <u64>h.blockSize;
  if (<u64>h.maxEntries < needed) {
    corrupt("vhd.bat.entries", n + ": the BAT has " + h.maxEntries.toString() + " entries, the disk's " + f.currentSize.toString() + " bytes need " + needed.toString());
    return null;
  }
  if (h.tableOffset > file.size || file.size - h.tableOffset < (<u64>h.maxEntries << 2)) {
    corrupt("vhd.bat.out-of-range", n + ": the BAT at " + hex64(h.tableOffset) + " (" + h.maxEntries.toString() + " entries) runs past the end of the file");
    return null;
  }
  const diff = f.diskType == TYPE_DIFFERENCING;
  const dev = new VhdDevice(file, h, f.currentSize, diff);
  const c = new Container("vhd", dev, notes);
  c.subformat = typeName(f.diskType);
  c.clusterSize = h.blockSize;
  // The BAT is small (4 bytes a block): count the allocated blocks when that
  // costs at most 1 MiB of reading (a 512 GiB disk of 2 MiB blocks).
  if (needed <= (1 << 18)) {
    const bat = file.read(h.tableOffset, <i32>(needed << 2));
    if (bat === null) return null;
    let count: i64 = 0;
    for (let i = 0; i < <i32>needed; i++) if (u32be(bat, i << 2) != BAT_UNUSED) count++;
    c.allocatedSize = count * <i64>h.blockSize;
  }
  if (diff) {
    const cands: string[] = [];
    if (h.parentName.length > 0) cands.push(h.parentName);
    for (let i = 0; i < h.parentPaths.length; i++) cands.push(h.parentPaths[i]);
    if (cands.length == 0) { corrupt("vhd.parent.name", n + ": differencing VHD names no parent"); return null; }
    let pick = cands[0];
    for (let i = 0; i < cands.length; i++) if (set.find(cands[i]) >= 0) { pick = cands[i]; break; }
    const p = openReferenced(set, pick, n, "vhd.parent.missing", "parent disk");
    if (p === null) return null;
    dev.backing = p.disk;
    chainFacts(c, p);
    notes.push("a differencing disk must be merged with its parent before import: qemu-img convert -O vpc -o subformat=fixed " + n + " merged.vhd");
  }
  return c;
}
