// SPDX-License-Identifier: Apache-2.0
// VMDK (VMware Virtual Disk Format 1.1): hosted sparse extents ("KDMV" header,
// grain directory → grain tables → grains; streamOptimized with zlib grains,
// markers and the header repeated as a footer), and the text descriptor that
// joins extents (FLAT, SPARSE, ZERO, VMFS) into one disk.

import { Device, SliceDevice } from "../io/device";
import { corrupt, limit, unsupported } from "../util/error";
import { asciiAt, hex64, u16le, u32le, u64le, utf8 } from "../util/bytes";
import { Container } from "./container";
import { FileSet } from "./files";
import { MappedDevice, RunKind, TableCache } from "./mapped";
import { Codec, decodeInto } from "./decompress";
import { openReferenced, chainFacts } from "./detect";
import { MAX_DESCRIPTOR_BYTES, VmdkDescriptor, parseDescriptor } from "./vmdk-descriptor";
import { lastAtOrBefore } from "../util/search";

const SECTOR: u64 = 512;
const GD_AT_END: u64 = 0xffffffffffffffff;
const FLAG_ZEROED_GRAIN_GTE: u32 = 1 << 2;
const FLAG_COMPRESSED: u32 = 1 << 16;
const FLAG_MARKERS: u32 = 1 << 17;
const COMPRESSION_DEFLATE: u32 = 1;
/** VMDK disks stop at 62 TiB; 2^37 sectors is 64 TiB */
const MAX_CAPACITY_SECTORS: u64 = <u64>1 << 37;
/** qemu's bound on grain directory entries */
const MAX_GD_ENTRIES: u64 = 512 * 1024 * 1024;
const MAX_GTES: u32 = 4096;
const MAX_GRAIN_SECTORS: u64 = 1 << 17;

export function isVmdkSparse(head: Uint8Array): bool {
  return asciiAt(head, 0, "KDMV");
}

function contains(b: Uint8Array, len: i32, s: string): bool {
  const end = min(b.length, len) - s.length;
  for (let i = 0; i <= end; i++) if (asciiAt(b, i, s)) return true;
  return false;
}

export function isVmdkDescriptor(head: Uint8Array, fileSize: u64): bool {
  if (fileSize > <u64>MAX_DESCRIPTOR_BYTES) return false;
  if (asciiAt(head, 0, "# Disk DescriptorFile")) return true;
  // Descriptors written by hand or by older tools may lack the comment line.
  return contains(head, 2048, "createType=") && contains(head, 2048, "version=");
}

class SparseHeader {
  flags: u32 = 0;
  capacity: u64 = 0;
  grainSectors: u64 = 0;
  descriptorOffset: u64 = 0;
  descriptorSize: u64 = 0;
  gtes: u32 = 0;
  gdOffset: u64 = 0;
  compressAlgorithm: u32 = 0;
}

function parseSparseHeader(b: Uint8Array): SparseHeader {
  const h = new SparseHeader();
  h.flags = u32le(b, 8);
  h.capacity = u64le(b, 12);
  h.grainSectors = u64le(b, 20);
  h.descriptorOffset = u64le(b, 28);
  h.descriptorSize = u64le(b, 36);
  h.gtes = u32le(b, 44);
  h.gdOffset = u64le(b, 56);
  h.compressAlgorithm = u16le(b, 77);
  return h;
}

/** The header, with the footer's grain directory offset for streamOptimized files. */
function readSparseHeader(file: Device): SparseHeader | null {
  const n = file.name;
  if (file.size < SECTOR) { corrupt("vmdk.header.short", n + ": VMDK sparse file is shorter than its header"); return null; }
  const b = file.read(0, 512);
  if (b === null) return null;
  const version = u32le(b, 4);
  if (version < 1 || version > 3) { unsupported("vmdk.version", n + ": VMDK sparse version " + version.toString() + " (1 to 3 are read)"); return null; }
  const h = parseSparseHeader(b);
  if (h.gdOffset == GD_AT_END) {
    // streamOptimized: footer marker, the header copy, then end-of-stream marker.
    if (file.size < 3 * SECTOR) { corrupt("vmdk.footer.missing", n + ": streamOptimized VMDK is too short to hold its footer"); return null; }
    const f = file.read(file.size - 1024, 512);
    if (f === null) return null;
    if (!asciiAt(f, 0, "KDMV")) {
      corrupt("vmdk.footer.missing", n + ": streamOptimized VMDK has no footer at " + hex64(file.size - 1024) + " (the file may be cut short)");
      return null;
    }
    const fh = parseSparseHeader(f);
    h.gdOffset = fh.gdOffset;
    if (h.gdOffset == GD_AT_END) { corrupt("vmdk.footer.gd", n + ": the VMDK footer does not say where the grain directory is"); return null; }
  }
  return h;
}

