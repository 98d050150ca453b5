// SPDX-License-Identifier: Apache-2.0
// DEFLATE decoding (RFC 1951) and the zlib wrapper (RFC 1950), written here
// rather than taken from a library because guestcheck needs what no library
// offers: stopping at any symbol boundary, and restarting a stream from a
// recorded bit position with a recorded 32 KiB window (random access into
// .gz / zip members, see zran.ts), all inside the wasm without the host.
//
// One-shot use (qcow2 compressed clusters, VMDK grains, btrfs zlib extents):
//
//   inflateRaw(src, dst): i32        raw deflate → dst; bytes produced, or -1
//   inflateRawPrefix(src, dst): i32  the same, but a stream longer than dst
//                                    just fills dst (no error)
//   inflateZlib(src, dst): i32       RFC 1950: CMF/FLG header, deflate, Adler-32
//   inflateZlibPrefix(src, dst): i32 the same, a stream longer than dst fills it
//   inflateEnd(): i32                where in src the last decoded stream ended
//
// On -1 the error is set (util/error.ts): corrupt("inflate.*") for a damaged
// stream (bad block type, over-subscribed or incomplete code, distance too far
// back, truncated input, ...), limit("inflate.too-large") when the stream holds
// more than dst.length bytes. The decoder never writes outside dst, never
// reads outside src, and every loop consumes input or produces output, so
// damaged input ends in an error, never a trap or a hang.
//
// Streaming use: the Inflater class below (see zran.ts for how it is driven).

import { Device } from "../io/device";
import { corrupt, limit } from "../util/error";
import { hex64 } from "../util/bytes";

// ---- decode table entries: value << 16 | kind << 12 | extra << 8 | bits ----
const K_LIT: u32 = 0;
const K_LEN: u32 = 1; // a length (lit/len table) or a distance (dist table): base + extra bits
const K_END: u32 = 2;
const K_SUB: u32 = 3; // second-level table: value = its index, extra = its index bits
const K_BAD: u32 = 4; // a code no valid stream uses (286/287, distance 30/31, unassigned)

const LIT_ROOT: i32 = 10;
const DIST_ROOT: i32 = 8;
const CL_ROOT: i32 = 7;
// Room for the root table plus every second-level table a complete code can
// need ("enough 288 10 15" = 1332, "enough 32 8 15" = 402); checked while building.
const LIT_SIZE: i32 = 2048;
const DIST_SIZE: i32 = 1024;
const CL_SIZE: i32 = 128;

/** Bytes of history a deflate distance can reach back. */
export const WINDOW: i32 = 32768;
/** The longest a single symbol writes: a match of 258 bytes. */
const MAX_MATCH: i32 = 258;
/** Room the fast loop wants: two literals or one match plus the 16-byte overshoot of its copy. */
const FAST_OUT: i32 = MAX_MATCH + 16;
/** Input bytes the fast loop wants available: one 8-byte refill per symbol plus slack. */
const FAST_IN: i32 = 16;

const LEN_BASE: StaticArray<u16> = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LEN_EXTRA: StaticArray<u8> = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE: StaticArray<u16> = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA: StaticArray<u8> = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const CL_ORDER: StaticArray<u8> = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

const T_LIT: i32 = 0;
const T_DIST: i32 = 1;
const T_CL: i32 = 2;

// @ts-ignore: decorator
@inline function entry(value: u32, kind: u32, extra: u32, bits: u32): u32 {
  return (value << 16) | (kind << 12) | (extra << 8) | bits;
}

function symbolEntry(table: i32, sym: i32, bits: u32): u32 {
  if (table == T_LIT) {
    if (sym < 256) return entry(<u32>sym, K_LIT, 0, bits);
    if (sym == 256) return entry(0, K_END, 0, bits);
    if (sym <= 285) return entry(<u32>unchecked(LEN_BASE[sym - 257]), K_LEN, <u32>unchecked(LEN_EXTRA[sym - 257]), bits);
    return entry(0, K_BAD, 0, bits);
  }
  if (table == T_DIST) {
    if (sym < 30) return entry(<u32>unchecked(DIST_BASE[sym]), K_LEN, <u32>unchecked(DIST_EXTRA[sym]), bits);
    return entry(0, K_BAD, 0, bits);
  }
  return entry(<u32>sym, K_LIT, 0, bits);
}

/** Scratch for table building (one at a time: the wasm is single-threaded). */
const countScratch = new StaticArray<u16>(16);
const offsScratch = new StaticArray<u16>(16);
const sortedScratch = new StaticArray<u16>(320);

