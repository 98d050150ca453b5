// SPDX-License-Identifier: Apache-2.0
// Random access inside compressed streams whose decoder looks far back: one
// zstd frame (a window of up to 128 MiB) or one LZMA2 block (a dictionary of
// up to 64 MiB at xz -9) holding a whole disk image. The idea of zran.ts, with
// a large window: one sequential pass decodes every stream and, every
// `spacing` units of decode cost, keeps a checkpoint — the codec's state at a
// unit boundary (zstd block, LZMA2 chunk) and the window before it. A read
// decodes from the nearest checkpoint at or before it.
//
// Windows are large, so they are kept as 64 KiB pages keyed by their place in
// the output: a page that is all zeros (most of a sparse disk) is not kept at
// all, and a page two checkpoints' windows share is kept once. The pass also
// records which pages are all zeros, so reads there decode nothing. Memory
// stays under `budget`: when pages and states pass it, every other
// checkpoint is dropped and the spacing doubles (as zran.ts does).
//
// The decode cost between checkpoints counts compressed bytes plus a fraction
// of the output (an eighth for zstd, a 32nd for LZMA, whose compressed bytes
// are slower): a run of zeros decodes fast, entropy-coded data does not, so
// checkpoints fall densely where decoding is slow.

import { hostProgress } from "../io/host";
import { corrupt, limit, addContext } from "../util/error";
import { hex64 } from "../util/bytes";
import { lastAtOrBefore } from "../util/search";

const PAGE_SHIFT: i32 = 16;
export const PAGE: i32 = 1 << PAGE_SHIFT;
/** Decoded pages kept for reads (64 KiB each). */
const CACHE_PAGES: i32 = 128;
/** hostProgress phase of an index pass (as zran.ts). */
const PHASE_INDEX: i32 = 1;
/** Most checkpoints (bounds the list whatever the budget). */
const MAX_POINTS: i32 = 1 << 16;

/** Test hook values; 0 = the defaults. */
let testBudget: i64 = 0;
let testSpacing: u64 = 0;
/** Test hook: a small budget and spacing exercise thinning on small inputs. */
export function configureWindowIndex(budget: i64, spacing: u64): void {
  testBudget = budget;
  testSpacing = spacing;
}

/** Facts about the last index built (for tests and the bench). */
export class WindowIndexStats {
  points: i32 = 0;
  pages: i32 = 0;
  /** pages + states + tails + zero map, bytes */
  indexBytes: f64 = 0;
  /** the decode buffer (window + room), bytes */
  bufferBytes: f64 = 0;
  spacing: f64 = 0;
  outputBytes: f64 = 0;
}
export const lastWindowIndex = new WindowIndexStats();

/** A codec's state at a unit boundary; `bytes` is what it holds in memory. */
export abstract class ResumeState {
  abstract get bytes(): i32;
}

/**
 * A decoder of one or more streams laid end to end in the output, working in
 * the index's buffer: history from `histStart`, the next byte at `outPos`.
 */
export abstract class WindowDecoder {
  buf: Uint8Array = new Uint8Array(0);
  /** output offset of buf[0] (the index moves it) */
  bufAbs: u64 = 0;
  outPos: i32 = 0;
  histStart: i32 = 0;
  /** true during the index pass: verify the streams' checksums and sizes */
  verifying: bool = false;
  /** decode cost between checkpoints at first (compressed bytes, plus output >> outShift) */
  firstSpacing: u64 = 1 << 20;
  /** output bytes cost 2^-outShift of a compressed byte (runs of zeros decode fast) */
  outShift: i32 = 3;
  abstract get streams(): i32;
  /** history bytes stream `s` may reach back */
  abstract window(s: i32): i32;
  /** most output bytes one step() makes */
  abstract get maxUnit(): i32;
  /** fresh state at the start of stream `s`, its output starting at outPos */
  abstract begin(s: i32): bool;
  /** decodes one unit at outPos: 1 = decoded, 0 = the stream ended, -1 = error set */
  abstract step(): i32;
  /** file offset of the next input byte */
  abstract get inputAt(): u64;
  /** the state at the current unit boundary */
  abstract save(): ResumeState;
  /** back to a saved state; outPos and histStart are already set by the index; `bufAbs` is the output offset of buf[0] */
  abstract restore(s: ResumeState, bufAbs: u64): bool;
  /** the buffer's contents moved `shift` bytes down */
  abstract slid(shift: i32): void;
  /** a read is done: keep what other users of the codec might overwrite */
  suspend(): void {}
  /** a read goes on from where the last one stopped */
  resume(): bool { return true; }
}