function embeddedDescriptor(file: Device, h: SparseHeader): VmdkDescriptor | null {
  if (h.descriptorOffset == 0 || h.descriptorSize == 0) return new VmdkDescriptor();
  const off = h.descriptorOffset * SECTOR;
  const len = min(h.descriptorSize * SECTOR, <u64>MAX_DESCRIPTOR_BYTES);
  if (off > file.size || file.size - off < len) {
    corrupt("vmdk.descriptor.out-of-range", file.name + ": the embedded VMDK descriptor at " + hex64(off) + " is past the end of the file");
    return null;
  }
  const b = file.read(off, <i32>len);
  if (b === null) return null;
  let end = 0;
  while (end < b.length && b[end] != 0) end++;
  return parseDescriptor(utf8(b, 0, end), file.name);
}

function readDescriptorFile(file: Device): VmdkDescriptor | null {
  if (file.size > <u64>MAX_DESCRIPTOR_BYTES) {
    limit("vmdk.descriptor.size", file.name + ": a VMDK descriptor of " + file.size.toString() + " bytes is larger than any real one");
    return null;
  }
  const b = file.read(0, <i32>file.size);
  if (b === null) return null;
  return parseDescriptor(utf8(b, 0, b.length), file.name);
}

export function vmdkReferences(file: Device): string[] {
  const out: string[] = [];
  const head = file.read(0, <i32>min(file.size, <u64>512));
  if (head === null) return out;
  let d: VmdkDescriptor | null = null;
  if (isVmdkSparse(head)) {
    const h = readSparseHeader(file);
    if (h !== null) d = embeddedDescriptor(file, h);
  } else {
    d = readDescriptorFile(file);
    if (d !== null) for (let i = 0; i < d.extents.length; i++) if (d.extents[i].fileName.length > 0) out.push(d.extents[i].fileName);
  }
  if (d !== null && d.parentHint.length > 0) out.push(d.parentHint);
  return out;
}

/** One hosted sparse extent (monolithicSparse, streamOptimized, or a -s001 piece). */
class SparseExtent extends MappedDevice {
  gd: TableCache = new TableCache(8);
  gt: TableCache = new TableCache(64);
  grainBytes: u64;
  gtBytes: i32;
  gdEntries: u64;
  compressed: bool;
  zeroedGte: bool;
  decodedAt: u64 = <u64>-1;
  decoded: Uint8Array = new Uint8Array(0);
  specialHost: u64 = 0;

  constructor(public file: Device, public h: SparseHeader) {
    super();
    this.name = file.name;
    this.virtualSize = h.capacity * SECTOR;
    this.grainBytes = h.grainSectors * SECTOR;
    this.gtBytes = <i32>h.gtes << 2;
    const span = <u64>h.gtes * h.grainSectors;
    this.gdEntries = (h.capacity + span - 1) / span;
    this.compressed = (h.flags & FLAG_COMPRESSED) != 0;
    this.zeroedGte = (h.flags & FLAG_ZEROED_GRAIN_GTE) != 0;
    this.decoded = new Uint8Array(this.compressed ? <i32>this.grainBytes : 0);
  }

