// SPDX-License-Identifier: Apache-2.0
// LZMA2 decoding (the filter inside .xz blocks), after the LZMA specification
// (lzma-specification.txt / LzmaSpec.cpp in the LZMA SDK) and the xz file
// format's LZMA2 chunk layout. The output buffer doubles as the dictionary,
// so the decoder needs no window of its own: decode() fills one buffer with a
// whole block; chunk() decodes one chunk at a time into a buffer the caller
// slides (window-index.ts), and save()/restore() keep the state at a chunk
// boundary, where the range coder starts afresh.

import { corrupt } from "../util/error";

const NUM_STATES: i32 = 12;
const POS_STATES_MAX: i32 = 16;
// probability array layout (u16 each)
const IS_MATCH: i32 = 0;
const IS_REP: i32 = IS_MATCH + NUM_STATES * POS_STATES_MAX;
const IS_REP0: i32 = IS_REP + NUM_STATES;
const IS_REP1: i32 = IS_REP0 + NUM_STATES;
const IS_REP2: i32 = IS_REP1 + NUM_STATES;
const IS_REP0_LONG: i32 = IS_REP2 + NUM_STATES;
const DIST_SLOT: i32 = IS_REP0_LONG + NUM_STATES * POS_STATES_MAX;
const DIST_SPECIAL: i32 = DIST_SLOT + 4 * 64;
const DIST_ALIGN: i32 = DIST_SPECIAL + 115;
const LEN_SIZE: i32 = 2 + 16 * 8 + 16 * 8 + 256;
const MATCH_LEN: i32 = DIST_ALIGN + 16;
const REP_LEN: i32 = MATCH_LEN + LEN_SIZE;
const LITERAL: i32 = REP_LEN + LEN_SIZE;
const PROBS: i32 = LITERAL + 0x300 * 16; // lc + lp ≤ 4 in LZMA2
/** Most bytes one LZMA2 chunk holds compressed (control, sizes, properties, data) and uncompressed. */
export const LZMA2_CHUNK_IN: i32 = 6 + 65536;
export const LZMA2_CHUNK_OUT: i32 = 1 << 21;

/** The decoder's state at a chunk boundary. */
export class Lzma2State {
  probs: StaticArray<u16> = new StaticArray<u16>(PROBS);
  lc: i32 = 0;
  lp: i32 = 0;
  pb: i32 = 0;
  state: i32 = 0;
  rep0: u32 = 0;
  rep1: u32 = 0;
  rep2: u32 = 0;
  rep3: u32 = 0;
  needDictReset: bool = true;
  needProps: bool = true;
  /** output offset of the last dictionary reset */
  resetAbs: u64 = 0;
  static get bytes(): i32 { return PROBS * 2 + 64; }
}

export class Lzma2Decoder {
  private probs: StaticArray<u16> = new StaticArray<u16>(PROBS);
  // range coder
  private inPtr: usize = 0;
  private inPos: i32 = 0;
  private inEnd: i32 = 0;
  private range: u32 = 0;
  private code: u32 = 0;
  private overrun: bool = false;
  // LZMA state
  private lc: i32 = 0;
  private lp: i32 = 0;
  private pb: i32 = 0;
  private state: i32 = 0;
  private rep0: u32 = 0;
  private rep1: u32 = 0;
  private rep2: u32 = 0;
  private rep3: u32 = 0;
  // output = dictionary
  private out: usize = 0;
  outPos: i32 = 0;
  private outEnd: i32 = 0;
  /** buffer index of the last dictionary reset (negative once slid out of the buffer) */
  private resetPos: i64 = 0;
  /** first buffer index a distance may reach: the reset, or the oldest byte kept */
  private dictStart: i32 = 0;
  private dictSize: u32 = 0xffffffff;
  private needDictReset: bool = true;
  private needProps: bool = true;
  name: string = "xz block";

  private fail(code: string, what: string): i32 {
    corrupt(code, this.name + ": " + what);
    return -1;
  }

