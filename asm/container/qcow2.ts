// SPDX-License-Identifier: Apache-2.0
// qcow2 versions 2 and 3 (qemu docs/interop/qcow2.txt): big-endian header,
// two-level L1/L2 cluster map, zero clusters, compressed clusters, extended L2
// entries with 32 subclusters, an external data file, and a backing file.

import { Device } from "../io/device";
import { corrupt, limit, unsupported } from "../util/error";
import { asciiAt, asciiz, hex64, u32be, u64be, utf8 } from "../util/bytes";
import { Container } from "./container";
import { FileSet } from "./files";
import { MappedDevice, RunKind, TableCache } from "./mapped";
import { Codec, decodeInto } from "./decompress";
import { openReferenced, chainFacts } from "./detect";

const QCOW_MAGIC = "QFI\xfb";
const MIN_CLUSTER_BITS: u32 = 9;
const MAX_CLUSTER_BITS: u32 = 21;
/** qemu's QCOW_MAX_L1_SIZE: 32 MiB of L1 entries */
const MAX_L1_BYTES: u64 = 32 << 20;
/** far beyond any image qemu makes (2 EiB); bounds the arithmetic on virtual offsets */
const MAX_VIRTUAL_SIZE: u64 = <u64>1 << 61;
/** qemu refuses backing file names longer than this */
const MAX_BACKING_NAME: u32 = 1023;

const INCOMPAT_DIRTY: u64 = 1 << 0;
const INCOMPAT_CORRUPT: u64 = 1 << 1;
const INCOMPAT_DATA_FILE: u64 = 1 << 2;
const INCOMPAT_COMPRESSION: u64 = 1 << 3;
const INCOMPAT_EXTL2: u64 = 1 << 4;
const INCOMPAT_KNOWN: u64 = 0x1f;

const EXT_END: u32 = 0;
const EXT_BACKING_FORMAT: u32 = 0xe2792aca;
const EXT_DATA_FILE: u32 = 0x44415441;
const EXT_CRYPTO: u32 = 0x0537be77;

const OFFSET_MASK: u64 = 0x00fffffffffffe00;
const L2E_COMPRESSED: u64 = <u64>1 << 62;
const L2E_COPIED: u64 = <u64>1 << 63;
const L2E_ZERO: u64 = 1;
const L2_SLICE: u64 = 4096;

export class Qcow2Header {
  version: u32 = 0;
  backingOffset: u64 = 0;
  backingSize: u32 = 0;
  clusterBits: u32 = 0;
  size: u64 = 0;
  cryptMethod: u32 = 0;
  l1Size: u32 = 0;
  l1Offset: u64 = 0;
  snapshots: u32 = 0;
  incompatible: u64 = 0;
  headerLength: u32 = 72;
  compressionType: u32 = 0;
  backingFile: string = "";
  backingFormat: string = "";
  dataFile: string = "";
  hasCryptoExt: bool = false;
}

export function isQcow2(head: Uint8Array): bool {
  return asciiAt(head, 0, QCOW_MAGIC);
}