  map(vOff: u64): bool {
    const grain = vOff / this.grainBytes;
    const inGrain = vOff - grain * this.grainBytes;
    const gdIndex = grain / <u64>this.h.gtes;
    const gtIndex = <i32>(grain - gdIndex * <u64>this.h.gtes);
    const byteOff = gdIndex << 2;
    const gd = this.gd.piece(this.file, this.h.gdOffset * SECTOR, this.gdEntries << 2, byteOff);
    if (gd === null) return false;
    const gtSector = <u64>u32le(gd, <i32>(byteOff & 4095));
    this.runLen = this.grainBytes - inGrain;
    if (gtSector == 0) {
      // a whole grain table never written
      this.runKind = RunKind.Backing;
      this.runLen = (<u64>(this.h.gtes - <u32>gtIndex)) * this.grainBytes - inGrain;
      return true;
    }
    const gtOff = gtSector * SECTOR;
    if (gtOff > this.file.size || this.file.size - gtOff < <u64>this.gtBytes) {
      corrupt("vmdk.gt.out-of-range", this.name + ": grain table " + gdIndex.toString() + " at " + hex64(gtOff) + " is past the end of the file");
      return false;
    }
    const gt = this.gt.load(this.file, gtOff, this.gtBytes);
    if (gt === null) return false;
    const g = <u64>u32le(gt, gtIndex << 2);
    if (g == 0) { this.runKind = RunKind.Backing; return true; }
    if (g == 1 && this.zeroedGte) { this.runKind = RunKind.Zero; return true; }
    const host = g * SECTOR;
    if (host >= this.file.size) {
      corrupt("vmdk.grain.out-of-range", this.name + ": grain " + grain.toString() + " points to sector " + g.toString() + ", past the end of the file");
      return false;
    }
    if (this.compressed) {
      this.runKind = RunKind.Special;
      this.specialHost = host;
      return true;
    }
    this.runKind = RunKind.Data;
    this.runFile = this.file;
    this.runHost = host + inGrain;
    return true;
  }

  readSpecial(vOff: u64, len: i32, dst: usize): bool {
    const host = this.specialHost;
    if (host != this.decodedAt) {
      // A compressed grain: u64 LBA, u32 size of the zlib data, then the data.
      const hdr = this.file.read(host, 12);
      if (hdr === null) return false;
      const size = <u64>u32le(hdr, 8);
      if (size == 0 || size > this.file.size - host - 12 || size > this.grainBytes * 2 + 4096) {
        corrupt("vmdk.grain.size", this.name + ": compressed grain at " + hex64(host) + " claims " + size.toString() + " bytes");
        return false;
      }
      const src = this.file.read(host + 12, <i32>size);
      if (src === null) return false;
      this.decodedAt = <u64>-1;
      if (!decodeInto(Codec.Zlib, src, this.decoded, this.name + ": grain at " + hex64(host))) return false;
      this.decodedAt = host;
    }
    const grain = vOff / this.grainBytes;
    memory.copy(dst, this.decoded.dataStart + <usize>(vOff - grain * this.grainBytes), <usize>len);
    return true;
  }
}

/** Checks a sparse header's fields against the format's limits; null with the error set. */
function openSparseExtent(file: Device): SparseExtent | null {
  const n = file.name;
  const h = readSparseHeader(file);
  if (h === null) return null;
  if (h.capacity > MAX_CAPACITY_SECTORS) {
    limit("vmdk.capacity", n + ": VMDK capacity " + h.capacity.toString() + " sectors is beyond the format's 62 TiB");
    return null;
  }
  if (h.grainSectors == 0 || h.grainSectors > MAX_GRAIN_SECTORS || popcnt(h.grainSectors) != 1) {
    corrupt("vmdk.grain-size", n + ": VMDK grain size " + h.grainSectors.toString() + " sectors is not a power of two up to 64 MiB");
    return null;
  }
  if (h.gtes == 0 || h.gtes > MAX_GTES) {
    corrupt("vmdk.gtes", n + ": VMDK grain tables of " + h.gtes.toString() + " entries (512 is the norm)");
    return null;
  }
  if ((h.flags & FLAG_COMPRESSED) != 0 && h.compressAlgorithm != COMPRESSION_DEFLATE) {
    unsupported("vmdk.compression", n + ": VMDK compression algorithm " + h.compressAlgorithm.toString() + " (1 = deflate is read)");
    return null;
  }
  const dev = new SparseExtent(file, h);
  if (dev.gdEntries > MAX_GD_ENTRIES) {
    limit("vmdk.gd.size", n + ": L1 size too big: the grain directory would hold " + dev.gdEntries.toString() + " entries");
    return null;
  }
  const gdOff = h.gdOffset * SECTOR;
  if (h.capacity > 0 && (h.gdOffset > (file.size >> 9) || file.size - gdOff < (dev.gdEntries << 2))) {
    corrupt("vmdk.gd.out-of-range", n + ": the grain directory at " + hex64(gdOff) + " (" + dev.gdEntries.toString() + " entries) runs past the end of the file");
    return null;
  }
  return dev;
}