/**
 * Builds a two-level decode table for the canonical Huffman code given by
 * `n` code lengths at `lens`. Returns "" or the reason the code is invalid.
 * Over-subscribed codes are always invalid; incomplete ones only pass for
 * literal/length and distance codes with a single code of length one (RFC
 * 1951 allows one distance code; zlib accepts the same) or no codes at all.
 */
function buildTable(lens: StaticArray<u8>, n: i32, table: StaticArray<u32>, root: i32, kind: i32): string {
  const count = countScratch, offs = offsScratch, sorted = sortedScratch;
  for (let i = 0; i < 16; i++) unchecked(count[i] = 0);
  for (let s = 0; s < n; s++) unchecked(count[unchecked(lens[s])]++);
  let max = 15;
  while (max >= 1 && unchecked(count[max]) == 0) max--;
  const size = 1 << root;
  const bad = entry(0, K_BAD, 0, 1);
  if (max == 0) {
    for (let i = 0; i < size; i++) unchecked(table[i] = bad);
    return kind == T_CL ? "the code-length code has no codes" : "";
  }
  let left = 1;
  for (let len = 1; len <= 15; len++) {
    left <<= 1;
    left -= <i32>unchecked(count[len]);
    if (left < 0) return "over-subscribed";
  }
  if (left > 0) {
    if (kind == T_CL || max != 1) return "incomplete";
    for (let i = 0; i < size; i++) unchecked(table[i] = bad);
  }
  unchecked(offs[1] = 0);
  for (let len = 1; len < 15; len++) unchecked(offs[len + 1] = offs[len] + count[len]);
  const total = <i32>unchecked(offs[15]) + <i32>unchecked(count[15]);
  for (let s = 0; s < n; s++) {
    const l = <i32>unchecked(lens[s]);
    if (l != 0) unchecked(sorted[unchecked(offs[l]++)] = <u16>s);
  }
  const rootMask = size - 1;
  let code = 0, curLen = 0;
  let prefix = -1, subStart = 0, subBits = 0, nextSub = size;
  for (let i = 0; i < total; i++) {
    const sym = <i32>unchecked(sorted[i]);
    const len = <i32>unchecked(lens[sym]);
    if (len > curLen) { code <<= len - curLen; curLen = len; }
    // Deflate sends codes most-significant bit first into an LSB-first stream.
    let rev = 0;
    for (let b = 0; b < len; b++) rev |= ((code >> b) & 1) << (len - 1 - b);
    if (len <= root) {
      const e = symbolEntry(kind, sym, <u32>len);
      for (let j = rev; j < size; j += 1 << len) unchecked(table[j] = e);
    } else {
      const p = rev & rootMask;
      if (p != prefix) {
        // The shortest code under this prefix comes first; size its table for
        // the codes still to place (zlib's inflate_table does the same).
        let curr = len - root;
        let room = 1 << curr;
        while (curr + root < max) {
          room -= <i32>unchecked(count[curr + root]);
          if (room <= 0) break;
          curr++;
          room <<= 1;
        }
        subStart = nextSub;
        subBits = curr;
        nextSub += 1 << curr;
        if (nextSub > table.length) return "needs a larger table";
        unchecked(table[p] = entry(<u32>subStart, K_SUB, <u32>subBits, <u32>root));
        prefix = p;
        if (left > 0) for (let j = 0; j < (1 << curr); j++) unchecked(table[subStart + j] = bad);
      }
      const sl = len - root;
      const e = symbolEntry(kind, sym, <u32>sl);
      for (let j = rev >> root; j < (1 << subBits); j += 1 << sl) unchecked(table[subStart + j] = e);
    }
    unchecked(count[len]--);
    code++;
  }
  return "";
}

let fixedLit: StaticArray<u32> | null = null;
let fixedDist: StaticArray<u32> | null = null;

function buildFixed(): void {
  const lens = new StaticArray<u8>(320);
  for (let i = 0; i < 144; i++) lens[i] = 8;
  for (let i = 144; i < 256; i++) lens[i] = 9;
  for (let i = 256; i < 280; i++) lens[i] = 7;
  for (let i = 280; i < 288; i++) lens[i] = 8;
  const lt = new StaticArray<u32>(LIT_SIZE);
  buildTable(lens, 288, lt, LIT_ROOT, T_LIT);
  for (let i = 0; i < 32; i++) lens[i] = 5;
  const dt = new StaticArray<u32>(DIST_SIZE);
  buildTable(lens, 32, dt, DIST_ROOT, T_DIST);
  fixedLit = lt;
  fixedDist = dt;
}

