// SPDX-License-Identifier: Apache-2.0
// Random access into deflate streams (the idea of zlib's examples/zran.c):
// one sequential pass records checkpoints — the input bit position, the
// decoder's block state and the 32 KiB of output before it — every
// `spacing` bytes of output; a read then inflates from the nearest
// checkpoint at or before it. Every stream (gzip member, zip entry) starts
// with a checkpoint that needs no window.
//
// Memory stays bounded whatever the size: at most MAX_WINDOWS windows are
// kept (when the pass reaches that many, every other one is dropped and the
// spacing doubles), an all-zero window — most of a disk image — is stored as
// nothing, and decoded segments live in a small LRU cache.

import { Device } from "../io/device";
import { hostProgress } from "../io/host";
import { Inflater, InflateResult, InflateState, WINDOW } from "./inflate";
import { corrupt, addContext } from "../util/error";
import { hex64 } from "../util/bytes";
import { lastAtOrBefore } from "../util/search";

/** Output between checkpoints at the start; doubles when the windows run out. */
let FIRST_SPACING: u64 = 1 << 20;
/** At most this many 32 KiB windows (64 MiB). */
let MAX_WINDOWS: i32 = 2048;
/** Output buffer of the index pass beyond the window. */
const CHUNK: i32 = 256 << 10;
/**
 * Decoded segments kept for reads: ~6 of the usual 1.3 MiB. The checks read
 * metadata and a few files front to back, and 8 MiB re-decodes nothing more
 * than 16 did on the bench's Linux and Windows .gz images (the same input
 * bytes read), while 16 took the engine's memory past 64 MiB, to 128.
 */
const SEGMENT_CACHE: i32 = 8 << 20;
/** Segments longer than this are decoded through, not cached. */
let MAX_SEGMENT: i32 = 8 << 20;

/** Test hook: smaller spacing and budgets exercise thinning and decode-through on small inputs. */
export function configureIndex(spacing: u64, maxWindows: i32, maxSegment: i32): void {
  FIRST_SPACING = spacing;
  MAX_WINDOWS = maxWindows;
  MAX_SEGMENT = maxSegment;
}
/** hostProgress phase of the index pass. */
export const PHASE_INDEX: i32 = 1;

export class Checkpoint {
  constructor(
    public out: u64, // offset in the decompressed data
    public bit: u64, // input bit position of the next symbol
    public headerBit: u64, // input bit position of the current block's header (Huffman state)
    public state: InflateState,
    public lastBlock: bool,
    public storedLeft: i32,
    public window: Uint8Array | null, // the bytes before `out` (null: none, or all zeros)
    public windowLen: i32,
  ) {}
}

/** Receives the output of the index pass (to checksum it). */
export abstract class OutputSink {
  abstract take(ptr: usize, len: i32): void;
}

class Segment {
  constructor(public index: i32, public data: Uint8Array, public buf: Uint8Array) {}
}

function allZero(ptr: usize, len: i32): bool {
  let i = 0;
  for (; i + 8 <= len; i += 8) if (load<u64>(ptr + <usize>i) != 0) return false;
  for (; i < len; i++) if (load<u8>(ptr + <usize>i) != 0) return false;
  return true;
}

/**
 * The checkpoint index over one input device holding one or more deflate
 * streams laid end to end in the output. Build it with indexStream() for each
 * stream in order, then read through readInto().
 */
export class DeflateIndex {
  points: Checkpoint[] = [];
  size: u64 = 0; // decompressed bytes indexed so far
  spacing: u64 = FIRST_SPACING;
  windows: i32 = 0;
  private z: Inflater = new Inflater();
  private buf: Uint8Array = new Uint8Array(WINDOW + CHUNK);
  private cache: Segment[] = []; // most recently used last
  private cached: i32 = 0;
  // Segment buffers all have one capacity (the longest segment), so an evicted
  // one is reused rather than left to the collector: memory stays flat under
  // a filesystem's scattered reads.
  private segCap: i32 = 0;
  private free: Uint8Array[] = [];
  /** input bytes the progress total counts (the whole input) */
  progressTotal: f64 = 0;

  constructor(public src: Device, public name: string) {}