  // @ts-ignore: decorator
  @inline private nextByte(): u32 {
    if (this.inPos >= this.inEnd) { this.overrun = true; return 0; }
    const b = <u32>load<u8>(this.inPtr + <usize>this.inPos);
    this.inPos++;
    return b;
  }

  // @ts-ignore: decorator
  @inline private bit(i: i32): i32 {
    const p = <u32>unchecked(this.probs[i]);
    const bound = (this.range >>> 11) * p;
    let b = 0;
    if (this.code < bound) {
      this.range = bound;
      unchecked(this.probs[i] = <u16>(p + ((2048 - p) >>> 5)));
    } else {
      this.range -= bound;
      this.code -= bound;
      unchecked(this.probs[i] = <u16>(p - (p >>> 5)));
      b = 1;
    }
    if (this.range < (1 << 24)) {
      this.range <<= 8;
      this.code = (this.code << 8) | this.nextByte();
    }
    return b;
  }

  private tree(base: i32, bits: i32): i32 {
    let m = 1;
    for (let i = 0; i < bits; i++) m = (m << 1) | this.bit(base + m);
    return m - (1 << bits);
  }

  private reverseTree(base: i32, bits: i32): u32 {
    let m = 1;
    let sym: u32 = 0;
    for (let i = 0; i < bits; i++) {
      const b = this.bit(base + m);
      m = (m << 1) | b;
      sym |= <u32>b << <u32>i;
    }
    return sym;
  }

  private direct(bits: i32): u32 {
    let r: u32 = 0;
    for (let i = 0; i < bits; i++) {
      this.range >>>= 1;
      const t = this.code >= this.range ? 1 : 0;
      if (t) this.code -= this.range;
      r = (r << 1) | <u32>t;
      if (this.range < (1 << 24)) {
        this.range <<= 8;
        this.code = (this.code << 8) | this.nextByte();
      }
    }
    return r;
  }

  private length(base: i32, posState: i32): i32 {
    if (this.bit(base) == 0) return this.tree(base + 2 + posState * 8, 3);
    if (this.bit(base + 1) == 0) return 8 + this.tree(base + 2 + 128 + posState * 8, 3);
    return 16 + this.tree(base + 2 + 256, 8);
  }

  private resetState(): void {
    for (let i = 0; i < PROBS; i++) unchecked(this.probs[i] = 1024);
    this.state = 0;
    this.rep0 = this.rep1 = this.rep2 = this.rep3 = 0;
  }

  private rcInit(): bool {
    if (this.nextByte() != 0) return false;
    this.range = 0xffffffff;
    this.code = 0;
    for (let i = 0; i < 4; i++) this.code = (this.code << 8) | this.nextByte();
    return !this.overrun;
  }