/** Where the decoder is between calls to run(). */
export const enum InflateState {
  Header = 0, // at a block header (or past the final block: see done)
  Stored = 1, // inside a stored block, `storedLeft` bytes to go
  Huffman = 2, // inside a fixed or dynamic Huffman block
}

/** What run() stopped for. */
export const enum InflateResult {
  Error = -1,
  Done = 0, // the final block ended
  Full = 1, // the output buffer has no room for the next symbol
}

const IN_BUF: i32 = 1 << 20;

/**
 * A resumable deflate decoder. Input comes either from memory (setInput) or
 * from a Device read in chunks (setSource). Output goes to a caller-owned
 * buffer [outPtr, outPtr+outCap); bytes before outPos are history that
 * distances may reach back into (a restored window, or earlier output).
 * run() stops at a symbol boundary whenever the next symbol does not fit, so
 * the caller can take the output, slide the window and call run() again.
 */
export class Inflater {
  // input
  private src: Device | null = null;
  private srcEnd: u64 = 0; // device offset where the input ends
  private inBuf: Uint8Array | null = null;
  private inChunk: i32 = 64 << 10;
  private inPtr: usize = 0;
  private inPos: i32 = 0;
  private inLen: i32 = 0;
  private inBase: u64 = 0; // device (or memory) offset of inPtr[0]
  private bitBuf: u64 = 0;
  private bitCnt: i32 = 0;
  private pad: i32 = 0; // zero bytes fed past the real end of input
  /** for error messages */
  name: string = "deflate stream";
  /** Fill the output with the part of a match that fits, then stop (prefix decoding; the state is not resumable). */
  partial: bool = false;

  // output
  outPtr: usize = 0;
  outCap: i32 = 0;
  outPos: i32 = 0;

  // block state
  state: InflateState = InflateState.Header;
  done: bool = false;
  lastBlock: bool = false;
  storedLeft: i32 = 0;
  /** absolute bit position of the current block's header */
  headerBit: u64 = 0;
  private dynLit: StaticArray<u32> = new StaticArray<u32>(LIT_SIZE);
  private dynDist: StaticArray<u32> = new StaticArray<u32>(DIST_SIZE);
  private lit: StaticArray<u32> = this.dynLit;
  private dist: StaticArray<u32> = this.dynDist;
  private clTable: StaticArray<u32> = new StaticArray<u32>(CL_SIZE);
  private lens: StaticArray<u8> = new StaticArray<u8>(320);
  private allLens: StaticArray<u8> = new StaticArray<u8>(320);

  constructor() {
    if (fixedLit === null) buildFixed();
  }

  /** Decodes from memory [ptr, ptr+len); bit positions count from ptr. */
  setInput(ptr: usize, len: i32): void {
    this.src = null;
    this.inBuf = null;
    this.inPtr = ptr;
    this.inLen = len;
    this.inBase = 0;
    this.resetBits(0);
    this.resetBlock();
  }

  /**
   * Decodes from `dev`, starting at bit `bit`, never reading at or past byte
   * `end`, in reads of `chunk` bytes (large for a sequential pass, which then
   * bypasses the page cache; small for a jump to a checkpoint).
   */
  setSource(dev: Device, end: u64, bit: u64, chunk: i32 = 64 << 10): bool {
    this.src = dev;
    this.srcEnd = end < dev.size ? end : dev.size;
    if (this.inBuf === null) this.inBuf = new Uint8Array(IN_BUF);
    this.inChunk = min(max(chunk, 64), IN_BUF);
    this.inPtr = this.inBuf!.dataStart;
    this.resetBlock();
    return this.seek(bit);
  }

  setOutput(ptr: usize, cap: i32, pos: i32): void {
    this.outPtr = ptr;
    this.outCap = cap;
    this.outPos = pos;
  }

  private resetBlock(): void {
    this.state = InflateState.Header;
    this.done = false;
    this.lastBlock = false;
    this.storedLeft = 0;
  }

  private resetBits(pos: i32): void {
    this.inPos = pos;
    this.bitBuf = 0;
    this.bitCnt = 0;
    this.pad = 0;
  }

  /** Absolute bit position of the next unread bit. */
  get bitPos(): u64 {
    return ((this.inBase + <u64>this.inPos + <u64>this.pad) << 3) - <u64>this.bitCnt;
  }

  /** Moves the input to absolute bit `bit` (device sources only, or within memory input). */
  seek(bit: u64): bool {
    const byte = bit >> 3;
    const src = this.src;
    if (src === null) {
      if (byte > <u64>this.inLen) { this.truncated(); return false; }
      this.resetBits(<i32>byte);
    } else {
      this.inBase = byte;
      this.inLen = 0;
      this.resetBits(0);
      if (!this.fillInput()) return false;
    }
    const drop = <i32>(bit & 7);
    if (drop > 0) {
      if (!this.need(drop)) return false;
      this.drop(drop);
    }
    return true;
  }