class Page {
  refs: i32 = 1;
  constructor(public data: Uint8Array) {}
}

class Point {
  constructor(
    public out: u64,
    public stream: i32,
    public streamStart: u64,
    public state: ResumeState,
    /** output offset of the window's first page (page aligned) */
    public winStart: u64,
    /** the bytes of the page holding `out` before it; null when none or all zero */
    public tail: Uint8Array | null,
  ) {}
  get streamHead(): bool { return this.out == this.streamStart; }
}

export class WindowIndex {
  size: u64 = 0;
  private points: Point[] = [];
  private pages: Map<u64, Page> = new Map<u64, Page>();
  private pageBytes: i64 = 0;
  private stateBytes: i64 = 0;
  private budget: i64 = 0;
  private spacing: u64 = 1 << 20;
  /** one bit per page of output: set when the page holds a non-zero byte */
  private nonzero: Uint8Array = new Uint8Array(1024);
  private streamStarts: u64[] = [];
  private keep: i32 = 0;
  private live: bool = false;
  private liveStream: i32 = 0;
  private cacheKeys: u64[] = [];
  private cacheData: Uint8Array[] = [];

  constructor(public dec: WindowDecoder, public name: string, public progressTotal: f64) {}

  /**
   * Makes the buffer hold a `window`-byte history. Called at a stream's start
   * (a later stream may need a larger window): the bytes of the page the
   * stream starts in move to the new buffer, for the checkpoints' pages.
   */
  private fit(window: i32): void {
    const d = this.dec;
    if (d.buf.length > 0 && window + PAGE <= this.keep) return;
    // room between slides: each slide moves `keep` bytes, so more room means fewer, cheaper per byte
    const room = max(16 << 20, window >> 1);
    const keep = window + PAGE;
    const bytes = keep + room + d.maxUnit;
    const nb = new Uint8Array(bytes);
    const abs = d.bufAbs + <u64>d.outPos;
    const from = (abs >> PAGE_SHIFT) << PAGE_SHIFT;
    const n = <i32>(abs - from);
    if (n > 0) memory.copy(nb.dataStart, d.buf.dataStart + <usize>(from - d.bufAbs), <usize>n);
    d.buf = nb;
    d.bufAbs = from;
    d.outPos = n;
    d.histStart = n;
    this.keep = keep;
    this.budget = testBudget > 0 ? testBudget : max<i64>(48 << 20, (224 << 20) - <i64>bytes);
    lastWindowIndex.bufferBytes = <f64>bytes;
  }

  private isNonzero(page: u64): bool {
    const i = <i32>(page >> 3);
    return i < this.nonzero.length && (this.nonzero[i] & (1 << <u8>(page & 7))) != 0;
  }

  /** Marks the pages of output [abs, abs+len), at buffer pointer ptr, that hold a non-zero byte. */
  private markNonzero(ptr: usize, abs: u64, len: i32): void {
    let at = abs;
    const end = abs + <u64>len;
    while (at < end) {
      const page = at >> PAGE_SHIFT;
      const pageEnd = min((page + 1) << PAGE_SHIFT, end);
      if (!this.isNonzero(page) && !allZero(ptr + <usize>(at - abs), <i32>(pageEnd - at))) {
        const i = <i32>(page >> 3);
        if (i >= this.nonzero.length) {
          const grown = new Uint8Array(max(i + 1, this.nonzero.length * 2));
          grown.set(this.nonzero);
          this.nonzero = grown;
        }
        this.nonzero[i] |= <u8>(1 << <u8>(page & 7));
      }
      at = pageEnd;
    }
  }