/** Parses the header and its extensions; null with the error set. */
export function readQcow2Header(file: Device): Qcow2Header | null {
  const n = file.name;
  if (file.size < 72) { corrupt("qcow2.header.short", n + ": qcow2 file is only " + file.size.toString() + " bytes, shorter than its 72-byte header"); return null; }
  const b = file.read(0, <i32>min(file.size, <u64>4096));
  if (b === null) return null;
  const h = new Qcow2Header();
  h.version = u32be(b, 4);
  if (h.version != 2 && h.version != 3) {
    unsupported("qcow2.version", n + ": qcow2 version " + h.version.toString() + " (versions 2 and 3 are read)");
    return null;
  }
  h.backingOffset = u64be(b, 8);
  h.backingSize = u32be(b, 16);
  h.clusterBits = u32be(b, 20);
  h.size = u64be(b, 24);
  h.cryptMethod = u32be(b, 32);
  h.l1Size = u32be(b, 36);
  h.l1Offset = u64be(b, 40);
  h.snapshots = u32be(b, 60);
  if (h.clusterBits < MIN_CLUSTER_BITS || h.clusterBits > MAX_CLUSTER_BITS) {
    corrupt("qcow2.header.cluster-bits", n + ": qcow2 cluster_bits " + h.clusterBits.toString() + " is outside 9..21");
    return null;
  }
  const cs = <u64>1 << h.clusterBits;
  if (h.version == 3) {
    if (b.length < 104) { corrupt("qcow2.header.short", n + ": qcow2 v3 header is cut short"); return null; }
    h.incompatible = u64be(b, 72);
    h.headerLength = u32be(b, 100);
    if (h.headerLength < 104 || <u64>h.headerLength > cs || h.headerLength > <u32>b.length) {
      corrupt("qcow2.header.length", n + ": qcow2 header_length " + h.headerLength.toString() + " is not between 104 and the cluster size");
      return null;
    }
    if (h.headerLength > 104) h.compressionType = u8(b[104]);
  }
  // Header extensions follow the header, within the first cluster.
  let p = <i32>h.headerLength;
  const end = <i32>min(<u64>b.length, cs);
  for (let guard = 0; guard < 256 && p + 8 <= end; guard++) {
    const type = u32be(b, p);
    const len = u32be(b, p + 4);
    if (type == EXT_END) break;
    if (<u64>p + 8 + <u64>len > <u64>end) {
      corrupt("qcow2.header.extension", n + ": qcow2 header extension " + hex64(type) + " at " + hex64(p) + " runs past the first cluster");
      return null;
    }
    if (type == EXT_BACKING_FORMAT) h.backingFormat = asciiz(b, p + 8, <i32>len);
    else if (type == EXT_DATA_FILE) h.dataFile = asciiz(b, p + 8, <i32>len);
    else if (type == EXT_CRYPTO) h.hasCryptoExt = true;
    p += 8 + <i32>((len + 7) & ~7);
  }
  if (h.backingOffset != 0) {
    if (h.backingSize == 0 || h.backingSize > MAX_BACKING_NAME) {
      corrupt("qcow2.backing.name", n + ": qcow2 backing file name length " + h.backingSize.toString() + " is not 1..1023");
      return null;
    }
    if (h.backingOffset + <u64>h.backingSize > min(cs, file.size)) {
      corrupt("qcow2.backing.name", n + ": qcow2 backing file name at " + hex64(h.backingOffset) + " lies outside the first cluster");
      return null;
    }
    const nb = file.read(h.backingOffset, <i32>h.backingSize);
    if (nb === null) return null;
    h.backingFile = utf8(nb, 0, nb.length);
  }
  return h;
}

/** Names of the other files this image needs (backing file, external data file). */
export function qcow2References(file: Device): string[] {
  const out: string[] = [];
  const h = readQcow2Header(file);
  if (h === null) return out;
  if (h.backingFile.length > 0) out.push(h.backingFile);
  if (h.dataFile.length > 0) out.push(h.dataFile);
  return out;
}

class Qcow2Device extends MappedDevice {
  clusterBits: u32;
  clusterSize: u64;
  /** bits of the cluster index that pick an L2 entry */
  l2Bits: u32;
  entryBytes: i32;
  extendedL2: bool;
  subclusterBits: u32;
  zeroFlag: bool;
  hasDataFile: bool;
  codec: Codec;
  l1Cache: TableCache = new TableCache(8);
  l2Cache: TableCache = new TableCache(2);
  /** bytes of an L2 table read at a time */
  l2Slice: u64;
  // the last decoded compressed cluster
  decodedHost: u64 = <u64>-1;
  decoded: Uint8Array = new Uint8Array(0);
  specialEntry: u64 = 0;