  /** Moves the unread input to the buffer's front and reads more from the device. */
  private fillInput(): bool {
    const src = this.src;
    if (src === null) return true;
    const keep = this.inLen - this.inPos;
    if (keep > 0 && this.inPos > 0) memory.copy(this.inPtr, this.inPtr + <usize>this.inPos, <usize>keep);
    this.inBase += <u64>this.inPos;
    this.inPos = 0;
    this.inLen = keep;
    const at = this.inBase + <u64>keep;
    if (at >= this.srcEnd) return true;
    let n = <i32>min(<u64>(this.inChunk - keep), this.srcEnd - at);
    if (n <= 0) return true;
    if (!src.readInto(at, n, this.inPtr + <usize>keep)) return false;
    this.inLen = keep + n;
    return true;
  }

  private moreInput(): bool {
    const src = this.src;
    return src !== null && this.inBase + <u64>this.inLen < this.srcEnd;
  }

  /** Makes at least `n` (≤ 57) bits available, feeding zeros past the end of input. */
  private need(n: i32): bool {
    while (this.bitCnt < n) {
      if (this.inPos >= this.inLen) {
        if (this.moreInput()) {
          if (!this.fillInput()) return false;
          continue;
        }
        this.pad++;
        this.bitCnt += 8;
        continue;
      }
      this.bitBuf |= <u64>load<u8>(this.inPtr + <usize>this.inPos) << <u64>this.bitCnt;
      this.inPos++;
      this.bitCnt += 8;
    }
    return true;
  }

  // @ts-ignore: decorator
  @inline private drop(n: i32): void {
    this.bitBuf >>= <u64>n;
    this.bitCnt -= n;
  }

  /** True when the decoder has used bits that were not in the input. */
  // @ts-ignore: decorator
  @inline private overran(): bool {
    return this.pad > 0 && this.bitCnt < (this.pad << 3);
  }

  private truncated(): void {
    corrupt("inflate.truncated", this.name + ": the compressed data ends in the middle of the stream (at byte " +
      hex64(this.inBase + <u64>this.inLen) + ")");
  }

  private fail(code: string, what: string): InflateResult {
    // Nonsense decoded from the zeros fed past the end is the end's fault.
    if (this.overran()) { this.truncated(); return InflateResult.Error; }
    const bit = this.bitPos;
    corrupt(code, this.name + ": " + what + " (at byte " + hex64(bit >> 3) + ", bit " + (bit & 7).toString() + ")");
    return InflateResult.Error;
  }

  /** Reads a block header and, for Huffman blocks, builds the tables. */
  beginBlock(): InflateResult {
    this.headerBit = this.bitPos;
    if (!this.need(3)) return InflateResult.Error;
    const h = <i32>(this.bitBuf & 7);
    this.drop(3);
    this.lastBlock = (h & 1) != 0;
    const type = h >> 1;
    if (type == 0) {
      this.drop(this.bitCnt & 7);
      if (!this.need(32)) return InflateResult.Error;
      const len = <i32>(this.bitBuf & 0xffff);
      const nlen = <i32>((this.bitBuf >> 16) & 0xffff);
      this.drop(32);
      if (this.overran()) { this.truncated(); return InflateResult.Error; }
      if ((len ^ 0xffff) != nlen) return this.fail("inflate.stored-length", "stored block length " + len.toString() + " does not match its complement " + nlen.toString());
      this.storedLeft = len;
      this.state = InflateState.Stored;
    } else if (type == 1) {
      this.lit = fixedLit!;
      this.dist = fixedDist!;
      this.state = InflateState.Huffman;
    } else if (type == 2) {
      if (!this.readDynamic()) return InflateResult.Error;
      this.lit = this.dynLit;
      this.dist = this.dynDist;
      this.state = InflateState.Huffman;
    } else {
      return this.fail("inflate.block-type", "invalid block type 3");
    }
    if (this.overran()) { this.truncated(); return InflateResult.Error; }
    return InflateResult.Done;
  }

