// SPDX-License-Identifier: Apache-2.0
// VHDX ([MS-VHDX] v20160714): file identifier, two headers (CRC-32C, the higher
// sequence number is current), two region tables, the BAT (payload entries
// with a sector-bitmap entry after every chunk-ratio of them), the metadata
// region (file parameters, sizes, parent locator); a log left by an unclean
// close is replayed in memory (vhdx-log.ts).

import { Device } from "../io/device";
import { addContext, corrupt, limit, unsupported } from "../util/error";
import { asciiAt, guidLE, hex64, u16le, u32le, u64le, u8at, utf16le, allZero } from "../util/bytes";
import { crc32cUpdate } from "../codec/crc32c";
import { Container } from "./container";
import { FileSet } from "./files";
import { MappedDevice, RunKind, TableCache } from "./mapped";
import { openReferenced, chainFacts } from "./detect";
import { replayLog } from "./vhdx-log";

const KiB: u64 = 1024;
const MiB: u64 = 1024 * 1024;
const HEADER1: u64 = 64 * KiB;
const HEADER2: u64 = 128 * KiB;
const REGION1: u64 = 192 * KiB;
const REGION2: u64 = 256 * KiB;
const REGION_SIZE: i32 = 64 * 1024;
const MAX_REGION_ENTRIES: u32 = 2047;
const MAX_METADATA_ENTRIES: u32 = 2047;
/** The spec caps a VHDX at 64 TiB. */
const MAX_VIRTUAL_SIZE: u64 = <u64>64 << 40;

const BAT_GUID = "2dc27766-f623-4200-9d64-115e9bfd4a08";
const METADATA_GUID = "8b7ca206-4790-4b9a-b8fe-575f050f886e";
const FILE_PARAMETERS = "caa16737-fa36-4d43-b3b6-33f0aa44e76b";
const VIRTUAL_DISK_SIZE = "2fa54224-cd1b-4876-b211-5dbed83bf4b8";
const VIRTUAL_DISK_ID = "beca12ab-b2e6-4523-93ef-c309e000c746";
const LOGICAL_SECTOR_SIZE = "8141bf1d-a96f-4709-ba47-f233a8faab5f";
const PHYSICAL_SECTOR_SIZE = "cda348c7-445d-4471-9cc9-e9885251c556";
const PARENT_LOCATOR = "a8d35f2d-b30b-454d-abf7-d3d84834ab0c";
const VHDX_PARENT_LOCATOR_TYPE = "b04aefb7-d19e-4a81-b789-25b8e9445913";

const PAYLOAD_NOT_PRESENT: u32 = 0;
const PAYLOAD_UNDEFINED: u32 = 1;
const PAYLOAD_ZERO: u32 = 2;
const PAYLOAD_UNMAPPED: u32 = 3;
const PAYLOAD_FULLY_PRESENT: u32 = 6;
const PAYLOAD_PARTIALLY_PRESENT: u32 = 7;
const SB_PRESENT: u32 = 6;

export function isVhdx(head: Uint8Array): bool {
  return asciiAt(head, 0, "vhdxfile");
}

/** CRC-32C of b with its 4-byte checksum field at `at` taken as zero. */
function checksumOk(b: Uint8Array, at: i32): bool {
  const want = u32le(b, at);
  let crc = crc32cUpdate(0xffffffff, b, 0, at);
  const zero = new Uint8Array(4);
  crc = crc32cUpdate(crc, zero, 0, 4);
  crc = crc32cUpdate(crc, b, at + 4, b.length - at - 4);
  return ~crc == want;
}

class VhdxHeader {
  seq: u64 = 0;
  logGuid: string = "";
  logZero: bool = true;
  logLength: u32 = 0;
  logOffset: u64 = 0;
  version: u32 = 0;
}

class Region {
  constructor(public offset: u64, public length: u32) {}
}

class Meta {
  blockSize: u32 = 0;
  hasParent: bool = false;
  leaveAllocated: bool = false;
  virtualSize: u64 = 0;
  logicalSector: u32 = 0;
  physicalSector: u32 = 0;
  diskId: string = "";
  parentPaths: string[] = [];
  parentLinkage: string = "";
}