  /** Decodes one LZMA chunk of `unpacked` bytes; false with the error set. */
  private lzmaChunk(unpacked: i32): bool {
    const end = this.outPos + unpacked;
    const out = this.out;
    const pbMask = (1 << this.pb) - 1, lpMask = (1 << this.lp) - 1;
    const lc = this.lc;
    while (this.outPos < end) {
      const pos = this.outPos;
      const rel = <i32>(<i64>pos - this.resetPos); // positions count from the last dictionary reset
      const posState = rel & pbMask;
      const st = this.state;
      if (this.bit(IS_MATCH + (st << 4) + posState) == 0) {
        const prev = <i64>pos > this.resetPos ? <i32>load<u8>(out + <usize>(pos - 1)) : 0;
        const base = LITERAL + 0x300 * (((rel & lpMask) << lc) + (prev >> (8 - lc)));
        let sym = 1;
        if (st < 7) {
          while (sym < 0x100) sym = (sym << 1) | this.bit(base + sym);
        } else {
          if (<i64>this.rep0 >= <i64>(pos - this.dictStart)) { this.fail("xz.distance", "match distance reaches before the dictionary"); return false; }
          let matchByte = <i32>load<u8>(out + <usize>(pos - <i32>this.rep0 - 1));
          let offset = 0x100;
          while (sym < 0x100) {
            matchByte <<= 1;
            const matchBit = matchByte & offset;
            const b = this.bit(base + offset + matchBit + sym);
            sym = (sym << 1) | b;
            offset = b ? matchBit : offset & ~matchBit;
          }
        }
        store<u8>(out + <usize>pos, <u8>sym);
        this.outPos++;
        this.state = st < 4 ? 0 : (st < 10 ? st - 3 : st - 6);
        if (this.overrun) { this.fail("xz.truncated", "compressed data ends inside an LZMA chunk"); return false; }
        continue;
      }
      let len = 0;
      if (this.bit(IS_REP + st) == 0) {
        len = this.length(MATCH_LEN, posState);
        this.state = st < 7 ? 7 : 10;
        this.rep3 = this.rep2;
        this.rep2 = this.rep1;
        this.rep1 = this.rep0;
        const lenState = len < 3 ? len : 3;
        const slot = this.tree(DIST_SLOT + (lenState << 6), 6);
        let dist: u32;
        if (slot < 4) {
          dist = <u32>slot;
        } else {
          const nd = (slot >> 1) - 1;
          dist = <u32>(2 | (slot & 1)) << <u32>nd;
          if (slot < 14) {
            dist += this.reverseTree(DIST_SPECIAL + <i32>dist - slot, nd);
          } else {
            dist += this.direct(nd - 4) << 4;
            dist += this.reverseTree(DIST_ALIGN, 4);
          }
        }
        if (dist == 0xffffffff) {
          // the end-of-payload marker: LZMA2 chunks have known sizes and do not use it
          this.fail("xz.marker", "unexpected end marker inside an LZMA2 chunk");
          return false;
        }
        if (dist >= this.dictSize) { this.fail("xz.distance", "match distance " + (dist + 1).toString() + " is beyond the " + this.dictSize.toString() + "-byte dictionary"); return false; }
        this.rep0 = dist;
      } else {
        if (this.bit(IS_REP0 + st) == 0) {
          if (this.bit(IS_REP0_LONG + (st << 4) + posState) == 0) {
            // short rep: one byte at rep0
            this.state = st < 7 ? 9 : 11;
            if (<i64>this.rep0 >= <i64>(pos - this.dictStart)) { this.fail("xz.distance", "match distance reaches before the dictionary"); return false; }
            store<u8>(out + <usize>pos, load<u8>(out + <usize>(pos - <i32>this.rep0 - 1)));
            this.outPos++;
            continue;
          }
        } else {
          let d: u32;
          if (this.bit(IS_REP1 + st) == 0) {
            d = this.rep1;
          } else {
            if (this.bit(IS_REP2 + st) == 0) {
              d = this.rep2;
            } else {
              d = this.rep3;
              this.rep3 = this.rep2;
            }
            this.rep2 = this.rep1;
          }
          this.rep1 = this.rep0;
          this.rep0 = d;
        }
        len = this.length(REP_LEN, posState);
        this.state = st < 7 ? 8 : 11;
      }
      len += 2;
      if (<i64>this.rep0 >= <i64>(pos - this.dictStart)) { this.fail("xz.distance", "match distance " + (this.rep0 + 1).toString() + " reaches before the dictionary"); return false; }
      if (len > end - pos) { this.fail("xz.chunk-size", "a match runs past the end of its LZMA2 chunk"); return false; }
      const src = out + <usize>(pos - <i32>this.rep0 - 1);
      const dst = out + <usize>pos;
      if (this.rep0 == 0) memory.fill(dst, load<u8>(src), <usize>len); // a run of one byte (zeros, mostly)
      else if (<i32>this.rep0 >= len) memory.copy(dst, src, <usize>len);
      else {
        // overlapping: copy in growing pieces, each from the pattern's start to where the written part ends
        let done = 0;
        while (done < len) {
          const n = min(len - done, <i32>this.rep0 + 1 + done);
          memory.copy(dst + <usize>done, src, <usize>n);
          done += n;
        }
      }
      this.outPos += len;
      if (this.overrun) { this.fail("xz.truncated", "compressed data ends inside an LZMA chunk"); return false; }
    }
    return true;
  }