  private readDynamic(): bool {
    if (!this.need(14)) return false;
    const nlit = <i32>(this.bitBuf & 31) + 257;
    const ndist = <i32>((this.bitBuf >> 5) & 31) + 1;
    const ncl = <i32>((this.bitBuf >> 10) & 15) + 4;
    this.drop(14);
    if (nlit > 286 || ndist > 30) {
      this.fail("inflate.too-many-codes", "dynamic block declares " + nlit.toString() + " literal/length and " + ndist.toString() + " distance codes (at most 286 and 30)");
      return false;
    }
    const lens = this.lens;
    for (let i = 0; i < 19; i++) unchecked(lens[i] = 0);
    for (let i = 0; i < ncl; i++) {
      if (!this.need(3)) return false;
      unchecked(lens[unchecked(CL_ORDER[i])] = <u8>(this.bitBuf & 7));
      this.drop(3);
    }
    let why = buildTable(lens, 19, this.clTable, CL_ROOT, T_CL);
    if (why.length > 0) { this.fail("inflate.bad-code", "code-length code is " + why); return false; }
    const total = nlit + ndist;
    // Code lengths are read into a separate area so the code-length code's own lengths stay intact.
    const all = this.allLens;
    let i = 0;
    const cl = this.clTable;
    while (i < total) {
      if (!this.need(7 + 7)) return false;
      const e = unchecked(cl[<i32>(this.bitBuf & 127)]);
      if (((e >> 12) & 15) == K_BAD) { this.fail("inflate.bad-code", "invalid code-length code"); return false; }
      this.drop(<i32>(e & 255));
      const sym = <i32>(e >> 16);
      if (sym < 16) {
        unchecked(all[i++] = <u8>sym);
        continue;
      }
      let rep = 0, val: u8 = 0;
      if (sym == 16) {
        if (i == 0) { this.fail("inflate.bad-repeat", "code length repeat with no previous length"); return false; }
        val = unchecked(all[i - 1]);
        rep = 3 + <i32>(this.bitBuf & 3);
        this.drop(2);
      } else if (sym == 17) {
        rep = 3 + <i32>(this.bitBuf & 7);
        this.drop(3);
      } else {
        rep = 11 + <i32>(this.bitBuf & 127);
        this.drop(7);
      }
      if (i + rep > total) { this.fail("inflate.bad-repeat", "code length repeat runs past the " + total.toString() + " lengths"); return false; }
      for (let k = 0; k < rep; k++) unchecked(all[i++] = val);
    }
    if (this.overran()) { this.truncated(); return false; }
    if (unchecked(all[256]) == 0) { this.fail("inflate.no-end-code", "dynamic block has no end-of-block code"); return false; }
    why = buildTable(all, nlit, this.dynLit, LIT_ROOT, T_LIT);
    if (why.length > 0) { this.fail("inflate.bad-code", "literal/length code is " + why); return false; }
    for (let k = 0; k < ndist; k++) unchecked(lens[k] = all[nlit + k]);
    why = buildTable(lens, ndist, this.dynDist, DIST_ROOT, T_DIST);
    if (why.length > 0) { this.fail("inflate.bad-code", "distance code is " + why); return false; }
    return true;
  }

  /**
   * Decodes until the final block ends (Done), the next symbol does not fit in
   * the output buffer (Full), or the stream is damaged (Error, error set).
   */
  run(): InflateResult {
    while (true) {
      if (this.state == InflateState.Header) {
        if (this.done) return InflateResult.Done;
        if (this.beginBlock() != InflateResult.Done) return InflateResult.Error;
        continue;
      }
      if (this.state == InflateState.Stored) {
        const r = this.copyStored();
        if (r != InflateResult.Done) return r;
      } else {
        const r = this.decodeHuffman();
        if (r != InflateResult.Done) return r;
      }
      this.state = InflateState.Header;
      if (this.lastBlock) { this.done = true; return InflateResult.Done; }
    }
  }

  private copyStored(): InflateResult {
    // Whole bytes still in the bit buffer come first (the header left it byte-aligned).
    while (this.storedLeft > 0 && this.bitCnt >= 8) {
      if (this.outPos >= this.outCap) return InflateResult.Full;
      if (this.bitCnt <= (this.pad << 3)) { this.truncated(); return InflateResult.Error; }
      store<u8>(this.outPtr + <usize>this.outPos, <u8>this.bitBuf);
      this.outPos++;
      this.drop(8);
      this.storedLeft--;
    }
    // The bytes below are copied straight from the input: stale look-ahead
    // bits of them must not stay in the (now empty) bit buffer.
    if (this.bitCnt == 0) this.bitBuf = 0;
    while (this.storedLeft > 0) {
      const room = this.outCap - this.outPos;
      if (room <= 0) return InflateResult.Full;
      if (this.inPos >= this.inLen) {
        if (!this.moreInput()) { this.truncated(); return InflateResult.Error; }
        if (!this.fillInput()) return InflateResult.Error;
        continue;
      }
      const n = min(min(this.storedLeft, room), this.inLen - this.inPos);
      memory.copy(this.outPtr + <usize>this.outPos, this.inPtr + <usize>this.inPos, <usize>n);
      this.outPos += n;
      this.inPos += n;
      this.storedLeft -= n;
    }
    return InflateResult.Done;
  }