class Layout {
  header: VhdxHeader = new VhdxHeader();
  bat: Region = new Region(0, 0);
  metadata: Region = new Region(0, 0);
  meta: Meta = new Meta();
  notes: string[] = [];
}

function readHeader(file: Device, at: u64): VhdxHeader | null {
  const b = file.read(at, 4096);
  if (b === null) return null;
  if (!asciiAt(b, 0, "head") || !checksumOk(b, 4)) return null;
  const h = new VhdxHeader();
  h.seq = u64le(b, 8);
  h.logGuid = guidLE(b, 48);
  h.logZero = allZero(b, 48, 16);
  h.version = u16le(b, 66);
  h.logLength = u32le(b, 68);
  h.logOffset = u64le(b, 72);
  return h;
}

function readRegions(file: Device, at: u64, l: Layout): bool {
  const n = file.name;
  const b = file.read(at, REGION_SIZE);
  if (b === null) return false;
  if (!asciiAt(b, 0, "regi") || !checksumOk(b, 4)) return false;
  const count = u32le(b, 8);
  if (count > MAX_REGION_ENTRIES) return false;
  for (let i: u32 = 0; i < count; i++) {
    const e = 16 + <i32>i * 32;
    const id = guidLE(b, e);
    const off = u64le(b, e + 16);
    const len = u32le(b, e + 24);
    const required = (u32le(b, e + 28) & 1) != 0;
    if (id == BAT_GUID) l.bat = new Region(off, len);
    else if (id == METADATA_GUID) l.metadata = new Region(off, len);
    else if (required) {
      unsupported("vhdx.region.unknown", n + ": VHDX region " + id + " is marked required but is not known to this reader");
      return false;
    }
  }
  return true;
}

function readMetadata(file: Device, l: Layout): bool {
  const n = file.name;
  const r = l.metadata;
  if (r.length < <u32>REGION_SIZE || r.offset > file.size || file.size - r.offset < <u64>r.length) {
    corrupt("vhdx.metadata.out-of-range", n + ": the VHDX metadata region at " + hex64(r.offset) + " is missing or past the end of the file");
    return false;
  }
  const t = file.read(r.offset, REGION_SIZE);
  if (t === null) return false;
  if (!asciiAt(t, 0, "metadata")) { corrupt("vhdx.metadata.magic", n + ": no VHDX metadata table at " + hex64(r.offset)); return false; }
  const count = u16le(t, 10);
  if (count > MAX_METADATA_ENTRIES) { corrupt("vhdx.metadata.entries", n + ": the VHDX metadata table claims " + count.toString() + " entries"); return false; }
  const m = l.meta;
  let seen = 0;
  for (let i: u32 = 0; i < count; i++) {
    const e = 32 + <i32>i * 32;
    const id = guidLE(t, e);
    const off = u32le(t, e + 16);
    const len = u32le(t, e + 20);
    const required = (u32le(t, e + 24) & 4) != 0;
    if (<u64>off + <u64>len > <u64>r.length) {
      corrupt("vhdx.metadata.item", n + ": VHDX metadata item " + id + " lies outside its region");
      return false;
    }
    const known = id == FILE_PARAMETERS || id == VIRTUAL_DISK_SIZE || id == VIRTUAL_DISK_ID || id == LOGICAL_SECTOR_SIZE || id == PHYSICAL_SECTOR_SIZE || id == PARENT_LOCATOR;
    if (!known) {
      if (required) { unsupported("vhdx.metadata.unknown", n + ": VHDX metadata item " + id + " is required but not known to this reader"); return false; }
      continue;
    }
    if (len == 0 || len > (1 << 20)) continue;
    const v = file.read(r.offset + <u64>off, <i32>len);
    if (v === null) return false;
    if (id == FILE_PARAMETERS) {
      m.blockSize = u32le(v, 0);
      const flags = u32le(v, 4);
      m.leaveAllocated = (flags & 1) != 0;
      m.hasParent = (flags & 2) != 0;
      seen |= 1;
    } else if (id == VIRTUAL_DISK_SIZE) { m.virtualSize = u64le(v, 0); seen |= 2; }
    else if (id == LOGICAL_SECTOR_SIZE) { m.logicalSector = u32le(v, 0); seen |= 4; }
    else if (id == PHYSICAL_SECTOR_SIZE) m.physicalSector = u32le(v, 0);
    else if (id == VIRTUAL_DISK_ID) m.diskId = guidLE(v, 0);
    else if (id == PARENT_LOCATOR) {
      if (guidLE(v, 0) != VHDX_PARENT_LOCATOR_TYPE) continue;
      const pairs = <i32>u16le(v, 18);
      let rel = "", vol = "", abs = "";
      for (let k = 0; k < pairs && 20 + k * 12 + 12 <= v.length; k++) {
        const p = 20 + k * 12;
        const ko = <i32>u32le(v, p), vo = <i32>u32le(v, p + 4);
        const kl = <i32>u16le(v, p + 8), vl = <i32>u16le(v, p + 10);
        if (ko + kl > v.length || vo + vl > v.length) continue;
        const key = utf16le(v, ko, kl >> 1);
        const val = utf16le(v, vo, vl >> 1);
        if (key == "relative_path") rel = val;
        else if (key == "volume_path") vol = val;
        else if (key == "absolute_win32_path") abs = val;
        else if (key == "parent_linkage") m.parentLinkage = val;
      }
      if (rel.length > 0) m.parentPaths.push(rel);
      if (abs.length > 0) m.parentPaths.push(abs);
      if (vol.length > 0) m.parentPaths.push(vol);
    }
  }
  if (seen != 7) {
    corrupt("vhdx.metadata.missing", n + ": the VHDX metadata lacks " + ((seen & 1) == 0 ? "file parameters" : ((seen & 2) == 0 ? "the virtual disk size" : "the logical sector size")));
    return false;
  }
  return true;
}