  /** Sets the input: the LZMA2 data [src+pos, src+len). */
  setInput(src: usize, pos: i32, len: i32): void {
    this.inPtr = src;
    this.inPos = pos;
    this.inEnd = len;
  }

  get inputPos(): i32 { return this.inPos; }

  /** Sets the output buffer [dst, dst+end): the next byte at `pos`, the history a distance may reach from `histStart`. */
  setOutput(dst: usize, pos: i32, end: i32, histStart: i32): void {
    this.out = dst;
    this.outPos = pos;
    this.outEnd = end;
    this.dictStart = max(histStart, this.resetPos > 0 ? <i32>this.resetPos : 0);
  }

  /** A new block: the first chunk must reset the dictionary and set the properties. */
  begin(dictSize: u32): void {
    this.dictSize = dictSize;
    this.needDictReset = true;
    this.needProps = true;
    this.resetPos = <i64>this.outPos;
    this.dictStart = this.outPos;
    this.overrun = false;
  }

  /** The buffer's contents moved `shift` bytes down (the caller keeps the whole dictionary). */
  slid(shift: i32): void {
    this.outPos -= shift;
    this.outEnd -= shift;
    this.resetPos -= <i64>shift;
    this.dictStart = max(0, this.dictStart - shift);
  }

  save(bufAbs: u64): Lzma2State {
    const s = new Lzma2State();
    memory.copy(changetype<usize>(s.probs), changetype<usize>(this.probs), <usize>(PROBS * 2));
    s.lc = this.lc; s.lp = this.lp; s.pb = this.pb; s.state = this.state;
    s.rep0 = this.rep0; s.rep1 = this.rep1; s.rep2 = this.rep2; s.rep3 = this.rep3;
    s.needDictReset = this.needDictReset; s.needProps = this.needProps;
    s.resetAbs = <u64>(<i64>bufAbs + this.resetPos);
    return s;
  }

  /** Back to a saved state; call setOutput after (the reset position it uses comes from here). */
  restore(s: Lzma2State, bufAbs: u64, dictSize: u32): void {
    memory.copy(changetype<usize>(this.probs), changetype<usize>(s.probs), <usize>(PROBS * 2));
    this.lc = s.lc; this.lp = s.lp; this.pb = s.pb; this.state = s.state;
    this.rep0 = s.rep0; this.rep1 = s.rep1; this.rep2 = s.rep2; this.rep3 = s.rep3;
    this.needDictReset = s.needDictReset; this.needProps = s.needProps;
    this.resetPos = <i64>s.resetAbs - <i64>bufAbs;
    this.dictSize = dictSize;
    this.overrun = false;
  }