  constructor(public file: Device, public data: Device, public h: Qcow2Header) {
    super();
    this.name = file.name;
    this.virtualSize = h.size;
    this.clusterBits = h.clusterBits;
    this.clusterSize = <u64>1 << h.clusterBits;
    this.extendedL2 = (h.incompatible & INCOMPAT_EXTL2) != 0;
    this.entryBytes = this.extendedL2 ? 16 : 8;
    this.l2Bits = h.clusterBits - (this.extendedL2 ? 4 : 3);
    this.subclusterBits = h.clusterBits - 5;
    this.zeroFlag = h.version >= 3 && !this.extendedL2;
    this.hasDataFile = (h.incompatible & INCOMPAT_DATA_FILE) != 0;
    this.codec = h.compressionType == 1 ? Codec.Zstd : Codec.Deflate;
    // L2 tables are read in slices, as qemu's l2-cache-entry-size does: a
    // lookup needs one entry, and whole 64 KiB tables were most of the bytes
    // a Windows check read. Keep about 1 MiB of slices.
    this.l2Slice = min<u64>(L2_SLICE, this.clusterSize);
    this.l2Cache = new TableCache(<i32>min<u64>(256, (1 << 20) / this.l2Slice));
    this.decoded = new Uint8Array(<i32>this.clusterSize);
  }

  private l1Entry(index: u64): i64 {
    // L1 is read in 4 KiB pieces as they are needed, not whole (up to 32 MiB).
    const byteOff = index << 3;
    const t = this.l1Cache.piece(this.file, this.h.l1Offset, <u64>this.h.l1Size << 3, byteOff);
    if (t === null) return -1;
    return <i64>(u64be(t, <i32>(byteOff & 4095)) & OFFSET_MASK);
  }

  map(vOff: u64): bool {
    const cb = this.clusterBits;
    const cluster = vOff >> cb;
    const inCluster = vOff & (this.clusterSize - 1);
    const l1Index = cluster >> this.l2Bits;
    const l2Index = <i32>(cluster & ((<u64>1 << this.l2Bits) - 1));
    if (l1Index >= <u64>this.h.l1Size) {
      corrupt("qcow2.l1.range", this.name + ": virtual offset " + hex64(vOff) + " needs L1 entry " + l1Index.toString() + " of " + this.h.l1Size.toString());
      return false;
    }
    const l2Off = this.l1Entry(l1Index);
    if (l2Off < 0) return false;
    if (l2Off == 0) {
      this.runKind = RunKind.Backing;
      this.runLen = (((<u64>1 << this.l2Bits) - <u64>l2Index) << cb) - inCluster;
      return true;
    }
    if ((<u64>l2Off & (this.clusterSize - 1)) != 0 || <u64>l2Off + this.clusterSize > this.file.size) {
      corrupt("qcow2.l2.out-of-range", this.name + ": L2 table at " + hex64(l2Off) + " (L1 entry " + l1Index.toString() +
        ") is unaligned or past the end of the file (" + this.file.size.toString() + " bytes)");
      return false;
    }
    const entryOff = <u64>l2Index * <u64>this.entryBytes;
    const l2 = this.l2Cache.piece(this.file, <u64>l2Off, this.clusterSize, entryOff, this.l2Slice);
    if (l2 === null) return false;
    const at = <i32>(entryOff & (this.l2Slice - 1));
    const e = u64be(l2, at);
    if ((e & L2E_COMPRESSED) != 0) {
      if (this.hasDataFile) {
        corrupt("qcow2.l2.compressed", this.name + ": compressed cluster in an image with an external data file");
        return false;
      }
      this.runKind = RunKind.Special;
      this.specialEntry = e;
      this.runLen = this.clusterSize - inCluster;
      return true;
    }
    const host = e & OFFSET_MASK;
    if (this.extendedL2) {
      const bitmap = u64be(l2, at + 8);
      const scSize = <u64>1 << this.subclusterBits;
      const sc = <u32>(inCluster >> this.subclusterBits);
      const alloc = (bitmap >> sc) & 1;
      const zero = (bitmap >> (32 + sc)) & 1;
      if (alloc != 0 && zero != 0) {
        corrupt("qcow2.l2.subcluster", this.name + ": subcluster " + sc.toString() + " of the cluster at " + hex64(vOff - inCluster) + " is marked both allocated and zero");
        return false;
      }
      this.runLen = scSize - (inCluster & (scSize - 1));
      if (zero != 0) { this.runKind = RunKind.Zero; return true; }
      if (alloc == 0) { this.runKind = RunKind.Backing; return true; }
      return this.dataRun(host, inCluster, e, vOff);
    }
    this.runLen = this.clusterSize - inCluster;
    if (this.zeroFlag && (e & L2E_ZERO) != 0) { this.runKind = RunKind.Zero; return true; }
    if (host == 0 && !(this.hasDataFile && (e & L2E_COPIED) != 0)) { this.runKind = RunKind.Backing; return true; }
    return this.dataRun(host, inCluster, e, vOff);
  }