function readLayout(file: Device): Layout | null {
  const n = file.name;
  if (file.size < 1 * MiB) { corrupt("vhdx.header.short", n + ": a VHDX file is at least 1 MiB (headers and region tables); this one has " + file.size.toString() + " bytes"); return null; }
  const l = new Layout();
  const h1 = readHeader(file, HEADER1);
  const h2 = readHeader(file, HEADER2);
  if (h1 === null && h2 === null) {
    corrupt("vhdx.header.checksum", n + ": neither VHDX header (at 64 KiB and 128 KiB) has a valid signature and CRC-32C");
    return null;
  }
  if (h1 !== null && h2 !== null) l.header = h1.seq >= h2.seq ? h1 : h2;
  else {
    l.header = h1 !== null ? h1 : h2!;
    l.notes.push("one VHDX header is damaged; the other was used");
  }
  if (l.header.version != 1) { unsupported("vhdx.version", n + ": VHDX version " + l.header.version.toString() + " (1 is read)"); return null; }
  if (!readRegions(file, REGION1, l)) {
    if (!readRegions(file, REGION2, l)) {
      corrupt("vhdx.region.checksum", n + ": neither VHDX region table (at 192 KiB and 256 KiB) is valid");
      return null;
    }
    l.notes.push("the first VHDX region table is damaged; the second was used");
  }
  if (!readMetadata(file, l)) return null;
  return l;
}

export function vhdxReferences(file: Device): string[] {
  const l = readLayout(file);
  if (l === null || !l.meta.hasParent) return [];
  return l.meta.parentPaths;
}

class VhdxDevice extends MappedDevice {
  batCache: TableCache = new TableCache(16);
  sbCache: TableCache = new TableCache(16);
  blockShift: u32;
  chunkRatio: u64;
  sectorsPerBlock: u64;
  batEntries: u64;

  constructor(public file: Device, public l: Layout) {
    super();
    const m = l.meta;
    this.name = file.name;
    this.virtualSize = m.virtualSize;
    this.blockShift = <u32>ctz(m.blockSize);
    this.chunkRatio = ((<u64>1 << 23) * <u64>m.logicalSector) / <u64>m.blockSize;
    this.sectorsPerBlock = <u64>m.blockSize / <u64>m.logicalSector;
    const blocks = (m.virtualSize + <u64>m.blockSize - 1) >> this.blockShift;
    if (m.hasParent) {
      const chunks = (blocks + this.chunkRatio - 1) / this.chunkRatio;
      this.batEntries = chunks * (this.chunkRatio + 1);
    } else {
      this.batEntries = blocks + (blocks > 0 ? (blocks - 1) / this.chunkRatio : 0);
    }
  }