  /** Decodes symbols of the current Huffman block until its end code (Done). */
  private decodeHuffman(): InflateResult {
    const lit = this.lit, dist = this.dist;
    const out = this.outPtr;
    while (true) {
      // ---- fast loop: plenty of input and output, no bounds checks per bit ----
      if (this.inLen - this.inPos >= FAST_IN && this.outCap - this.outPos >= FAST_OUT) {
        let bb = this.bitBuf, bc = this.bitCnt, ip = this.inPos, op = this.outPos;
        const inp = this.inPtr;
        const inLimit = this.inLen - FAST_IN, outLimit = this.outCap - FAST_OUT;
        let r: i32 = 2; // 2 = left the fast region, 0 = end of block, -1 = error
        let bad = "";
        while (ip <= inLimit && op <= outLimit) {
          // Refill to 56..63 bits with one unaligned load (bits above bc are the true next bits).
          bb |= load<u64>(inp + <usize>ip) << <u64>bc;
          ip += (63 - bc) >> 3;
          bc |= 56;
          let e = unchecked(lit[<i32>(bb & ((1 << LIT_ROOT) - 1))]);
          let kind = (e >> 12) & 15;
          if (kind == K_SUB) {
            bb >>= <u64>LIT_ROOT;
            bc -= LIT_ROOT;
            e = unchecked(lit[<i32>(e >> 16) + <i32>(bb & <u64>((1 << ((e >> 8) & 15)) - 1))]);
            kind = (e >> 12) & 15;
          }
          bb >>= <u64>(e & 255);
          bc -= <i32>(e & 255);
          if (kind == K_LIT) {
            store<u8>(out + <usize>op, <u8>(e >> 16));
            op++;
            // Literals come in runs: at least 41 bits are left after one, so a
            // second root-table literal (at most 10 bits) needs no refill.
            e = unchecked(lit[<i32>(bb & ((1 << LIT_ROOT) - 1))]);
            if (((e >> 12) & 15) == K_LIT) {
              bb >>= <u64>(e & 255);
              bc -= <i32>(e & 255);
              store<u8>(out + <usize>op, <u8>(e >> 16));
              op++;
            }
            continue;
          }
          if (kind != K_LEN) {
            r = kind == K_END ? 0 : -1;
            if (r < 0) bad = "invalid literal/length code";
            break;
          }
          const lx = (e >> 8) & 15;
          const len = <i32>(e >> 16) + <i32>(bb & <u64>((1 << lx) - 1));
          bb >>= <u64>lx;
          bc -= <i32>lx;
          // At most 20 bits used since the refill; a distance needs at most 28 more.
          e = unchecked(dist[<i32>(bb & ((1 << DIST_ROOT) - 1))]);
          kind = (e >> 12) & 15;
          if (kind == K_SUB) {
            bb >>= <u64>DIST_ROOT;
            bc -= DIST_ROOT;
            e = unchecked(dist[<i32>(e >> 16) + <i32>(bb & <u64>((1 << ((e >> 8) & 15)) - 1))]);
            kind = (e >> 12) & 15;
          }
          if (kind != K_LEN) { r = -1; bad = "invalid distance code"; break; }
          bb >>= <u64>(e & 255);
          bc -= <i32>(e & 255);
          const dx = (e >> 8) & 15;
          const d = <i32>(e >> 16) + <i32>(bb & <u64>((1 << dx) - 1));
          bb >>= <u64>dx;
          bc -= <i32>dx;
          if (d > op) { r = -1; bad = "distance " + d.toString() + " reaches before the start of the output"; break; }
          copyMatch(out + <usize>op, d, len);
          op += len;
        }
        this.bitBuf = bb;
        this.bitCnt = bc;
        this.inPos = ip;
        this.outPos = op;
        if (r == 0) return InflateResult.Done;
        if (r < 0) return this.fail(bad.startsWith("distance") ? "inflate.distance-too-far" : "inflate.bad-code", bad);
        continue;
      }
      // ---- careful path: one symbol at a time near the end of input or output ----
      if (this.inLen - this.inPos < FAST_IN && this.moreInput()) {
        if (!this.fillInput()) return InflateResult.Error;
        if (this.inLen - this.inPos >= FAST_IN) continue;
      }
      if (!this.need(48)) return InflateResult.Error;
      let bb = this.bitBuf;
      let used: i32 = 0;
      let e = unchecked(lit[<i32>(bb & ((1 << LIT_ROOT) - 1))]);
      let kind = (e >> 12) & 15;
      if (kind == K_SUB) {
        used = LIT_ROOT;
        e = unchecked(lit[<i32>(e >> 16) + <i32>((bb >> <u64>used) & <u64>((1 << ((e >> 8) & 15)) - 1))]);
        kind = (e >> 12) & 15;
      }
      used += <i32>(e & 255);
      if (kind == K_LIT) {
        // Peek first: a symbol that does not fit is left unread for the next call.
        if (this.outPos >= this.outCap) return InflateResult.Full;
        this.drop(used);
        if (this.overran()) { this.truncated(); return InflateResult.Error; }
        store<u8>(out + <usize>this.outPos, <u8>(e >> 16));
        this.outPos++;
        continue;
      }
      if (kind == K_END) {
        this.drop(used);
        if (this.overran()) { this.truncated(); return InflateResult.Error; }
        return InflateResult.Done;
      }
      if (kind != K_LEN) { this.drop(used); return this.fail("inflate.bad-code", "invalid literal/length code"); }
      const lx = (e >> 8) & 15;
      const len = <i32>(e >> 16) + <i32>((bb >> <u64>used) & <u64>((1 << lx) - 1));
      const room = this.outCap - this.outPos;
      // A match that does not fit is left unread, unless the caller wants
      // just a prefix (then the part that fits is copied and decoding ends).
      if (len > room && !this.partial) return InflateResult.Full;
      used += <i32>lx;
      this.drop(used);
      bb = this.bitBuf;
      used = 0;
      e = unchecked(dist[<i32>(bb & ((1 << DIST_ROOT) - 1))]);
      kind = (e >> 12) & 15;
      if (kind == K_SUB) {
        used = DIST_ROOT;
        e = unchecked(dist[<i32>(e >> 16) + <i32>((bb >> <u64>used) & <u64>((1 << ((e >> 8) & 15)) - 1))]);
        kind = (e >> 12) & 15;
      }
      if (kind != K_LEN) return this.fail("inflate.bad-code", "invalid distance code");
      used += <i32>(e & 255);
      const dx = (e >> 8) & 15;
      const d = <i32>(e >> 16) + <i32>((bb >> <u64>used) & <u64>((1 << dx) - 1));
      used += <i32>dx;
      this.drop(used);
      if (this.overran()) { this.truncated(); return InflateResult.Error; }
      if (d > this.outPos) return this.fail("inflate.distance-too-far", "distance " + d.toString() + " reaches before the start of the output");
      // Exact copy: no overshoot this close to the end of the buffer.
      const o = out + <usize>this.outPos;
      const n = min(len, room);
      for (let k = 0; k < n; k++) store<u8>(o + <usize>k, load<u8>(o + <usize>k - <usize>d));
      this.outPos += n;
      if (n < len) return InflateResult.Full;
    }
    return InflateResult.Error;
  }