  private dataRun(host: u64, inCluster: u64, e: u64, vOff: u64): bool {
    if ((host & (this.clusterSize - 1)) != 0 || host >= this.data.size) {
      corrupt("qcow2.l2.out-of-range", this.name + ": cluster at virtual " + hex64(vOff - inCluster) + " points to " + hex64(host) +
        ", unaligned or past the end of " + this.data.name + " (" + this.data.size.toString() + " bytes)");
      return false;
    }
    this.runKind = RunKind.Data;
    this.runFile = this.data;
    this.runHost = host + inCluster;
    return true;
  }

  readSpecial(vOff: u64, len: i32, dst: usize): bool {
    const e = this.specialEntry;
    const x = 62 - (this.clusterBits - 8);
    const host = e & ((<u64>1 << x) - 1);
    const sectors = ((e >> x) & ((<u64>1 << (62 - x)) - 1)) + 1;
    if (host != this.decodedHost) {
      if (host >= this.file.size) {
        corrupt("qcow2.l2.out-of-range", this.name + ": compressed cluster at virtual " + hex64(vOff & ~(this.clusterSize - 1)) +
          " points to " + hex64(host) + ", past the end of the file");
        return false;
      }
      // The count is of 512-byte sectors from the sector holding the start; the
      // last cluster of the file may stop short of its sector.
      let clen = sectors * 512 - (host & 511);
      if (clen > this.file.size - host) clen = this.file.size - host;
      const src = this.file.read(host, <i32>clen);
      if (src === null) return false;
      this.decodedHost = <u64>-1;
      if (!decodeInto(this.codec, src, this.decoded, this.name + ": cluster at virtual " + hex64(vOff & ~(this.clusterSize - 1)))) return false;
      this.decodedHost = host;
    }
    memory.copy(dst, this.decoded.dataStart + <usize>(vOff & (this.clusterSize - 1)), <usize>len);
    return true;
  }
}