  /**
   * Decodes one deflate stream starting at input byte `start`, appending its
   * output to the index. Returns the input byte just past the stream, or -1
   * with the error set.
   */
  indexStream(start: u64, sink: OutputSink | null): i64 {
    const z = this.z;
    z.name = this.name;
    z.partial = false;
    if (!z.setSource(this.src, this.src.size, start << 3, 1 << 20)) { addContext(this.name); return -1; }
    this.points.push(new Checkpoint(this.size, start << 3, start << 3, InflateState.Header, false, 0, null, 0));
    const ptr = this.buf.dataStart;
    const cap = this.buf.length;
    z.setOutput(ptr, cap, 0);
    let taken = 0;
    let lastPoint = this.size;
    let lastReport = this.size;
    while (true) {
      const r = z.run();
      if (r == InflateResult.Error) return -1;
      const n = z.outPos - taken;
      if (n > 0 && sink !== null) sink.take(ptr + <usize>taken, n);
      this.size += <u64>n;
      if (r == InflateResult.Done) break;
      if (this.size - lastPoint >= this.spacing) {
        this.addPoint(ptr, z.outPos);
        lastPoint = this.size;
      }
      // Keep the last 32 KiB as history for the distances of what follows.
      const keep = min(WINDOW, z.outPos);
      memory.copy(ptr, ptr + <usize>(z.outPos - keep), <usize>keep);
      z.setOutput(ptr, cap, keep);
      taken = keep;
      if (this.size - lastReport >= (16 << 20)) {
        hostProgress(PHASE_INDEX, <f64>(z.bitPos >> 3), this.progressTotal);
        lastReport = this.size;
      }
    }
    return <i64>z.endByte;
  }

  private addPoint(ptr: usize, outPos: i32): void {
    const z = this.z;
    const wlen = min(WINDOW, outPos);
    let w: Uint8Array | null = null;
    const at = ptr + <usize>(outPos - wlen);
    if (!allZero(at, wlen)) {
      if (this.windows >= MAX_WINDOWS) this.thin();
      const b = new Uint8Array(wlen);
      memory.copy(b.dataStart, at, <usize>wlen);
      w = b;
      this.windows++;
    }
    this.points.push(new Checkpoint(this.size, z.bitPos, z.headerBit, z.state, z.lastBlock, z.storedLeft, w, wlen));
  }

  /** Drops every other checkpoint that is not a stream start, and doubles the spacing. */
  private thin(): void {
    const kept: Checkpoint[] = [];
    let odd = false;
    let windows = 0;
    for (let i = 0; i < this.points.length; i++) {
      const p = this.points[i];
      const streamStart = p.state == InflateState.Header && p.windowLen == 0;
      if (!streamStart) {
        odd = !odd;
        if (!odd) continue;
      }
      if (p.window !== null) windows++;
      kept.push(p);
    }
    this.points = kept;
    this.windows = windows;
    this.spacing <<= 1;
    // The dropped windows are many and large: reclaim them now, not cycles later.
    __collect();
  }

  /** Index of the last checkpoint at or before `offset`. */
  private find(offset: u64): i32 {
    return lastAtOrBefore<Checkpoint>(this.points, offset, (p: Checkpoint): u64 => p.out);
  }

  private segmentEnd(i: i32): u64 {
    return i + 1 < this.points.length ? this.points[i + 1].out : this.size;
  }

  /** Sets the decoder at checkpoint p, its window just before `base`, room for `len` bytes after it. */
  private restore(p: Checkpoint, base: usize, len: i32): bool {
    const w = p.window;
    if (w !== null) memory.copy(base, w.dataStart, <usize>p.windowLen);
    else memory.fill(base, 0, <usize>p.windowLen);
    const z = this.z;
    z.name = this.name;
    z.partial = false;
    if (p.state == InflateState.Huffman) {
      if (!z.setSource(this.src, this.src.size, p.headerBit)) return false;
      if (z.beginBlock() != InflateResult.Done) return false;
      if (z.state != InflateState.Huffman || !z.seek(p.bit)) {
        corrupt("zran.changed", this.name + ": the compressed data changed since it was indexed");
        return false;
      }
    } else {
      if (!z.setSource(this.src, this.src.size, p.bit)) return false;
      z.state = p.state;
      z.storedLeft = p.storedLeft;
    }
    z.lastBlock = p.lastBlock;
    z.setOutput(base, p.windowLen + len, p.windowLen);
    return true;
  }