function setBacking(ext: MappedDevice, parent: Device | null, start: u64): void {
  if (parent === null || start >= parent.size) { ext.backing = null; return; }
  ext.backing = new SliceDevice(parent, start, min(ext.size, parent.size - start), parent.name);
}

/** Extents laid end to end, each read through its own device. */
class ExtentChain extends Device {
  starts: u64[] = [];
  total: u64 = 0;
  constructor(public extents: Device[], name: string) {
    super();
    this.name = name;
    for (let i = 0; i < extents.length; i++) {
      this.starts.push(this.total);
      this.total += extents[i].size;
    }
  }
  get size(): u64 { return this.total; }
  readInto(offset: u64, len: i32, dst: usize): bool {
    if (len < 0 || offset > this.total || <u64>len > this.total - offset) {
      corrupt("io.past-end", this.name + ": read at " + hex64(offset) + " goes past the end of the disk");
      return false;
    }
    let pos = offset, out = dst, rem = <u64>len, i = lastAtOrBefore<u64>(this.starts, offset, (s: u64): u64 => s);
    while (rem > 0 && i < this.extents.length) {
      const e = this.extents[i];
      const within = pos - this.starts[i];
      const n = min(rem, e.size - within);
      if (n > 0 && !e.readInto(within, <i32>n, out)) return false;
      pos += n; out += <usize>n; rem -= n; i++;
    }
    return rem == 0;
  }
}

class ZeroDevice extends Device {
  constructor(public length: u64, name: string) { super(); this.name = name; }
  get size(): u64 { return this.length; }
  readInto(offset: u64, len: i32, dst: usize): bool { memory.fill(dst, 0, <usize>len); return true; }
}

/** Opens the descriptor's parent (a snapshot's base disk) when it names one. */
function openParent(set: FileSet, c: Container, d: VmdkDescriptor, owner: string): Device | null {
  if (d.parentHint.length == 0 || d.parentCid == "ffffffff") return null;
  const p = openReferenced(set, d.parentHint, owner, "vmdk.parent.missing", "parent disk");
  if (p === null) return null;
  chainFacts(c, p);
  c.notes.push("a VMDK snapshot must be consolidated with its parent before import: qemu-img convert -O vmdk -o subformat=streamOptimized " + owner + " merged.vmdk");
  return p.disk;
}

/** A sparse file opened directly: monolithicSparse, streamOptimized, or an extent given alone. */
export function openVmdkSparse(set: FileSet, index: i32): Container | null {
  const file = set.files[index];
  const n = file.name;
  const ext = openSparseExtent(file);
  if (ext === null) return null;
  const d = embeddedDescriptor(file, ext.h);
  if (d === null) return null;
  const c = new Container("vmdk", ext, []);
  c.subformat = d.createType.length > 0 ? d.createType : ((ext.h.flags & FLAG_MARKERS) != 0 ? "streamOptimized" : "monolithicSparse");
  c.clusterSize = <u32>ext.grainBytes;
  if (ext.compressed) c.compression = "deflate";
  c.fileSize = file.size;
  c.fileNames.push(n);
  if (d.extents.length == 0) {
    c.notes.push(n + " is a sparse extent without a descriptor of its own: if it is one piece of a split disk (name-s001.vmdk, ...), drop the descriptor .vmdk and every piece together");
  }
  if (d.extents.length > 1) {
    unsupported("vmdk.extents", n + ": the descriptor inside this sparse VMDK lists " + d.extents.length.toString() + " extents; a sparse file with an embedded descriptor holds one");
    return null;
  }
  if (d.parentHint.length > 0 && d.parentCid != "ffffffff") {
    const p = openParent(set, c, d, n);
    if (p === null) return null;
    setBacking(ext, p, 0);
  }
  return c;
}