export function openQcow2(set: FileSet, index: i32): Container | null {
  const file = set.files[index];
  const n = file.name;
  const h = readQcow2Header(file);
  if (h === null) return null;
  if (h.cryptMethod != 0 || h.hasCryptoExt) {
    unsupported("qcow2.encrypted", n + ": the qcow2 image is encrypted (" + (h.cryptMethod == 1 ? "AES" : (h.cryptMethod == 2 ? "LUKS" : "method " + h.cryptMethod.toString())) +
      "); decrypt it first: qemu-img convert --object secret,id=s0,data=<passphrase> --image-opts encrypt.key-secret=s0,file.filename=" + n + " -O qcow2 plain.qcow2");
    return null;
  }
  const unknown = h.incompatible & ~INCOMPAT_KNOWN;
  if (unknown != 0) {
    unsupported("qcow2.features", n + ": qcow2 incompatible feature bits " + hex64(unknown) + " are not known to this reader");
    return null;
  }
  if ((h.incompatible & INCOMPAT_COMPRESSION) != 0 && h.compressionType > 1) {
    unsupported("qcow2.compression", n + ": qcow2 compression type " + h.compressionType.toString() + " is not known (0 = deflate, 1 = zstd)");
    return null;
  }
  const cs = <u64>1 << h.clusterBits;
  const ext = (h.incompatible & INCOMPAT_EXTL2) != 0;
  if (ext && h.clusterBits < 14) {
    corrupt("qcow2.header.extended-l2", n + ": extended L2 entries need clusters of at least 16 KiB");
    return null;
  }
  const l2Bits = h.clusterBits - (ext ? 4 : 3);
  // L1 entries needed to map the whole virtual disk.
  const perL1 = l2Bits + h.clusterBits;
  if (h.size > MAX_VIRTUAL_SIZE) {
    limit("qcow2.header.size", n + ": virtual size " + h.size.toString() + " is beyond 2 EiB, the largest this reader accepts");
    return null;
  }
  const needed = (h.size + (<u64>1 << perL1) - 1) >> perL1;
  if (<u64>h.l1Size << 3 > MAX_L1_BYTES) {
    limit("qcow2.l1.size", n + ": L1 size too big (" + h.l1Size.toString() + " entries; qemu allows at most " + (MAX_L1_BYTES >> 3).toString() + ")");
    return null;
  }
  if (<u64>h.l1Size < needed) {
    corrupt("qcow2.l1.size", n + ": L1 table has " + h.l1Size.toString() + " entries, the virtual size " + h.size.toString() + " needs " + needed.toString());
    return null;
  }
  if (h.l1Size > 0 && ((h.l1Offset & (cs - 1)) != 0 || h.l1Offset + (<u64>h.l1Size << 3) > file.size)) {
    corrupt("qcow2.l1.out-of-range", n + ": L1 table at " + hex64(h.l1Offset) + " (" + h.l1Size.toString() + " entries) is unaligned or past the end of the file (" + file.size.toString() + " bytes)");
    return null;
  }
  const notes: string[] = [];
  let data: Device = file;
  const used: string[] = [];
  if ((h.incompatible & INCOMPAT_DATA_FILE) != 0) {
    if (h.dataFile.length == 0) {
      corrupt("qcow2.data-file", n + ": qcow2 image keeps its data in an external file but does not name it");
      return null;
    }
    const di = set.find(h.dataFile);
    if (di < 0) {
      set.missing("qcow2.data-file.missing", n, "external data file", h.dataFile);
      return null;
    }
    if (!set.enter(di, n)) return null;
    set.leave();
    data = set.files[di];
    used.push(data.name);
  }
  const dev = new Qcow2Device(file, data, h);
  const c = new Container("qcow2", dev, notes);
  c.subformat = h.version == 2 ? "v2 (compat 0.10)" : "v3 (compat 1.1)";
  c.clusterSize = <u32>cs;
  // Which clusters are compressed shows only cluster by cluster; the header says with what.
  if ((h.incompatible & INCOMPAT_COMPRESSION) != 0) c.compression = h.compressionType == 1 ? "zstd" : "deflate";
  c.fileSize = file.size + (data !== file ? data.size : 0);
  c.fileNames.push(n);
  for (let i = 0; i < used.length; i++) c.fileNames.push(used[i]);
  if ((h.incompatible & INCOMPAT_DIRTY) != 0) notes.push("the qcow2 image was not closed cleanly (dirty bit): its refcounts may be stale; qemu-img check -r all repairs them");
  if ((h.incompatible & INCOMPAT_CORRUPT) != 0) notes.push("qemu marked this qcow2 image corrupt: run qemu-img check on it before importing");
  if (ext) notes.push("extended L2 entries (subclusters) need qemu 5.2 or newer to read");
  if (h.snapshots > 0) notes.push(h.snapshots.toString() + " internal snapshot(s): the active layer is checked");
  if (h.backingFile.length > 0) {
    const b = openReferenced(set, h.backingFile, n, "qcow2.backing.missing", "backing file");
    if (b === null) return null;
    dev.backing = b.disk;
    chainFacts(c, b);
    notes.push("a backing chain must be flattened before import: qemu-img convert -O qcow2 " + n + " flat.qcow2");
  }
  return c;
}
