// SPDX-License-Identifier: Apache-2.0
// Attribute records inside an MFT record: the common header, then the
// resident value or the non-resident sizes and runlist (flatcap NTFS
// documentation, "Attribute - header"; libfsntfs "MFT attribute").

import { corrupt } from "../../util/error";
import { u8at, u16le, u32le, u64le } from "../../util/bytes";

export const AT_STANDARD_INFORMATION: u32 = 0x10;
export const AT_ATTRIBUTE_LIST: u32 = 0x20;
export const AT_FILE_NAME: u32 = 0x30;
export const AT_VOLUME_NAME: u32 = 0x60;
export const AT_VOLUME_INFORMATION: u32 = 0x70;
export const AT_DATA: u32 = 0x80;
export const AT_INDEX_ROOT: u32 = 0x90;
export const AT_INDEX_ALLOCATION: u32 = 0xa0;
export const AT_BITMAP: u32 = 0xb0;
export const AT_REPARSE_POINT: u32 = 0xc0;
export const AT_END: u32 = 0xffffffff;

export const ATTR_COMPRESSED: u32 = 0x0001;
export const ATTR_ENCRYPTED: u32 = 0x4000;
export const ATTR_SPARSE: u32 = 0x8000;

/** One attribute record; a non-resident attribute may be split over several (by VCN). */
export class AttrRecord {
  type: u32 = 0;
  name: string = "";
  nonResident: bool = false;
  flags: u32 = 0;
  id: u32 = 0;
  /** resident value */
  value: Uint8Array = new Uint8Array(0);
  lowVcn: u64 = 0;
  highVcn: u64 = 0;
  /** log2 of clusters per compression unit (0: not compressed) */
  compressionUnit: u32 = 0;
  allocatedSize: u64 = 0;
  dataSize: u64 = 0;
  initializedSize: u64 = 0;
  /** the record bytes and where its mapping pairs lie */
  raw: Uint8Array = new Uint8Array(0);
  runsOff: i32 = 0;
  runsEnd: i32 = 0;
  /** MFT record the attribute came from */
  recordNo: u64 = 0;
}

/**
 * Parses the attribute records of a fixed-up MFT record b (used bytes
 * [firstAttr, used)). Appends to `out`; false with the error set.
 */
export function parseAttributes(b: Uint8Array, firstAttr: i32, used: i32, recordNo: u64, out: AttrRecord[], where: string): bool {
  let p = firstAttr;
  for (let n = 0; ; n++) {
    if (p + 4 > used) {
      corrupt("ntfs.attr.end", where + ": attributes run past the record's used size without an end marker");
      return false;
    }
    const type = u32le(b, p);
    if (type == AT_END) return true;
    const len = <i32>u32le(b, p + 4);
    if (len < 0x18 || (len & 7) != 0 || p + len > used) {
      corrupt("ntfs.attr.length", where + ": attribute 0x" + type.toString(16) + " at offset " + p.toString() + " has length " + len.toString() +
        " (not a multiple of 8 of at least 24 bytes inside the record)");
      return false;
    }
    const a = new AttrRecord();
    a.type = type;
    a.recordNo = recordNo;
    a.nonResident = u8at(b, p + 8) != 0;
    const nameLen = <i32>u8at(b, p + 9);
    const nameOff = <i32>u16le(b, p + 10);
    a.flags = u16le(b, p + 12);
    a.id = u16le(b, p + 14);
    if (nameLen > 0) {
      if (nameOff + 2 * nameLen > len) {
        corrupt("ntfs.attr.name", where + ": name of attribute 0x" + type.toString(16) + " runs past the attribute");
        return false;
      }
      a.name = String.UTF16.decodeUnsafe(b.dataStart + <usize>(p + nameOff), <usize>(2 * nameLen));
    }
    if (!a.nonResident) {
      const vlen = <i32>u32le(b, p + 0x10);
      const voff = <i32>u16le(b, p + 0x14);
      if (vlen < 0 || voff + vlen > len) {
        corrupt("ntfs.attr.resident", where + ": resident value of attribute 0x" + type.toString(16) + " (" + vlen.toString() + " bytes at +" +
          voff.toString() + ") runs past the attribute's " + len.toString() + " bytes");
        return false;
      }
      a.value = b.slice(p + voff, p + voff + vlen);
      a.dataSize = <u64>vlen;
      a.initializedSize = <u64>vlen;
      a.allocatedSize = <u64>vlen;
    } else {
      if (len < 0x40) {
        corrupt("ntfs.attr.nonresident", where + ": non-resident attribute 0x" + type.toString(16) + " is only " + len.toString() + " bytes");
        return false;
      }
      a.lowVcn = u64le(b, p + 0x10);
      a.highVcn = u64le(b, p + 0x18);
      const runsOff = <i32>u16le(b, p + 0x20);
      a.compressionUnit = u16le(b, p + 0x22);
      a.allocatedSize = u64le(b, p + 0x28);
      a.dataSize = u64le(b, p + 0x30);
      a.initializedSize = u64le(b, p + 0x38);
      if (runsOff < 0x40 || runsOff > len) {
        corrupt("ntfs.attr.runlist", where + ": runlist offset " + runsOff.toString() + " of attribute 0x" + type.toString(16) + " lies outside it");
        return false;
      }
      if (a.compressionUnit > 16 || a.initializedSize > a.dataSize && a.lowVcn == 0 && a.dataSize != 0 && a.initializedSize > a.allocatedSize) {
        corrupt("ntfs.attr.sizes", where + ": attribute 0x" + type.toString(16) + " has inconsistent sizes or compression unit " + a.compressionUnit.toString());
        return false;
      }
      a.raw = b;
      a.runsOff = p + runsOff;
      a.runsEnd = p + len;
    }
    out.push(a);
    p += len;
    if (n > 4096) {
      corrupt("ntfs.attr.count", where + ": more attributes than a record can hold");
      return false;
    }
  }
  return true;
}