export function openVmdkDescriptor(set: FileSet, index: i32): Container | null {
  const file = set.files[index];
  const n = file.name;
  const d = readDescriptorFile(file);
  if (d === null) return null;
  if (d.extents.length == 0) { corrupt("vmdk.descriptor.extents", n + ": the VMDK descriptor lists no extents"); return null; }
  const devs: Device[] = [];
  const sparse: MappedDevice[] = [];
  const sparseStart: u64[] = [];
  const c = new Container("vmdk", file, []);
  c.subformat = d.createType;
  c.fileSize = file.size;
  c.fileNames.push(n);
  let start: u64 = 0;
  for (let i = 0; i < d.extents.length; i++) {
    const e = d.extents[i];
    const bytes = e.sectors * SECTOR;
    if (e.sectors > MAX_CAPACITY_SECTORS || start + bytes > MAX_CAPACITY_SECTORS * SECTOR) {
      limit("vmdk.capacity", n + ": the VMDK extents add up to more than 64 TiB");
      return null;
    }
    if (e.type == "ZERO") {
      devs.push(new ZeroDevice(bytes, n + " zero extent"));
      start += bytes;
      continue;
    }
    const fi = set.find(e.fileName);
    if (fi < 0) {
      set.missing("vmdk.extent.missing", n, "extent", e.fileName);
      return null;
    }
    if (!set.enter(fi, n)) return null;
    set.leave();
    const ef = set.files[fi];
    if (!c.fileNames.includes(ef.name)) { c.fileNames.push(ef.name); c.fileSize += ef.size; }
    if (e.type == "FLAT" || e.type == "VMFS" || e.type == "VMFSRAW" || e.type == "VMFSRDM") {
      const off = e.offset * SECTOR;
      if (off > ef.size || ef.size - off < bytes) {
        corrupt("vmdk.extent.short", n + ": extent " + ef.name + " should hold " + bytes.toString() + " bytes from " + hex64(off) + " but the file has " + ef.size.toString());
        return null;
      }
      devs.push(new SliceDevice(ef, off, bytes, ef.name));
    } else if (e.type == "SPARSE" || e.type == "VMFSSPARSE") {
      const head = ef.read(0, <i32>min(ef.size, <u64>512));
      if (head === null) return null;
      if (!isVmdkSparse(head)) {
        unsupported("vmdk.extent.type", n + ": extent " + ef.name + " is not a hosted sparse extent (\"KDMV\"); ESX COWD/SESparse extents are not read");
        return null;
      }
      const se = openSparseExtent(ef);
      if (se === null) return null;
      if (se.size < bytes) {
        corrupt("vmdk.extent.short", n + ": sparse extent " + ef.name + " holds " + se.size.toString() + " bytes, the descriptor says " + bytes.toString());
        return null;
      }
      if (c.clusterSize == 0) c.clusterSize = <u32>se.grainBytes;
      if (se.compressed) c.compression = "deflate";
      sparse.push(se);
      sparseStart.push(start);
      devs.push(se.size == bytes ? <Device>se : new SliceDevice(se, 0, bytes, ef.name));
    } else {
      unsupported("vmdk.extent.type", n + ": VMDK extent type " + e.type + " (" + e.fileName + ") is not read");
      return null;
    }
    start += bytes;
  }
  c.disk = devs.length == 1 ? devs[0] : new ExtentChain(devs, n);
  if (d.parentHint.length > 0 && d.parentCid != "ffffffff") {
    const p = openParent(set, c, d, n);
    if (p === null) return null;
    for (let i = 0; i < sparse.length; i++) setBacking(sparse[i], p, sparseStart[i]);
  }
  return c;
}