  /**
   * Decodes the LZMA2 chunk at the input position into the output; the whole
   * chunk must be in the input. 1 = a chunk was decoded, 0 = the end marker,
   * -1 = error set ("xz.truncated" when the input ends inside the chunk).
   */
  chunk(): i32 {
    const src = this.inPtr;
    if (this.inPos >= this.inEnd) return this.fail("xz.truncated", "LZMA2 data ends without its end marker");
    const ctl = <i32>load<u8>(src + <usize>this.inPos);
    this.inPos++;
    if (ctl == 0) return 0;
    if (ctl == 1 || ctl == 2) {
      if (this.inPos + 2 > this.inEnd) return this.fail("xz.truncated", "LZMA2 chunk header is cut short");
      const size = ((<i32>load<u8>(src + <usize>this.inPos) << 8) | <i32>load<u8>(src + <usize>this.inPos + 1)) + 1;
      this.inPos += 2;
      // as liblzma: a dictionary reset by an uncompressed chunk asks for new properties
      if (ctl == 1) { this.dictReset(); this.needProps = true; }
      else if (this.needDictReset) return this.fail("xz.lzma2", "first LZMA2 chunk does not reset the dictionary");
      if (size > this.inEnd - this.inPos) return this.fail("xz.truncated", "uncompressed LZMA2 chunk is cut short");
      if (size > this.outEnd - this.outPos) return this.fail("xz.size", "LZMA2 data holds more than the block's size");
      memory.copy(this.out + <usize>this.outPos, src + <usize>this.inPos, <usize>size);
      this.inPos += size;
      this.outPos += size;
      return 1;
    }
    if (ctl < 0x80) return this.fail("xz.lzma2", "invalid LZMA2 control byte 0x" + ctl.toString(16));
    if (this.inPos + 4 > this.inEnd) return this.fail("xz.truncated", "LZMA2 chunk header is cut short");
    const b0 = <i32>load<u8>(src + <usize>this.inPos), b1 = <i32>load<u8>(src + <usize>this.inPos + 1);
    const b2 = <i32>load<u8>(src + <usize>this.inPos + 2), b3 = <i32>load<u8>(src + <usize>this.inPos + 3);
    this.inPos += 4;
    const unpacked = (((ctl & 0x1f) << 16) | (b0 << 8) | b1) + 1;
    const packed = ((b2 << 8) | b3) + 1;
    const reset = (ctl >> 5) & 3;
    if (reset == 3) this.dictReset();
    else if (this.needDictReset) return this.fail("xz.lzma2", "first LZMA2 chunk does not reset the dictionary");
    if (reset >= 2) {
      if (this.inPos >= this.inEnd) return this.fail("xz.truncated", "LZMA2 properties byte is missing");
      let p = <i32>load<u8>(src + <usize>this.inPos);
      this.inPos++;
      if (p >= 9 * 5 * 5) return this.fail("xz.lzma2", "invalid LZMA properties byte " + p.toString());
      this.lc = p % 9; p /= 9;
      this.lp = p % 5;
      this.pb = p / 5;
      if (this.lc + this.lp > 4) return this.fail("xz.lzma2", "lc + lp > 4 is not allowed in LZMA2");
      this.needProps = false;
    } else if (this.needProps) {
      return this.fail("xz.lzma2", "LZMA chunk without properties");
    }
    if (reset >= 1) this.resetState();
    if (unpacked > this.outEnd - this.outPos) return this.fail("xz.size", "LZMA2 data holds more than the block's size");
    if (packed > this.inEnd - this.inPos) return this.fail("xz.truncated", "LZMA chunk is cut short");
    const chunkEnd = this.inPos + packed;
    const savedEnd = this.inEnd;
    this.inEnd = chunkEnd;
    this.overrun = false;
    if (!this.rcInit()) return this.fail("xz.lzma2", "LZMA chunk does not start a range coder");
    if (!this.lzmaChunk(unpacked)) return -1;
    this.inEnd = savedEnd;
    if (this.inPos != chunkEnd) return this.fail("xz.chunk-size", "LZMA chunk used " + this.inPos.toString() + " bytes, its header says it ends at " + chunkEnd.toString());
    return 1;
  }

  private dictReset(): void {
    this.resetPos = <i64>this.outPos;
    this.dictStart = this.outPos;
    this.needDictReset = false;
  }

  /**
   * Decodes the LZMA2 data [src, src+srcLen) into [dst, dst+dstLen), which it
   * must fill exactly. Returns the input bytes used, or -1 with the error set.
   */
  decode(src: usize, srcLen: i32, dst: usize, dstLen: i32, dictSize: u32): i32 {
    this.setInput(src, 0, srcLen);
    this.out = dst;
    this.outPos = 0;
    this.outEnd = dstLen;
    this.begin(dictSize);
    for (;;) {
      const r = this.chunk();
      if (r < 0) return -1;
      if (r == 0) break;
    }
    if (this.outPos != dstLen) return this.fail("xz.size", "the block decoded to " + this.outPos.toString() + " bytes, the index says " + dstLen.toString());
    return this.inPos;
  }
}