  /** Byte offset just past the final block (valid once run() returned Done). */
  get endByte(): u64 {
    return (this.bitPos + 7) >> 3;
  }
}

/** Copies a match of `len` bytes from `d` bytes back; may write up to 16 bytes past the end. */
// @ts-ignore: decorator
@inline function copyMatch(dst: usize, d: i32, len: i32): void {
  if (d >= 8) {
    // Each 8-byte load reads only bytes already final: s + i + 8 <= dst + i.
    const s = dst - <usize>d;
    let i = 0;
    do {
      store<u64>(dst + <usize>i, load<u64>(s + <usize>i));
      store<u64>(dst + <usize>i + 8, load<u64>(s + <usize>i + 8));
      i += 16;
    } while (i < len);
    return;
  }
  if (d == 1) {
    memory.fill(dst, load<u8>(dst - 1), <usize>len);
    return;
  }
  // A short period (2..7, runs in tables and padding): lay down the first
  // copies byte by byte until the pattern repeats at a distance of 8 or
  // more (a multiple of d), then copy in words from that distance.
  const p = d * ((8 + d - 1) / d);
  const head = min(len, p);
  for (let i = 0; i < head; i++) store<u8>(dst + <usize>i, load<u8>(dst + <usize>i - <usize>d));
  let i = head;
  while (i < len) {
    store<u64>(dst + <usize>i, load<u64>(dst + <usize>i - <usize>p));
    i += 8;
  }
}

