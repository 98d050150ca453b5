// SPDX-License-Identifier: Apache-2.0
// Directory indexes ($I30): entries of an index node (in $INDEX_ROOT or an
// INDX record of $INDEX_ALLOCATION), keyed by $FILE_NAME values and ordered
// by the upper-cased name; a B+ tree whose entries point to child nodes by
// VCN (flatcap NTFS documentation, "Directory tree", "$INDEX_ROOT", "INDX").

import { corrupt } from "../../util/error";
import { u16le, u32le, u64le, asciiAt } from "../../util/bytes";
import { FileName, REF_MASK } from "./file-name";
import { applyFixups } from "./fixup";

export const INDEX_ENTRY_NODE: u32 = 1;
export const INDEX_ENTRY_END: u32 = 2;
/** Entries one node may hold: a 64 KiB node of the shortest (0x52-byte) entries has fewer. */
const MAX_NODE_ENTRIES: i32 = 1024;

export class IndexEntry {
  record: u64 = 0;
  /** null on the end entry */
  key: FileName | null = null;
  /** child node VCN, or -1 */
  child: i64 = -1;
}

/**
 * Parses the entries of the node whose header starts at b[hdr]; `end` bounds
 * it (the attribute value or the INDX record). False with the error set.
 */
export function parseNode(b: Uint8Array, hdr: i32, end: i32, out: IndexEntry[], where: string): bool {
  const entriesOff = <i32>u32le(b, hdr);
  const indexLen = <i32>u32le(b, hdr + 4);
  const first = hdr + entriesOff;
  const stop = hdr + indexLen;
  if (entriesOff < 16 || indexLen < entriesOff || stop > end || first > stop) {
    corrupt("ntfs.index.node", where + ": index node header (entries at +" + entriesOff.toString() + ", length " + indexLen.toString() +
      ") does not fit its " + (end - hdr).toString() + " bytes");
    return false;
  }
  let p = first;
  for (let n = 0; n < MAX_NODE_ENTRIES; n++) {
    if (p + 16 > stop) {
      corrupt("ntfs.index.entry", where + ": index entries end without an end entry (at +" + (p - hdr).toString() + ")");
      return false;
    }
    const len = <i32>u16le(b, p + 8);
    const keyLen = <i32>u16le(b, p + 10);
    const flags = u16le(b, p + 12);
    if (len < 16 || (len & 7) != 0 || p + len > stop || 16 + keyLen > len) {
      corrupt("ntfs.index.entry", where + ": index entry at +" + (p - hdr).toString() + " has length " + len.toString() + " / key " +
        keyLen.toString() + " that do not fit the node");
      return false;
    }
    const e = new IndexEntry();
    e.record = u64le(b, p) & REF_MASK;
    if ((flags & INDEX_ENTRY_NODE) != 0) {
      if (len < 24) {
        corrupt("ntfs.index.entry", where + ": index entry at +" + (p - hdr).toString() + " claims a child but has no room for its VCN");
        return false;
      }
      e.child = <i64>u64le(b, p + len - 8);
      if (e.child < 0) {
        corrupt("ntfs.index.child", where + ": child VCN out of range");
        return false;
      }
    }
    if ((flags & INDEX_ENTRY_END) == 0) {
      const fn = FileName.parse(b, p + 16, keyLen);
      if (fn === null) {
        corrupt("ntfs.index.key", where + ": the $FILE_NAME key of the index entry at +" + (p - hdr).toString() + " is truncated");
        return false;
      }
      e.key = fn;
    }
    out.push(e);
    if ((flags & INDEX_ENTRY_END) != 0) return true;
    p += len;
  }
  corrupt("ntfs.index.entries", where + ": more than " + MAX_NODE_ENTRIES.toString() + " entries in one index node");
  return false;
}

/** Checks and fixes up one INDX record; returns the offset of its node header, or -1. */
export function openIndxRecord(b: Uint8Array, size: i32, vcn: u64, where: string): i32 {
  if (!asciiAt(b, 0, "INDX")) {
    corrupt("ntfs.indx.magic", where + ": index record at VCN " + vcn.toString() + " does not start with INDX");
    return -1;
  }
  if (!applyFixups(b, 0, size, "ntfs.indx", where + ": index record at VCN " + vcn.toString())) return -1;
  const own = u64le(b, 0x10);
  if (own != vcn) {
    corrupt("ntfs.indx.vcn", where + ": index record at VCN " + vcn.toString() + " says it is VCN " + own.toString());
    return -1;
  }
  return 0x18;
}