  private batEntry(index: u64): u64 {
    const byteOff = index << 3;
    const t = this.batCache.piece(this.file, this.l.bat.offset, this.batEntries << 3, byteOff);
    if (t === null) return <u64>-1;
    return u64le(t, <i32>(byteOff & 4095));
  }

  private blockOffset(e: u64, what: string): i64 {
    const off = e & ~(MiB - 1);
    if (off == 0 || off >= this.file.size) {
      corrupt("vhdx.bat.out-of-range", this.name + ": " + what + " points to " + hex64(off) + ", past the end of the file (" + this.file.size.toString() + " bytes)");
      return -1;
    }
    return <i64>off;
  }

  map(vOff: u64): bool {
    const bs = <u64>this.l.meta.blockSize;
    const block = vOff >> this.blockShift;
    const inBlock = vOff & (bs - 1);
    const e = this.batEntry(block + block / this.chunkRatio);
    if (e == <u64>-1) return false;
    const state = <u32>(e & 7);
    this.runLen = bs - inBlock;
    switch (state) {
      case PAYLOAD_NOT_PRESENT:
        this.runKind = RunKind.Backing;
        return true;
      case PAYLOAD_UNDEFINED:
      case PAYLOAD_ZERO:
      case PAYLOAD_UNMAPPED:
        this.runKind = RunKind.Zero;
        return true;
      case PAYLOAD_FULLY_PRESENT: {
        const off = this.blockOffset(e, "BAT entry of block " + block.toString());
        if (off < 0) return false;
        this.runKind = RunKind.Data;
        this.runFile = this.file;
        this.runHost = <u64>off + inBlock;
        return true;
      }
      case PAYLOAD_PARTIALLY_PRESENT: {
        if (!this.l.meta.hasParent) {
          corrupt("vhdx.bat.state", this.name + ": block " + block.toString() + " is partially present in a VHDX without a parent");
          return false;
        }
        const data = this.blockOffset(e, "BAT entry of block " + block.toString());
        if (data < 0) return false;
        const chunk = block / this.chunkRatio;
        const se = this.batEntry(chunk * (this.chunkRatio + 1) + this.chunkRatio);
        if (se == <u64>-1) return false;
        if (<u32>(se & 7) != SB_PRESENT) {
          corrupt("vhdx.bitmap.missing", this.name + ": block " + block.toString() + " is partially present but its sector bitmap block is not");
          return false;
        }
        const sbOff = this.blockOffset(se, "sector bitmap entry of chunk " + chunk.toString());
        if (sbOff < 0) return false;
        const lss = <u64>this.l.meta.logicalSector;
        const first = (block - chunk * this.chunkRatio) * this.sectorsPerBlock + inBlock / lss;
        const piece = (first >> 3) & ~(<u64>4095);
        const bm = this.sbCache.load(this.file, <u64>sbOff + piece, 4096);
        if (bm === null) return false;
        const bit = (s: u64, bm: Uint8Array, piece: u64): u32 => (u8at(bm, <i32>((s >> 3) - piece)) >> <u32>(s & 7)) & 1;
        const v = bit(first, bm, piece);
        // run to the end of the block, of this 4 KiB of bitmap, or to the next change
        const blockEnd = (block - chunk * this.chunkRatio + 1) * this.sectorsPerBlock;
        const pieceEnd = (piece + 4096) << 3;
        const stop = min(blockEnd, pieceEnd);
        let s = first + 1;
        while (s < stop && bit(s, bm, piece) == v) s++;
        this.runLen = (s - first) * lss - (inBlock & (lss - 1));
        if (v == 0) { this.runKind = RunKind.Backing; return true; }
        this.runKind = RunKind.Data;
        this.runFile = this.file;
        this.runHost = <u64>data + inBlock;
        return true;
      }
      default:
        corrupt("vhdx.bat.state", this.name + ": BAT entry of block " + block.toString() + " has the unknown state " + state.toString());
        return false;
    }
  }
}