// ---- one-shot API ----

let shared: Inflater | null = null;

function sharedInflater(): Inflater {
  let s = shared;
  if (s === null) shared = s = new Inflater();
  return s;
}

function oneShot(src: Uint8Array, srcOff: i32, dst: Uint8Array, prefix: bool, name: string): i32 {
  const z = sharedInflater();
  z.name = name;
  z.partial = prefix;
  z.setInput(src.dataStart + <usize>srcOff, src.length - srcOff);
  z.setOutput(dst.dataStart, dst.length, 0);
  const r = z.run();
  if (r == InflateResult.Error) return -1;
  if (r == InflateResult.Full && !prefix) {
    limit("inflate.too-large", name + ": the stream holds more than the " + dst.length.toString() + " bytes expected");
    return -1;
  }
  lastEnd = <i32>z.endByte + srcOff;
  return z.outPos;
}

let lastEnd: i32 = 0;

/** Offset in src just past the stream the last successful one-shot call decoded. */
export function inflateEnd(): i32 { return lastEnd; }

/** Raw deflate src → dst. Bytes produced, or -1 (error set; see the header). */
export function inflateRaw(src: Uint8Array, dst: Uint8Array): i32 {
  return oneShot(src, 0, dst, false, "deflate stream");
}

/** Like inflateRaw, but a stream longer than dst fills dst and returns dst.length. */
export function inflateRawPrefix(src: Uint8Array, dst: Uint8Array): i32 {
  return oneShot(src, 0, dst, true, "deflate stream");
}

/** Adler-32 (RFC 1950 section 8.2), continued from `adler` (start with 1). */
export function adler32(adler: u32, ptr: usize, len: usize): u32 {
  let a = adler & 0xffff, b = adler >>> 16;
  while (len > 0) {
    // 5552 is the most bytes before b can overflow 32 bits (zlib's NMAX).
    const n = len < 5552 ? len : 5552;
    for (let i: usize = 0; i < n; i++) {
      a += <u32>load<u8>(ptr + i);
      b += a;
    }
    a %= 65521;
    b %= 65521;
    ptr += n;
    len -= n;
  }
  return (b << 16) | a;
}

/** zlib stream (RFC 1950) src → dst: header, deflate data, Adler-32 of the output. */
export function inflateZlib(src: Uint8Array, dst: Uint8Array): i32 {
  return zlibOneShot(src, dst, false);
}

/**
 * Like inflateZlib, but a stream longer than dst fills dst and returns
 * dst.length (the Adler-32, which covers the whole output, is then not checked).
 */
export function inflateZlibPrefix(src: Uint8Array, dst: Uint8Array): i32 {
  return zlibOneShot(src, dst, true);
}

function zlibOneShot(src: Uint8Array, dst: Uint8Array, prefix: bool): i32 {
  if (src.length < 2) {
    corrupt("inflate.zlib-header", "zlib stream: " + src.length.toString() + " bytes is too short for its header");
    return -1;
  }
  const cmf = <u32>src[0], flg = <u32>src[1];
  if ((cmf & 15) != 8 || (cmf >> 4) > 7) {
    corrupt("inflate.zlib-header", "zlib stream: compression method " + (cmf & 15).toString() + " window " + (cmf >> 4).toString() + " is not deflate with a window of at most 32 KiB");
    return -1;
  }
  if (((cmf << 8) | flg) % 31 != 0) {
    corrupt("inflate.zlib-header", "zlib stream: header check bits are wrong (0x" + cmf.toString(16) + " 0x" + flg.toString(16) + ")");
    return -1;
  }
  if ((flg & 0x20) != 0) {
    corrupt("inflate.zlib-dict", "zlib stream: needs a preset dictionary, which no disk format uses");
    return -1;
  }
  const z = sharedInflater();
  const n = oneShot(src, 2, dst, prefix, "zlib stream");
  if (n < 0) return -1;
  if (prefix && !z.done) return n;
  const end = lastEnd;
  if (end + 4 > src.length) {
    corrupt("inflate.truncated", "zlib stream: the Adler-32 checksum after the data is missing");
    return -1;
  }
  const want = (<u32>src[end] << 24) | (<u32>src[end + 1] << 16) | (<u32>src[end + 2] << 8) | <u32>src[end + 3];
  const got = adler32(1, dst.dataStart, <usize>n);
  if (want != got) {
    corrupt("inflate.adler32", "zlib stream: Adler-32 of the data is 0x" + got.toString(16) + ", the stream says 0x" + want.toString(16));
    return -1;
  }
  lastEnd = end + 4;
  return n;
}