  /** Moves the last `keep` bytes to the buffer's start when fewer than one unit's room is left. */
  private makeRoom(): void {
    const d = this.dec;
    if (d.buf.length - d.outPos >= d.maxUnit) return;
    const shift = d.outPos - this.keep;
    memory.copy(d.buf.dataStart, d.buf.dataStart + <usize>shift, <usize>this.keep);
    d.outPos -= shift;
    d.histStart = max(0, d.histStart - shift);
    this.dec.bufAbs += <u64>shift;
    d.slid(shift);
  }

  /** The index pass over every stream; false with the error set. */
  build(): bool {
    const d = this.dec;
    this.spacing = testSpacing > 0 ? testSpacing : d.firstSpacing;
    d.verifying = true;
    d.outPos = 0;
    this.dec.bufAbs = 0;
    let lastIn = d.inputAt, lastOut: u64 = 0, lastReport: u64 = 0;
    // the decoder may find more streams as it goes (zstd frames after the first)
    for (let s = 0; s < d.streams; s++) {
      this.fit(d.window(s));
      const start = this.dec.bufAbs + <u64>d.outPos;
      this.streamStarts.push(start);
      d.histStart = d.outPos;
      if (!d.begin(s)) { addContext(this.name); return false; }
      this.addPoint(s, start);
      lastIn = d.inputAt;
      lastOut = start;
      for (;;) {
        this.makeRoom();
        const before = d.outPos;
        const r = d.step();
        if (r < 0) { addContext(this.name + ", decompressed offset " + hex64(this.dec.bufAbs + <u64>before)); return false; }
        const n = d.outPos - before;
        if (n > 0) this.markNonzero(d.buf.dataStart + <usize>before, this.dec.bufAbs + <u64>before, n);
        if (r == 0) break;
        const at = this.dec.bufAbs + <u64>d.outPos;
        if (d.inputAt - lastIn + ((at - lastOut) >> d.outShift) >= this.spacing) {
          this.addPoint(s, start);
          lastIn = d.inputAt;
          lastOut = at;
        }
        if (at - lastReport >= (16 << 20)) {
          hostProgress(PHASE_INDEX, <f64>d.inputAt, this.progressTotal);
          lastReport = at;
        }
      }
    }
    d.verifying = false;
    this.size = this.dec.bufAbs + <u64>d.outPos;
    hostProgress(PHASE_INDEX, this.progressTotal, this.progressTotal);
    this.live = false;
    const st = lastWindowIndex;
    st.points = this.points.length;
    st.pages = this.pages.size;
    st.indexBytes = <f64>(this.pageBytes + this.stateBytes + <i64>this.nonzero.length + <i64>this.points.length * 64);
    st.spacing = <f64>this.spacing;
    st.outputBytes = <f64>this.size;
    return true;
  }

  private addPoint(s: i32, streamStart: u64): void {
    const d = this.dec;
    const c = this.dec.bufAbs + <u64>d.outPos;
    const w = <u64>d.window(s);
    const from = c - streamStart > w ? c - w : streamStart;
    const last = c >> PAGE_SHIFT; // the page holding c: kept as the tail
    // a stream's start needs no window (what lies before it is out of reach)
    const first = c == streamStart ? last : from >> PAGE_SHIFT;
    for (let k = first; k < last; k++) {
      if (!this.isNonzero(k)) continue;
      if (this.pages.has(k)) { this.pages.get(k).refs++; continue; }
      const b = new Uint8Array(PAGE);
      memory.copy(b.dataStart, d.buf.dataStart + <usize>((k << PAGE_SHIFT) - this.dec.bufAbs), <usize>PAGE);
      this.pages.set(k, new Page(b));
      this.pageBytes += PAGE;
    }
    const tailLen = <i32>(c - (last << PAGE_SHIFT));
    let tail: Uint8Array | null = null;
    const tailPtr = d.buf.dataStart + <usize>((last << PAGE_SHIFT) - this.dec.bufAbs);
    if (tailLen > 0 && c != streamStart && !allZero(tailPtr, tailLen)) {
      const t = new Uint8Array(tailLen);
      memory.copy(t.dataStart, tailPtr, <usize>tailLen);
      tail = t;
    }
    const state = d.save();
    const p = new Point(c, s, streamStart, state, first << PAGE_SHIFT, tail);
    this.points.push(p);
    this.stateBytes += this.pointBytes(p);
    while ((this.pageBytes + this.stateBytes > this.budget || this.points.length > MAX_POINTS) && this.thin()) {}
    // nothing left to drop and still over: this checkpoint cannot be afforded
    if (this.pageBytes + this.stateBytes > this.budget && !p.streamHead && this.points.length > 0 && this.points[this.points.length - 1] === p) {
      this.points.pop();
      this.release(p);
    }
  }

