// SPDX-License-Identifier: Apache-2.0
// The regf base block: the first 4096 bytes of a hive file (Windows registry
// file format specification by M. Suhanov, "Base block"). Its checksum is the
// XOR of the first 508 bytes as 32-bit words; unequal sequence numbers mean
// the hive was being written when the system stopped (dirty).

import { corrupt, unsupported } from "../util/error";
import { u32le, u64le, asciiAt } from "../util/bytes";

export const BASE_BLOCK_SIZE: i32 = 4096;
export const HBIN_START: u64 = 4096;
export const FILE_TYPE_PRIMARY: u32 = 0;
export const FILE_TYPE_LOG_OLD: u32 = 1;
export const FILE_TYPE_LOG_NEW: u32 = 6;

export class BaseBlock {
  primarySeq: u32 = 0;
  secondarySeq: u32 = 0;
  lastWritten: u64 = 0;
  major: u32 = 0;
  minor: u32 = 0;
  fileType: u32 = 0;
  rootCell: u32 = 0;
  binsSize: u32 = 0;
  checksum: u32 = 0;
  checksumOk: bool = false;
  fileName: string = "";

  get dirty(): bool { return this.primarySeq != this.secondarySeq || !this.checksumOk; }

  /** Parses the base block (at least 512 bytes); null when it is not a regf base block. */
  static parse(b: Uint8Array, where: string): BaseBlock | null {
    if (b.length < 512 || !asciiAt(b, 0, "regf")) {
      corrupt("hive.base.magic", where + ": not a registry hive (no \"regf\" signature)");
      return null;
    }
    const h = new BaseBlock();
    h.primarySeq = u32le(b, 4);
    h.secondarySeq = u32le(b, 8);
    h.lastWritten = u64le(b, 12);
    h.major = u32le(b, 20);
    h.minor = u32le(b, 24);
    h.fileType = u32le(b, 28);
    h.rootCell = u32le(b, 36);
    h.binsSize = u32le(b, 40);
    h.checksum = u32le(b, 508);
    h.checksumOk = checksumOf(b) == h.checksum;
    let n = 0;
    while (n < 32 && (b[48 + 2 * n] | b[49 + 2 * n]) != 0) n++;
    if (n > 0) h.fileName = String.UTF16.decodeUnsafe(b.dataStart + 48, <usize>(2 * n));
    if (h.major != 1) {
      unsupported("hive.base.version", where + ": hive format version " + h.major.toString() + "." + h.minor.toString() + " (only 1.x exists)");
      return null;
    }
    return h;
  }
}

/** XOR of the 127 words before the checksum, with 0 and -1 remapped as Windows does. */
export function checksumOf(b: Uint8Array): u32 {
  let x: u32 = 0;
  for (let i = 0; i < 508; i += 4) x ^= u32le(b, i);
  if (x == 0xffffffff) return 0xfffffffe;
  if (x == 0) return 1;
  return x;
}