export function openVhdx(set: FileSet, index: i32): Container | null {
  const file = set.files[index];
  const n = file.name;
  let l = readLayout(file);
  if (l === null) return null;
  let data: Device = file;
  if (!l.header.logZero) {
    // Writes still in the log are part of the disk: apply them (in memory) or stop.
    const h = l.header;
    const r = replayLog(file, h.logOffset, h.logLength, h.logGuid);
    if (r === null) {
      addContext(n + ": the VHDX log (GUID " + h.logGuid + ") must be replayed before the disk is consistent, and could not be");
      return null;
    }
    if (r.entries > 0) {
      data = r;
      l = readLayout(r);
      if (l === null) return null;
      l.notes.push("the VHDX was not closed cleanly: its log held " + r.entries.toString() + " entr" + (r.entries == 1 ? "y" : "ies") +
        " (sequence " + r.firstSeq.toString() + ".." + r.lastSeq.toString() + ") that were applied in memory; the file itself is unchanged. " +
        "Attach it once in Hyper-V or run qemu-img check -r all " + n + " before converting it");
    }
  }
  const m = l.meta;
  if (m.blockSize < MiB || m.blockSize > 256 * MiB || popcnt(m.blockSize) != 1) {
    corrupt("vhdx.block-size", n + ": VHDX block size " + m.blockSize.toString() + " is not a power of two from 1 MiB to 256 MiB");
    return null;
  }
  if (m.logicalSector != 512 && m.logicalSector != 4096) {
    corrupt("vhdx.sector-size", n + ": VHDX logical sector size " + m.logicalSector.toString() + " is neither 512 nor 4096");
    return null;
  }
  if (m.virtualSize > MAX_VIRTUAL_SIZE || (m.virtualSize & (<u64>m.logicalSector - 1)) != 0) {
    limit("vhdx.size", n + ": VHDX virtual size " + m.virtualSize.toString() + " is beyond 64 TiB or not a whole number of sectors");
    return null;
  }
  const dev = new VhdxDevice(data, l);
  if ((dev.batEntries << 3) > <u64>l.bat.length || l.bat.offset > data.size || data.size - l.bat.offset < <u64>l.bat.length) {
    corrupt("vhdx.bat.out-of-range", n + ": the VHDX BAT at " + hex64(l.bat.offset) + " (" + l.bat.length.toString() + " bytes) is too small for " + dev.batEntries.toString() + " entries or past the end of the file");
    return null;
  }
  const c = new Container("vhdx", dev, l.notes);
  c.subformat = m.hasParent ? "differencing" : (m.leaveAllocated ? "fixed" : "dynamic");
  c.clusterSize = m.blockSize;
  if (m.logicalSector == 4096) c.notes.push("the VHDX has 4096-byte logical sectors");
  // Count the allocated blocks when the BAT is at most 1 MiB (4 TiB of 32 MiB blocks).
  if (dev.batEntries <= (1 << 17)) {
    const bat = data.read(l.bat.offset, <i32>(dev.batEntries << 3));
    if (bat === null) return null;
    let count: i64 = 0;
    for (let i: u64 = 0; i < dev.batEntries; i++) {
      if ((i + 1) % (dev.chunkRatio + 1) == 0) continue; // sector bitmap entries
      const s = <u32>(u64le(bat, <i32>(i << 3)) & 7);
      if (s == PAYLOAD_FULLY_PRESENT || s == PAYLOAD_PARTIALLY_PRESENT) count++;
    }
    c.allocatedSize = count * <i64>m.blockSize;
  }
  if (m.hasParent) {
    if (m.parentPaths.length == 0) { corrupt("vhdx.parent.name", n + ": differencing VHDX names no parent"); return null; }
    let pick = m.parentPaths[0];
    for (let i = 0; i < m.parentPaths.length; i++) if (set.find(m.parentPaths[i]) >= 0) { pick = m.parentPaths[i]; break; }
    const p = openReferenced(set, pick, n, "vhdx.parent.missing", "parent disk");
    if (p === null) return null;
    dev.backing = p.disk;
    chainFacts(c, p);
  }
  return c;
}