  private pointBytes(p: Point): i64 {
    const t = p.tail;
    return <i64>p.state.bytes + (t !== null ? <i64>t.length : 0) + 64;
  }

  private release(p: Point): void {
    this.stateBytes -= this.pointBytes(p);
    const last = p.out >> PAGE_SHIFT;
    for (let k = p.winStart >> PAGE_SHIFT; k < last; k++) {
      if (!this.pages.has(k)) continue;
      const pg = this.pages.get(k);
      if (--pg.refs == 0) {
        this.pages.delete(k);
        this.pageBytes -= PAGE;
      }
    }
  }

  /** Drops every other checkpoint that does not start a stream and doubles the spacing; false when none could go. */
  private thin(): bool {
    const kept: Point[] = [];
    let odd = false;
    let dropped = 0;
    for (let i = 0; i < this.points.length; i++) {
      const p = this.points[i];
      if (!p.streamHead) {
        odd = !odd;
        if (!odd) { this.release(p); dropped++; continue; }
      }
      kept.push(p);
    }
    this.points = kept;
    this.spacing <<= 1;
    __collect();
    return dropped > 0;
  }

  /** Index of the last checkpoint at or before `offset`. */
  private find(offset: u64): i32 {
    return lastAtOrBefore<Point>(this.points, offset, (p: Point): u64 => p.out);
  }

  /** Puts the decoder at checkpoint p: its window pages, then its tail, then its state. */
  private restore(p: Point): bool {
    const d = this.dec;
    const base = d.buf.dataStart;
    const last = p.out >> PAGE_SHIFT;
    let at: usize = 0;
    for (let k = p.winStart >> PAGE_SHIFT; k < last; k++) {
      if (this.pages.has(k)) memory.copy(base + at, this.pages.get(k).data.dataStart, <usize>PAGE);
      else memory.fill(base + at, 0, <usize>PAGE);
      at += <usize>PAGE;
    }
    const tailLen = <i32>(p.out - (last << PAGE_SHIFT));
    const t = p.tail;
    if (t !== null) memory.copy(base + at, t.dataStart, <usize>tailLen);
    else memory.fill(base + at, 0, <usize>tailLen);
    this.dec.bufAbs = p.winStart;
    d.outPos = <i32>(p.out - p.winStart);
    d.histStart = p.streamStart > p.winStart ? <i32>(p.streamStart - p.winStart) : 0;
    this.liveStream = p.stream;
    if (p.streamHead) return d.begin(p.stream);
    return d.restore(p.state, this.dec.bufAbs);
  }

  private cached(page: u64): Uint8Array | null {
    const keys = this.cacheKeys;
    for (let i = keys.length - 1; i >= 0; i--) {
      if (keys[i] == page) {
        const data = this.cacheData[i];
        if (i != keys.length - 1) {
          keys.splice(i, 1); this.cacheData.splice(i, 1);
          keys.push(page); this.cacheData.push(data);
        }
        return data;
      }
    }
    return null;
  }

  private cachePage(page: u64, ptr: usize, len: i32): void {
    let b: Uint8Array;
    if (this.cacheKeys.length >= CACHE_PAGES) {
      this.cacheKeys.shift();
      b = this.cacheData.shift();
    } else {
      b = new Uint8Array(PAGE);
    }
    memory.copy(b.dataStart, ptr, <usize>len);
    this.cacheKeys.push(page);
    this.cacheData.push(b);
  }

