// SPDX-License-Identifier: Apache-2.0
// A .zst image read in place. zstd frames are independent (no dictionary, no
// history across frames), so frames of up to MAX_FRAME bytes — pzstd's, or
// concatenated ones — are the natural checkpoints: one pass over the frame and
// block headers indexes them, and a read decodes the frame it touches, keeping
// the last one decoded.
//
// Plain `zstd FILE` writes one frame for the whole input. When any frame is
// larger than MAX_FRAME or does not say its size (written from a pipe: decoding
// it once just to measure it would be a pass of its own), every frame is read
// through a checkpoint index inside the frames instead (asm/codec/window-index.ts, zstd-stream.ts): one
// sequential decode keeps, every few MiB, the window and entropy state to
// resume at a block boundary. Such a frame's window may be at most MAX_WINDOW
// (zstd-stream.ts).

import { Device } from "../io/device";
import { corrupt, addContext } from "../util/error";
import { hex64 } from "../util/bytes";
import { zstdFrameHeader, zstdDecompressFrame } from "../codec/zstd";
import { ZstdFrame, ZstdStreamDecoder, windowFits } from "../codec/zstd-stream";
import { WindowIndex } from "../codec/window-index";
import { lastAtOrBefore } from "../util/search";

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
  /** set when the frames are read through the checkpoint index */
  private index: WindowIndex | null = null;
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
    const frames: ZstdFrame[] = [];
    let big = false;
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
      if (info.contentSize > <i64>MAX_FRAME || info.contentSize < 0) {
        // Read through the index: its one pass finds this frame's end and the
        // frames after it (walking the block headers here would read the file twice).
        frames.push(new ZstdFrame(off, info.headerLen, 0, info.windowSize, info.checksum, info.contentSize));
        return this.openIndexed(frames);
      }
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
        if ((bh & 1) != 0) break;
      }
      const frameEnd = p;
      if (info.checksum) p += 4;
      if (p > end) {
        corrupt("zstd.checksum", this.name + ": the zstd frame at " + hex64(off) + " is truncated before its checksum");
        return false;
      }
      if (info.contentSize > <i64>MAX_FRAME || <i64>(p - off) > MAX_FRAME_SRC) big = true;
      frames.push(new ZstdFrame(off, info.headerLen, frameEnd, info.windowSize, info.checksum, info.contentSize));
      off = p;
    }
    if (frames.length == 0) {
      corrupt("zstd.frame", this.name + ": the zstd file holds no data");
      return false;
    }
    for (let i = 0; i < frames.length && !big; i++) {
      const fr = frames[i];
      if (fr.contentSize > 0) {
        this.cOff.push(fr.off);
        this.cLen.push(<i32>(fr.end + (fr.checksum ? 4 : 0) - fr.off));
        this.dOff.push(this.total);
        this.dLen.push(<i32>fr.contentSize);
        this.total += <u64>fr.contentSize;
      }
    }
    if (big) return this.openIndexed(frames);
    return true;
  }

  /** Reads every frame through the checkpoint index (one frame is larger than MAX_FRAME). */
  private openIndexed(frames: ZstdFrame[]): bool {
    this.cache = new Uint8Array(0);
    this.cached = -1;
    for (let i = 0; i < frames.length; i++) if (!windowFits(this.name, frames[i])) return false;
    const index = new WindowIndex(new ZstdStreamDecoder(this.file, frames), this.name + " (zstd)", <f64>this.file.size);
    if (!index.build()) return false;
    this.index = index;
    this.total = index.size;
    if (this.total == 0) {
      corrupt("zstd.frame", this.name + ": the zstd file holds no data");
      return false;
    }
    return true;
  }

  /** Index of the frame holding decoded byte `offset` (offset < total). */
  private frameAt(offset: u64): i32 {
    return lastAtOrBefore<u64>(this.dOff, offset, (d: u64): u64 => d);
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
    const index = this.index;
    if (index !== null) return index.readInto(offset, len, dst);
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