  /** The decoded bytes from checkpoint i to the next; null with the error set. */
  private segment(i: i32): Uint8Array | null {
    for (let k = this.cache.length - 1; k >= 0; k--) {
      const s = this.cache[k];
      if (s.index == i) {
        if (k != this.cache.length - 1) { this.cache.splice(k, 1); this.cache.push(s); }
        return s.data;
      }
    }
    const p = this.points[i];
    const len = <i32>(this.segmentEnd(i) - p.out);
    if (this.segCap == 0) {
      let longest: u64 = 0;
      for (let k = 0; k < this.points.length; k++) {
        const l = this.segmentEnd(k) - this.points[k].out;
        if (l <= <u64>MAX_SEGMENT && l > longest) longest = l;
      }
      this.segCap = WINDOW + <i32>longest;
    }
    const buf = this.free.length > 0 && this.free[this.free.length - 1].length >= WINDOW + len
      ? this.free.pop()
      : new Uint8Array(max(this.segCap, WINDOW + len));
    const base = buf.dataStart + <usize>(WINDOW - p.windowLen);
    if (!this.restore(p, base, len)) return null;
    const z = this.z;
    const r = z.run();
    if (r == InflateResult.Error) return null;
    if (z.outPos != p.windowLen + len) {
      corrupt("zran.changed", this.name + ": decoding from the checkpoint at " + hex64(p.out) + " gave " +
        (z.outPos - p.windowLen).toString() + " bytes, the index pass " + len.toString());
      return null;
    }
    const data = buf.subarray(WINDOW, WINDOW + len);
    this.cache.push(new Segment(i, data, buf));
    this.cached += buf.length;
    while (this.cached > SEGMENT_CACHE && this.cache.length > 1) {
      const old = this.cache.shift();
      this.cached -= old.buf.length;
      if (this.free.length < 2) this.free.push(old.buf);
    }
    return data;
  }

  /**
   * Reads [pos, pos+n) of a segment too large to cache whole (spacing grew
   * for a huge stream): decodes from its checkpoint through the pass buffer.
   */
  private readThrough(i: i32, pos: u64, n: i32, dst: usize): bool {
    const p = this.points[i];
    const ptr = this.buf.dataStart;
    const cap = this.buf.length;
    const base = ptr + <usize>(WINDOW - p.windowLen);
    if (!this.restore(p, base, cap - WINDOW)) return false;
    const z = this.z;
    z.setOutput(ptr, cap, WINDOW);
    let at = p.out; // decompressed offset of buffer position `taken`
    let taken = WINDOW;
    const end = pos + <u64>n;
    while (true) {
      const r = z.run();
      if (r == InflateResult.Error) return false;
      const got = z.outPos - taken;
      const from = max(at, pos), to = min(at + <u64>got, end);
      if (to > from) memory.copy(dst + <usize>(from - pos), ptr + <usize>taken + <usize>(from - at), <usize>(to - from));
      at += <u64>got;
      if (at >= end) return true;
      if (r == InflateResult.Done) {
        corrupt("zran.changed", this.name + ": the stream ended at " + hex64(at) + " before " + hex64(end));
        return false;
      }
      const keep = min(WINDOW, z.outPos);
      memory.copy(ptr, ptr + <usize>(z.outPos - keep), <usize>keep);
      z.setOutput(ptr, cap, keep);
      taken = keep;
    }
    return false;
  }

  /** Copies decompressed bytes [offset, offset+len) to dst; false with the error set. */
  readInto(offset: u64, len: i32, dst: usize): bool {
    let pos = offset;
    let out = dst;
    let left = len;
    while (left > 0) {
      const i = this.find(pos);
      if (this.segmentEnd(i) - this.points[i].out > <u64>MAX_SEGMENT) {
        const n = <i32>min(<u64>left, this.segmentEnd(i) - pos);
        if (!this.readThrough(i, pos, n, out)) { addContext(this.name); return false; }
        pos += <u64>n;
        out += <usize>n;
        left -= n;
        continue;
      }
      const seg = this.segment(i);
      if (seg === null) { addContext(this.name); return false; }
      const within = <i32>(pos - this.points[i].out);
      const n = min(left, seg.length - within);
      if (n <= 0) {
        corrupt("zran.gap", this.name + ": no data at " + hex64(pos));
        return false;
      }
      memory.copy(out, seg.dataStart + <usize>within, <usize>n);
      pos += <u64>n;
      out += <usize>n;
      left -= n;
    }
    return true;
  }
}

/** The decompressed bytes of an indexed deflate source, as a Device. */
export class InflatedDevice extends Device {
  constructor(public index: DeflateIndex, name: string) {
    super();
    this.name = name;
  }
  get size(): u64 { return this.index.size; }
  readInto(offset: u64, len: i32, dst: usize): bool {
    if (offset > this.index.size || <u64>len > this.index.size - offset) {
      corrupt("io.past-end", this.name + ": read at " + hex64(offset) + " goes past the end (" + this.index.size.toString() + " bytes)");
      return false;
    }
    return this.index.readInto(offset, len, dst);
  }
}
