// SPDX-License-Identifier: Apache-2.0
// A .zst image read in place, frame by frame: zstd frames are independent
// (no dictionary, no history across frames), so they are the natural
// checkpoints. One sequential pass over the frame and block headers indexes
// every frame (compressed offset/size, decompressed offset/size); a read
// decodes the frame(s) it touches, keeping the last one decoded.
//
// A frame's decoded bytes are held whole while it is read, so one frame may
// hold at most MAX_FRAME bytes. `zstd FILE` writes a single frame for the
// whole input: such an image bigger than MAX_FRAME is refused with a clear
// limit error naming the remedies (pzstd, which writes independent frames, or
// decompressing first) rather than decoded from its start on every jump.

import { Device } from "../io/device";
import { corrupt, limit, addContext, lastError } from "../util/error";
import { hex64 } from "../util/bytes";
import { zstdFrameHeader, zstdDecompressFrame } from "../codec/zstd";

/** Most decoded bytes one frame may hold (and so the frame cache's size). */
export const MAX_FRAME: i32 = 64 << 20;
/** Most compressed bytes one frame may take: MAX_FRAME stored raw plus block headers. */
const MAX_FRAME_SRC: i64 = <i64>MAX_FRAME + (<i64>MAX_FRAME >> 10) + 64;
/** A frame header is at most 18 bytes (RFC 8878 §3.1.1.1). */
const HEADER_MAX: i32 = 18;

export class ZstdDevice extends Device {
  private cOff: u64[] = [];
  private cLen: i32[] = [];
  private dOff: u64[] = [];
  private dLen: i32[] = [];
  private total: u64 = 0;
  private cached: i32 = -1;
  private cache: Uint8Array = new Uint8Array(0);
  notes: string[] = [];

  constructor(public file: Device) {
    super();
    this.name = file.name;
  }

  get size(): u64 { return this.total; }

  get frameCount(): i32 { return this.cOff.length; }

  /** The indexing pass; false with the error set. */
  open(): bool {
    const f = this.file;
    const end = f.size;
    let off: u64 = 0;
    let checksums = false;
    while (off < end) {
      const hl = <i32>min<u64>(<u64>HEADER_MAX, end - off);
      const head = f.read(off, hl);
      if (head === null) return false;
      const info = zstdFrameHeader(head, 0);
      if (info === null) { addContext(this.name + ": frame at " + hex64(off)); return false; }
      if (info.skippable) {
        if (<u64>info.skipLen > end - off) {
          corrupt("zstd.frame", this.name + ": skippable frame at " + hex64(off) + " runs past the end of the file");
          return false;
        }
        off += <u64>info.skipLen;
        continue;
      }
      if (info.checksum) checksums = true;
      // walk the block headers to the frame's end; every block takes at least 3 bytes
      let p = off + <u64>info.headerLen;
      for (;;) {
        if (p + 3 > end) {
          corrupt("zstd.block-size", this.name + ": the zstd frame at " + hex64(off) + " is truncated (block header at " + hex64(p) + ")");
          return false;
        }
        const b = f.read(p, 3);
        if (b === null) return false;
        const bh = <i32>b[0] | (<i32>b[1] << 8) | (<i32>b[2] << 16);
        const type = (bh >> 1) & 3;
        const size = <u64>(bh >>> 3);
        p += 3 + (type == 1 ? 1 : size);
        if (p > end) {
          corrupt("zstd.block-size", this.name + ": the zstd frame at " + hex64(off) + " is truncated (its block at " + hex64(p - 3 - size) + " runs past the end)");
          return false;
        }
        if (<i64>(p - off) > MAX_FRAME_SRC) { tooBig(this.name, off); return false; }
        if ((bh & 1) != 0) break;
      }
      if (info.checksum) p += 4;
      if (p > end) {
        corrupt("zstd.checksum", this.name + ": the zstd frame at " + hex64(off) + " is truncated before its checksum");
        return false;
      }
      let dlen: i64 = info.contentSize;
      if (dlen > <i64>MAX_FRAME) { tooBig(this.name, off); return false; }
      const clen = <i32>(p - off);
      if (dlen < 0) {
        // no content size in the header (a streamed frame): decode it once to learn it
        const src = f.read(off, clen);
        if (src === null) return false;
        if (this.cache.length < MAX_FRAME) this.cache = new Uint8Array(MAX_FRAME);
        this.cached = -1;
        const n = zstdDecompressFrame(src, 0, this.cache, 0);
        if (n < 0) {
          const e = lastError();
          if (e !== null && e.code == "zstd.too-large") { tooBig(this.name, off); return false; }
          addContext(this.name + ": frame at " + hex64(off));
          return false;
        }
        dlen = n;
      }
      if (dlen > 0) {
        this.cOff.push(off);
        this.cLen.push(clen);
        this.dOff.push(this.total);
        this.dLen.push(<i32>dlen);
        this.total += <u64>dlen;
      }
      off = p;
    }
    if (this.cOff.length == 0) {
      corrupt("zstd.frame", this.name + ": the zstd file holds no data");
      return false;
    }
    // frames without a checksum are normal (qemu, pzstd --no-check): no note, as for gzip
    void checksums;
    return true;
  }

  /** Index of the frame holding decoded byte `offset` (offset < total). */
  private frameAt(offset: u64): i32 {
    let lo = 0, hi = this.dOff.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.dOff[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  private load(i: i32): bool {
    if (this.cached == i) return true;
    const src = this.file.read(this.cOff[i], this.cLen[i]);
    if (src === null) return false;
    if (this.cache.length < this.dLen[i]) this.cache = new Uint8Array(this.dLen[i]);
    this.cached = -1;
    const n = zstdDecompressFrame(src, 0, this.cache, 0);
    if (n < 0) {
      addContext(this.name + ": frame at " + hex64(this.cOff[i]));
      return false;
    }
    if (n != this.dLen[i]) {
      corrupt("zstd.content-size", this.name + ": the zstd frame at " + hex64(this.cOff[i]) + " decodes to " + n.toString() + " bytes, not " + this.dLen[i].toString());
      return false;
    }
    this.cached = i;
    return true;
  }

  readInto(offset: u64, len: i32, dst: usize): bool {
    if (len < 0 || offset > this.total || <u64>len > this.total - offset) {
      corrupt("io.past-end", this.name + ": read of " + len.toString() + " bytes at " + hex64(offset) + " goes past the end (" + this.total.toString() + " bytes)");
      return false;
    }
    let done = 0;
    while (done < len) {
      const pos = offset + <u64>done;
      const i = this.frameAt(pos);
      if (!this.load(i)) return false;
      const within = <i32>(pos - this.dOff[i]);
      const take = min(len - done, this.dLen[i] - within);
      memory.copy(dst + <usize>done, this.cache.dataStart + <usize>within, <usize>take);
      done += take;
    }
    return true;
  }
}

function tooBig(name: string, off: u64): void {
  limit("zstd.frame-too-large", name + ": the zstd frame at " + hex64(off) + " holds more than " + (MAX_FRAME >> 20).toString() +
    " MiB; guestcheck reads .zst images frame by frame, so recompress it into independent frames with pzstd " +
    "(pzstd -d, then pzstd FILE) or decompress it first (zstd -d FILE) — plain zstd, with or without --long or -B, writes one frame");
}
