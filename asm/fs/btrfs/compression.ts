// SPDX-License-Identifier: Apache-2.0
// Btrfs compressed extents (fs/btrfs/{zlib,lzo,zstd}.c): zlib stores one zlib
// stream; lzo stores a 4-byte total length, then segments (a 4-byte length and
// LZO1X data for at most one sector each) whose headers never straddle a
// sector boundary; zstd stores zstd frames.

import { u32le } from "../../util/bytes";
import { corrupt, addContext } from "../../util/error";
import { inflateZlib } from "../../codec/inflate";
import { lzo1xDecompress } from "../../codec/lzo";
import { zstdDecompressFrame } from "../../codec/zstd";
import { COMPRESS_ZLIB, COMPRESS_LZO, COMPRESS_ZSTD, compressionName } from "./items";

const LZO_LEN: i32 = 4;
/** Btrfs never writes a compressed extent holding more than 128 KiB of file data. */
export const MAX_COMPRESSED_RAM: u64 = 128 * 1024;

/** Worst-case LZO1X output for `n` input bytes (lzo1x_worst_compress). */
function lzoWorst(n: i32): i32 { return n + n / 16 + 64 + 3; }

/** Decompresses `src` (an extent's stored bytes) into exactly `ramLen` bytes; null with the error set. */
export function decompressExtent(kind: u8, src: Uint8Array, ramLen: i32, sectorSize: i32, where: string): Uint8Array | null {
  if (kind == COMPRESS_LZO) return lzoSegments(src, ramLen, sectorSize, where);
  if (kind == COMPRESS_ZLIB) {
    // one zlib stream; it may end short of ramLen (data past i_size reads as zeros) and
    // be followed by padding to the sector
    const out = new Uint8Array(ramLen);
    if (inflateZlib(src, out) < 0) {
      addContext(where + ": zlib extent");
      return null;
    }
    return out;
  }
  if (kind == COMPRESS_ZSTD) {
    // one zstd frame (fs/btrfs/zstd.c); the bytes after it pad to the sector
    const out = new Uint8Array(ramLen);
    if (zstdDecompressFrame(src, 0, out, 0) < 0) {
      addContext(where + ": zstd extent");
      return null;
    }
    return out;
  }
  corrupt("btrfs.compress.type", where + ": unknown compression " + compressionName(kind));
  return null;
}

function lzoSegments(src: Uint8Array, ramLen: i32, sectorSize: i32, where: string): Uint8Array | null {
  const out = new Uint8Array(ramLen);
  if (src.length < LZO_LEN) {
    corrupt("btrfs.lzo.header", where + ": lzo extent of " + src.length.toString() + " bytes has no length header");
    return null;
  }
  const total = <i32>u32le(src, 0);
  if (total < LZO_LEN || total > src.length) {
    corrupt("btrfs.lzo.header", where + ": lzo total length " + (<u32>total).toString() + " is outside 4.." + src.length.toString());
    return null;
  }
  let cur = LZO_LEN;
  let produced = 0;
  const worst = lzoWorst(sectorSize);
  const scratch = new Uint8Array(sectorSize);
  while (cur < total && produced < ramLen) {
    const left = sectorSize - cur % sectorSize;
    if (left < LZO_LEN) { cur += left; continue; } // padding: a segment header never straddles a sector
    if (cur + LZO_LEN > total) break;
    const seg = <i32>u32le(src, cur);
    cur += LZO_LEN;
    if (seg <= 0 || seg > worst || cur + seg > total) {
      corrupt("btrfs.lzo.segment", where + ": lzo segment at byte " + (cur - LZO_LEN).toString() + " claims " +
        (<u32>seg).toString() + " bytes (at most " + worst.toString() + ", " + (total - cur).toString() + " left)");
      return null;
    }
    // each segment holds at most one sector; the extent's last may run past ramLen
    const n = lzo1xDecompress(src, cur, seg, scratch, 0, sectorSize, where + " segment at byte " + (cur - LZO_LEN).toString());
    if (n < 0) return null;
    const take = min(n, ramLen - produced);
    memory.copy(out.dataStart + <usize>produced, scratch.dataStart, <usize>take);
    produced += take;
    cur += seg;
  }
  // the kernel compresses only up to i_size: the rest of the last sector reads as zeros
  return out;
}
