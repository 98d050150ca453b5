// SPDX-License-Identifier: Apache-2.0
// One attribute's value as a byte stream: resident bytes, or clusters mapped
// through the runlist (sparse runs and bytes past the initialized size read
// as zeros), or LZNT1 compression units (flatcap NTFS documentation,
// "Compression").

import { Device } from "../../io/device";
import { corrupt, unsupported, limit } from "../../util/error";
import { AttrRecord, ATTR_COMPRESSED, ATTR_ENCRYPTED } from "./attribute";
import { Run, SPARSE, decodeRuns, findRun } from "./runlist";
import { lznt1Decompress } from "../../codec/lznt1";

export class Stream {
  type: u32 = 0;
  name: string = "";
  flags: u32 = 0;
  resident: bool = false;
  value: Uint8Array = new Uint8Array(0);
  runs: Run[] = [];
  dataSize: u64 = 0;
  initializedSize: u64 = 0;
  allocatedSize: u64 = 0;
  compressionUnit: u32 = 0;
  // the last decompressed compression unit
  private cuIndex: i64 = -1;
  private cuData: Uint8Array | null = null;

  /**
   * Joins the pieces of one attribute (same type and name) into a stream.
   * `pieces` must be sorted by lowest VCN.
   */
  static build(pieces: AttrRecord[], totalClusters: u64, where: string): Stream | null {
    const s = new Stream();
    const first = pieces[0];
    s.type = first.type;
    s.name = first.name;
    s.flags = first.flags;
    s.resident = !first.nonResident;
    s.dataSize = first.dataSize;
    s.initializedSize = first.initializedSize;
    s.allocatedSize = first.allocatedSize;
    s.compressionUnit = first.compressionUnit;
    if (s.resident) {
      if (pieces.length > 1) {
        corrupt("ntfs.attr.resident-split", where + ": resident attribute 0x" + s.type.toString(16) + " appears " + pieces.length.toString() + " times");
        return null;
      }
      s.value = first.value;
      return s;
    }
    if (first.lowVcn != 0) {
      corrupt("ntfs.attr.first-vcn", where + ": attribute 0x" + s.type.toString(16) + " has no piece starting at VCN 0");
      return null;
    }
    let next: u64 = 0;
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i];
      if (!p.nonResident || p.lowVcn != next) {
        corrupt("ntfs.attr.pieces", where + ": pieces of attribute 0x" + s.type.toString(16) + " do not follow each other (VCN " +
          p.lowVcn.toString() + ", expected " + next.toString() + ")");
        return null;
      }
      if (!decodeRuns(p.raw, p.runsOff, p.runsEnd, p.lowVcn, p.highVcn, totalClusters, s.runs,
        where + ": attribute 0x" + s.type.toString(16) + (s.name.length > 0 ? " \"" + s.name + "\"" : ""))) return null;
      next = p.highVcn + 1;
    }
    if (s.initializedSize > s.dataSize) s.initializedSize = s.dataSize;
    return s;
  }

  get compressed(): bool { return !this.resident && (this.flags & ATTR_COMPRESSED) != 0 && this.compressionUnit != 0; }

  /**
   * Reads n bytes at `offset` (inside dataSize) into dst. Clusters go through
   * `dev` with `clusterSize`; false with the error set.
   */
  read(dev: Device, clusterSize: u32, offset: u64, n: i32, dst: usize, where: string): bool {
    if (n <= 0) return true;
    if (offset + <u64>n > this.dataSize) {
      corrupt("ntfs.stream.past-end", where + ": read past the end of the attribute");
      return false;
    }
    if (this.resident) {
      memory.fill(dst, 0, <usize>n);
      const have = <u64>this.value.length;
      if (offset < have) {
        const k = <i32>min(<u64>n, have - offset);
        memory.copy(dst, this.value.dataStart + <usize>offset, <usize>k);
      }
      return true;
    }
    if ((this.flags & ATTR_ENCRYPTED) != 0) {
      unsupported("ntfs.encrypted", where + ": the data is EFS-encrypted");
      return false;
    }
    if (this.compressed) return this.readCompressed(dev, clusterSize, offset, n, dst, where);
    return this.readPlain(dev, clusterSize, offset, n, dst, where);
  }

  private readPlain(dev: Device, clusterSize: u32, offset: u64, n: i32, dst: usize, where: string): bool {
    memory.fill(dst, 0, <usize>n);
    const cs = <u64>clusterSize;
    // bytes at or past the initialized size were never written
    const end = min(offset + <u64>n, this.initializedSize);
    let pos = offset;
    while (pos < end) {
      const vcn = pos / cs;
      const ri = findRun(this.runs, vcn);
      if (ri < 0) {
        corrupt("ntfs.stream.unmapped", where + ": byte " + pos.toString() + " of the attribute lies past its runlist");
        return false;
      }
      const r = unchecked(this.runs[ri]);
      const runEnd = min((r.vcn + r.len) * cs, end);
      if (runEnd <= pos) {
        corrupt("ntfs.stream.runs", where + ": runlist out of order at byte " + pos.toString());
        return false;
      }
      const k = runEnd - pos;
      if (r.lcn != SPARSE) {
        const phys = (<u64>r.lcn + (vcn - r.vcn)) * cs + pos % cs;
        if (!dev.readInto(phys, <i32>k, dst + <usize>(pos - offset))) return false;
      }
      pos = runEnd;
    }
    return true;
  }

  private readCompressed(dev: Device, clusterSize: u32, offset: u64, n: i32, dst: usize, where: string): bool {
    const cs = <u64>clusterSize;
    const cuClusters = <u64>1 << <u64>this.compressionUnit;
    const cuBytes = cuClusters * cs;
    if (cuBytes > (<u64>1 << 24)) {
      limit("ntfs.compression.unit", where + ": compression unit of " + cuBytes.toString() + " bytes");
      return false;
    }
    let pos = offset;
    const end = offset + <u64>n;
    while (pos < end) {
      const cu = pos / cuBytes;
      const data = this.unit(dev, clusterSize, cu, <i32>cuBytes, where);
      if (data === null) return false;
      const within = pos - cu * cuBytes;
      const k = min(cuBytes - within, end - pos);
      memory.copy(dst + <usize>(pos - offset), data.dataStart + <usize>within, <usize>k);
      pos += k;
    }
    // bytes past the initialized size read as zeros
    if (this.initializedSize < end) {
      const z = max(this.initializedSize, offset);
      memory.fill(dst + <usize>(z - offset), 0, <usize>(end - z));
    }
    return true;
  }

  /** Compression unit `cu`, decompressed: all clusters allocated = stored, none = zeros, else LZNT1. */
  private unit(dev: Device, clusterSize: u32, cu: u64, cuBytes: i32, where: string): Uint8Array | null {
    if (this.cuIndex == <i64>cu && this.cuData !== null) return this.cuData;
    const cs = <u64>clusterSize;
    const cuClusters = <u64>cuBytes / cs;
    const vcn0 = cu * cuClusters;
    // the allocated clusters of the unit, in order
    const raw = new Uint8Array(cuBytes);
    let got: u64 = 0;
    let sparse = false;
    let v = vcn0;
    while (v < vcn0 + cuClusters) {
      const ri = findRun(this.runs, v);
      if (ri < 0) { sparse = true; break; }
      const r = unchecked(this.runs[ri]);
      const k = min(r.vcn + r.len, vcn0 + cuClusters) - v;
      if (r.lcn == SPARSE) { sparse = true; v += k; continue; }
      if (sparse) {
        corrupt("ntfs.compression.layout", where + ": compression unit " + cu.toString() + " has data after its sparse tail");
        return null;
      }
      if (!dev.readInto((<u64>r.lcn + (v - r.vcn)) * cs, <i32>(k * cs), raw.dataStart + <usize>(got * cs))) return null;
      got += k;
      v += k;
    }
    let out: Uint8Array;
    if (got == cuClusters) out = raw;
    else if (got == 0) out = new Uint8Array(cuBytes);
    else {
      out = new Uint8Array(cuBytes);
      const w = lznt1Decompress(raw.dataStart, <i32>(got * cs), out.dataStart, cuBytes);
      if (w < 0) {
        corrupt("ntfs.compression.lznt1", where + ": LZNT1 data of compression unit " + cu.toString() + " is corrupt");
        return null;
      }
    }
    this.cuIndex = <i64>cu;
    this.cuData = out;
    return out;
  }
}