  /** Decodes the page `page` (and caches the pages decoded with it); null with the error set. */
  private decodePage(page: u64): Uint8Array | null {
    const d = this.dec;
    const start = page << PAGE_SHIFT;
    const end = min(start + <u64>PAGE, this.size);
    const i = this.find(start);
    const p = this.points[i];
    const liveAt = this.dec.bufAbs + <u64>d.outPos;
    // going on from where the last read stopped beats a restore when it lies between the checkpoint and the page
    if (!(this.live && liveAt >= p.out && liveAt <= start)) {
      this.live = false;
      if (!this.restore(p)) { addContext(this.name + ": checkpoint at " + hex64(p.out)); return null; }
      this.live = true;
    } else if (!this.resume()) {
      this.live = false;
      return null;
    }
    while (this.dec.bufAbs + <u64>d.outPos < end) {
      this.makeRoom();
      const before = d.outPos;
      const r = d.step();
      if (r < 0) { this.live = false; addContext(this.name + ", decompressed offset " + hex64(this.dec.bufAbs + <u64>before)); return null; }
      if (r == 0) {
        if (this.liveStream + 1 >= d.streams) break;
        this.liveStream++;
        d.histStart = d.outPos;
        if (!d.begin(this.liveStream)) { this.live = false; return null; }
      }
      // keep every non-zero page this step completed, from the one asked for on
      const lo = this.dec.bufAbs + <u64>before, hi = this.dec.bufAbs + <u64>d.outPos;
      for (let k = max(page, lo >> PAGE_SHIFT); (k << PAGE_SHIFT) < this.size; k++) {
        const ks = k << PAGE_SHIFT;
        const ke = min(ks + <u64>PAGE, this.size);
        if (ke > hi) break;
        if (this.isNonzero(k) && this.cached(k) === null) this.cachePage(k, d.buf.dataStart + <usize>(ks - this.dec.bufAbs), <i32>(ke - ks));
      }
    }
    this.suspend();
    const got = this.cached(page);
    if (got === null) {
      this.live = false;
      corrupt("zindex.changed", this.name + ": decoding from the checkpoint at " + hex64(p.out) + " did not reach " + hex64(end) + " as the index pass did");
      return null;
    }
    return got;
  }

  // zstd's tables are module-level and other readers (qcow2 clusters) use them between reads
  private suspend(): void { this.dec.suspend(); }
  private resume(): bool { return this.dec.resume(); }

  /** Copies output [offset, offset+len) to dst; false with the error set. */
  readInto(offset: u64, len: i32, dst: usize): bool {
    if (len < 0 || offset > this.size || <u64>len > this.size - offset) {
      corrupt("io.past-end", this.name + ": read of " + len.toString() + " bytes at " + hex64(offset) + " goes past the end (" + this.size.toString() + " bytes)");
      return false;
    }
    let pos = offset;
    let out = dst;
    let left = len;
    while (left > 0) {
      const page = pos >> PAGE_SHIFT;
      const within = <i32>(pos - (page << PAGE_SHIFT));
      const n = min(left, PAGE - within);
      if (!this.isNonzero(page)) {
        memory.fill(out, 0, <usize>n);
      } else {
        let data = this.cached(page);
        if (data === null) data = this.decodePage(page);
        if (data === null) return false;
        memory.copy(out, data.dataStart + <usize>within, <usize>n);
      }
      pos += <u64>n;
      out += <usize>n;
      left -= n;
    }
    return true;
  }
}

function allZero(ptr: usize, len: i32): bool {
  let i = 0;
  for (; i + 8 <= len; i += 8) if (load<u64>(ptr + <usize>i) != 0) return false;
  for (; i < len; i++) if (load<u8>(ptr + <usize>i) != 0) return false;
  return true;
}

/** The limit error for a window larger than the index can hold. */
export function windowTooLarge(code: string, what: string, window: u64, most: u64, remedy: string): void {
  limit(code, what + " needs a " + (window >> 20).toString() + " MiB window; guestcheck holds at most " + (most >> 20).toString() + " MiB — " + remedy);
}
