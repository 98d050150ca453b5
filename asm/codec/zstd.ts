// SPDX-License-Identifier: Apache-2.0
// Zstandard decoding (RFC 8878), written here because the wasm core must
// decode qcow2 zstd clusters and btrfs zstd extents without the host, and
// .zst images need frame-by-frame random access no library offers.
//
//   zstdDecompress(src, dst): i32   every frame of src (skippable frames
//                                   skipped) → dst; bytes produced, or -1
//   zstdDecompressFrame(src, off, dst, dstOff): i32
//                                   one frame starting at src[off] → dst from
//                                   dstOff; bytes produced or -1; zstdFrameEnd()
//                                   then says where in src it ended
//
// Supported: frame header (window, content size, checksum — the low 32 bits of
// XXH64 are verified), raw/RLE/compressed blocks, raw/RLE/Huffman (1 or 4
// streams)/treeless literals, sequences in predefined/RLE/FSE/repeat modes,
// repeat offsets. Dictionaries are not: a frame naming one is refused with
// unsupported("zstd.dictionary").
//
// On -1 the error is set: corrupt("zstd.*") for damaged input, limit
// ("zstd.too-large") when the output does not fit dst. Every read of src and
// write of dst is bounds-checked; every loop is bounded by a count taken from
// the format (block sizes, sequence counts, literal sizes), so damaged input
// ends in an error, never a trap or a hang.

import { corrupt, limit, unsupported } from "../util/error";
import { BackBits } from "./zstd-bits";
import { readFseTable, buildFseFrom, rleFse, fseHeaderLen, fseLog } from "./zstd-fse";
import { xxh64 } from "./zstd-xxh64";

const MAGIC: u32 = 0xfd2fb528;
const BLOCK_MAX: i32 = 128 * 1024;
const HUF_MAX_BITS: i32 = 11;

const LL_BASE: StaticArray<u32> = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 24, 28, 32, 40, 48, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];
const LL_BITS: StaticArray<u8> = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
const ML_BASE: StaticArray<u32> = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34,
  35, 37, 39, 41, 43, 47, 51, 59, 67, 83, 99, 131, 259, 515, 1027, 2051, 4099, 8195, 16387, 32771, 65539];
const ML_BITS: StaticArray<u8> = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
const LL_DEFAULT: StaticArray<i16> = [4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1, -1, -1, -1, -1];
const ML_DEFAULT: StaticArray<i16> = [1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1];
const OF_DEFAULT: StaticArray<i16> = [1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1];

// ---- per-frame decoder state (module level: one decode at a time) ----
const llTable = new Uint32Array(512);
const mlTable = new Uint32Array(512);
const ofTable = new Uint32Array(256);
let llLog: i32 = 0, mlLog: i32 = 0, ofLog: i32 = 0;
let llValid = false, mlValid = false, ofValid = false;
/** Huffman decode table: symbol << 8 | code length, indexed by the next hufBits bits */
const hufTable = new Uint16Array(1 << HUF_MAX_BITS);
let hufBits: i32 = 0;
let hufValid = false;
const weights = new Uint8Array(256);
const hufWeightTable = new Uint32Array(64);
const literals = new Uint8Array(BLOCK_MAX + 8);
let rep1: i32 = 1, rep2: i32 = 4, rep3: i32 = 8;
const bits = new BackBits();
const bits2 = new BackBits();
const bits3 = new BackBits();
const bits4 = new BackBits();

let frameEnd: i32 = 0;
/** Where in src the last decoded frame ended. */
export function zstdFrameEnd(): i32 { return frameEnd; }

/** Frame header facts of the last zstdFrameHeader call. */
export class ZstdFrameInfo {
  headerLen: i32 = 0;
  /** -1 when the header does not say */
  contentSize: i64 = -1;
  windowSize: u64 = 0;
  checksum: bool = false;
  skippable: bool = false;
  /** total length of a skippable frame */
  skipLen: i64 = 0;
}

/** True when src[off..] starts a zstd frame (or a skippable frame). */
export function isZstdFrame(src: Uint8Array, off: i32): bool {
  if (off + 4 > src.length) return false;
  const m = load<u32>(src.dataStart + <usize>off);
  return m == MAGIC || (m & 0xfffffff0) == 0x184d2a50;
}

/** Parses the frame header at src[off]; null with the error set. */
export function zstdFrameHeader(src: Uint8Array, off: i32): ZstdFrameInfo | null {
  const info = new ZstdFrameInfo();
  const n = src.length;
  if (off + 4 > n) { corrupt("zstd.frame", "zstd frame at byte " + off.toString() + " is truncated before its magic number"); return null; }
  const m = load<u32>(src.dataStart + <usize>off);
  if ((m & 0xfffffff0) == 0x184d2a50) {
    if (off + 8 > n) { corrupt("zstd.frame", "skippable frame at byte " + off.toString() + " is truncated"); return null; }
    info.skippable = true;
    info.skipLen = 8 + <i64>load<u32>(src.dataStart + <usize>(off + 4));
    info.headerLen = 8;
    return info;
  }
  if (m != MAGIC) {
    corrupt("zstd.magic", "no zstd frame at byte " + off.toString() + " (magic " + m.toString(16) + ", want fd2fb528)");
    return null;
  }
  if (off + 5 > n) { corrupt("zstd.frame", "zstd frame header at byte " + off.toString() + " is truncated"); return null; }
  const fhd = <i32>src[off + 4];
  const fcsFlag = fhd >> 6;
  const single = (fhd >> 5) & 1;
  const didFlag = fhd & 3;
  if ((fhd & 8) != 0) { corrupt("zstd.frame", "zstd frame header at byte " + off.toString() + " sets the reserved bit"); return null; }
  info.checksum = (fhd & 4) != 0;
  const didLen = didFlag == 3 ? 4 : didFlag;
  const fcsLen = fcsFlag == 0 ? single : (1 << fcsFlag);
  const len = 5 + (single ? 0 : 1) + didLen + fcsLen;
  if (off + len > n) { corrupt("zstd.frame", "zstd frame header at byte " + off.toString() + " is truncated"); return null; }
  let p = off + 5;
  if (!single) {
    const wd = <i32>src[p++];
    const wlog = 10 + (wd >> 3);
    const base: u64 = <u64>1 << <u64>wlog;
    info.windowSize = base + (base >> 3) * <u64>(wd & 7);
  }
  let did: u32 = 0;
  for (let i = 0; i < didLen; i++) did |= (<u32>src[p + i]) << (<u32>(8 * i));
  p += didLen;
  if (did != 0) {
    unsupported("zstd.dictionary", "zstd frame at byte " + off.toString() + " needs dictionary " + did.toString() + "; dictionaries are not supported (recompress without -D)");
    return null;
  }
  if (fcsLen > 0) {
    let v: u64 = 0;
    for (let i = 0; i < fcsLen; i++) v |= (<u64>src[p + i]) << (<u64>(8 * i));
    if (fcsLen == 2) v += 256;
    if (v > <u64>0x7fffffffffffffff) { corrupt("zstd.frame", "zstd frame at byte " + off.toString() + " claims an absurd content size"); return null; }
    info.contentSize = <i64>v;
    if (single) info.windowSize = v;
  }
  info.headerLen = len;
  return info;
}

/** Every frame of src → dst; bytes produced or -1 with the error set. */
export function zstdDecompress(src: Uint8Array, dst: Uint8Array): i32 {
  let off = 0;
  let out = 0;
  if (src.length == 0) { corrupt("zstd.frame", "empty zstd input"); return -1; }
  while (off < src.length) {
    const n = zstdDecompressFrame(src, off, dst, out);
    if (n < 0) return -1;
    out += n;
    off = frameEnd;
  }
  return out;
}

/** One frame at src[off] → dst[dstOff..]; bytes produced or -1. A skippable frame produces 0. */
export function zstdDecompressFrame(src: Uint8Array, off: i32, dst: Uint8Array, dstOff: i32): i32 {
  const info = zstdFrameHeader(src, off);
  if (info === null) return -1;
  if (info.skippable) {
    if (<i64>off + info.skipLen > <i64>src.length) { corrupt("zstd.frame", "skippable frame at byte " + off.toString() + " runs past the input"); return -1; }
    frameEnd = off + <i32>info.skipLen;
    return 0;
  }
  if (info.contentSize >= 0 && info.contentSize > <i64>(dst.length - dstOff)) {
    limit("zstd.too-large", "zstd frame at byte " + off.toString() + " holds " + info.contentSize.toString() + " bytes, more than the " + (dst.length - dstOff).toString() + " expected");
    return -1;
  }
  zstdBeginFrame();
  let p = off + info.headerLen;
  let op = dstOff;
  for (;;) {
    const n = zstdBlock(src, p, dst, op, dstOff, info.windowSize, off);
    if (n < 0) return -1;
    op += n;
    p = blockEnd;
    if (blockLast) break;
  }
  const produced = op - dstOff;
  if (info.contentSize >= 0 && <i64>produced != info.contentSize) {
    corrupt("zstd.content-size", "zstd frame at byte " + off.toString() + " decodes to " + produced.toString() + " bytes, its header says " + info.contentSize.toString());
    return -1;
  }
  if (info.checksum) {
    if (p + 4 > src.length) { corrupt("zstd.checksum", "zstd frame at byte " + off.toString() + " is truncated before its checksum"); return -1; }
    const want = load<u32>(src.dataStart + <usize>p);
    const got = <u32>xxh64(dst, dstOff, produced);
    if (want != got) {
      corrupt("zstd.checksum", "zstd frame at byte " + off.toString() + ": content checksum " + got.toString(16) + " does not match the stored " + want.toString(16));
      return -1;
    }
    p += 4;
  }
  frameEnd = p;
  return produced;
}

let blockEnd: i32 = 0;
let blockLast: bool = false;
/** Where in src the last zstdBlock call's block ended. */
export function zstdBlockEnd(): i32 { return blockEnd; }
/** Whether the last zstdBlock call's block was its frame's last. */
export function zstdBlockLast(): bool { return blockLast; }

/** Forgets the entropy tables and repeat offsets: a new frame starts. */
export function zstdBeginFrame(): void {
  llValid = false; mlValid = false; ofValid = false; hufValid = false;
  rep1 = 1; rep2 = 4; rep3 = 8;
}

/**
 * Decodes the block whose header is at src[p] into dst[op..], with the state
 * the frame's earlier blocks left (or zstdRestoreState). Sequences may reach
 * back to dst[histStart] and at most `window` bytes. Returns the bytes
 * produced, or -1 with the error set; zstdBlockEnd() and zstdBlockLast() then
 * say where the block ended and whether it closed the frame. `frameOff` only
 * names the frame in messages.
 */
export function zstdBlock(src: Uint8Array, p: i32, dst: Uint8Array, op: i32, histStart: i32, window: u64, frameOff: i32): i32 {
  const blockMax = window < <u64>BLOCK_MAX ? <i32>window : BLOCK_MAX;
  if (p < 0 || p + 3 > src.length) { corrupt("zstd.block-size", "zstd block header at byte " + p.toString() + " is truncated"); return -1; }
  const bh = <i32>src[p] | (<i32>src[p + 1] << 8) | (<i32>src[p + 2] << 16);
  p += 3;
  const type = (bh >> 1) & 3;
  const size = bh >>> 3;
  if (type == 3) { corrupt("zstd.block-type", "zstd block at byte " + (p - 3).toString() + " has the reserved type 3"); return -1; }
  if (size > blockMax) {
    corrupt("zstd.block-size", "zstd block at byte " + (p - 3).toString() + " is " + size.toString() + " bytes, above the frame's block maximum " + blockMax.toString());
    return -1;
  }
  let n = size;
  if (type == 1) {
    if (p + 1 > src.length) { corrupt("zstd.block-size", "RLE block at byte " + (p - 3).toString() + " is truncated"); return -1; }
    if (op + size > dst.length) { tooLarge(frameOff, dst.length - histStart); return -1; }
    memory.fill(dst.dataStart + <usize>op, src[p], <usize>size);
    p += 1;
  } else {
    if (p + size > src.length) { corrupt("zstd.block-size", "zstd block at byte " + (p - 3).toString() + " needs " + size.toString() + " bytes, the input ends first"); return -1; }
    if (type == 0) {
      if (op + size > dst.length) { tooLarge(frameOff, dst.length - histStart); return -1; }
      memory.copy(dst.dataStart + <usize>op, src.dataStart + <usize>p, <usize>size);
    } else {
      n = compressedBlock(src, p, p + size, dst, op, histStart, window, blockMax, frameOff);
      if (n < 0) return -1;
    }
    p += size;
  }
  blockEnd = p;
  blockLast = (bh & 1) != 0;
  return n;
}

/** The decoder state at a block boundary that later blocks may use: repeat offsets and entropy tables. */
export class ZstdState {
  rep1: i32 = 1;
  rep2: i32 = 4;
  rep3: i32 = 8;
  huf: Uint16Array | null = null;
  hufBits: i32 = 0;
  ll: Uint32Array | null = null;
  llLog: i32 = 0;
  of: Uint32Array | null = null;
  ofLog: i32 = 0;
  ml: Uint32Array | null = null;
  mlLog: i32 = 0;

  /** bytes the tables take */
  get bytes(): i32 {
    let n = 64;
    const h = this.huf, a = this.ll, b = this.of, c = this.ml;
    if (h !== null) n += h.length * 2;
    if (a !== null) n += a.length * 4;
    if (b !== null) n += b.length * 4;
    if (c !== null) n += c.length * 4;
    return n;
  }
}

function copyTable(t: Uint32Array, log: i32): Uint32Array {
  const c = new Uint32Array(1 << log);
  memory.copy(c.dataStart, t.dataStart, <usize>(4 << log));
  return c;
}

/** The state after the last block decoded (only the table entries in use are copied). */
export function zstdSaveState(): ZstdState {
  const s = new ZstdState();
  s.rep1 = rep1; s.rep2 = rep2; s.rep3 = rep3;
  if (hufValid) {
    const h = new Uint16Array(1 << hufBits);
    memory.copy(h.dataStart, hufTable.dataStart, <usize>(2 << hufBits));
    s.huf = h;
    s.hufBits = hufBits;
  }
  if (llValid) { s.ll = copyTable(llTable, llLog); s.llLog = llLog; }
  if (ofValid) { s.of = copyTable(ofTable, ofLog); s.ofLog = ofLog; }
  if (mlValid) { s.ml = copyTable(mlTable, mlLog); s.mlLog = mlLog; }
  return s;
}

/** Puts the decoder back in a state zstdSaveState took, to go on with the next block. */
export function zstdRestoreState(s: ZstdState): void {
  rep1 = s.rep1; rep2 = s.rep2; rep3 = s.rep3;
  const h = s.huf;
  hufValid = h !== null;
  if (h !== null) { memory.copy(hufTable.dataStart, h.dataStart, <usize>(h.length * 2)); hufBits = s.hufBits; }
  const a = s.ll, b = s.of, c = s.ml;
  llValid = a !== null;
  if (a !== null) { memory.copy(llTable.dataStart, a.dataStart, <usize>(a.length * 4)); llLog = s.llLog; }
  ofValid = b !== null;
  if (b !== null) { memory.copy(ofTable.dataStart, b.dataStart, <usize>(b.length * 4)); ofLog = s.ofLog; }
  mlValid = c !== null;
  if (c !== null) { memory.copy(mlTable.dataStart, c.dataStart, <usize>(c.length * 4)); mlLog = s.mlLog; }
}

function tooLarge(off: i32, room: i32): void {
  limit("zstd.too-large", "zstd frame at byte " + off.toString() + " holds more than the " + room.toString() + " bytes expected");
}

// ---- compressed blocks ----

let litBuf: Uint8Array = literals;
let litOff: i32 = 0;
let litSize: i32 = 0;

/** Decodes the block src[p, end) into dst[op..]; bytes produced or -1. */
function compressedBlock(src: Uint8Array, p: i32, end: i32, dst: Uint8Array, op: i32, histStart: i32, window: u64, blockMax: i32, frameOff: i32): i32 {
  const blockAt = p - 3;
  const q = readLiterals(src, p, end, blockMax, blockAt);
  if (q < 0) return -1;
  return sequences(src, q, end, dst, op, histStart, window, blockMax, blockAt);
}

/** Reads the literals section at src[p]; the literals land in litBuf[litOff, +litSize). Returns where it ended or -1. */
function readLiterals(src: Uint8Array, p: i32, end: i32, blockMax: i32, blockAt: i32): i32 {
  if (p >= end) { corrupt("zstd.literals", "block at byte " + blockAt.toString() + " has no literals section"); return -1; }
  const b0 = <i32>src[p];
  const type = b0 & 3;
  const fmt = (b0 >> 2) & 3;
  if (type <= 1) {
    let regen: i32, hl: i32;
    if ((fmt & 1) == 0) { regen = b0 >> 3; hl = 1; }
    else if (fmt == 1) { hl = 2; if (p + 2 > end) return litTrunc(blockAt); regen = (b0 >> 4) + (<i32>src[p + 1] << 4); }
    else { hl = 3; if (p + 3 > end) return litTrunc(blockAt); regen = (b0 >> 4) + (<i32>src[p + 1] << 4) + (<i32>src[p + 2] << 12); }
    if (regen > blockMax) { corrupt("zstd.literals", "block at byte " + blockAt.toString() + " claims " + regen.toString() + " literals, above the block maximum"); return -1; }
    p += hl;
    if (type == 0) {
      if (p + regen > end) return litTrunc(blockAt);
      litBuf = src; litOff = p; litSize = regen;
      return p + regen;
    }
    if (p + 1 > end) return litTrunc(blockAt);
    memory.fill(literals.dataStart, src[p], <usize>regen);
    litBuf = literals; litOff = 0; litSize = regen;
    return p + 1;
  }
  // Huffman-coded literals
  let regen: i32, comp: i32, hl: i32;
  let streams = 4;
  if (fmt <= 1) {
    if (p + 3 > end) return litTrunc(blockAt);
    const v = <i32>src[p] | (<i32>src[p + 1] << 8) | (<i32>src[p + 2] << 16);
    regen = (v >> 4) & 0x3ff; comp = (v >> 14) & 0x3ff; hl = 3;
    if (fmt == 0) streams = 1;
  } else if (fmt == 2) {
    if (p + 4 > end) return litTrunc(blockAt);
    const v = load<u32>(src.dataStart + <usize>p);
    regen = <i32>((v >> 4) & 0x3fff); comp = <i32>((v >> 18) & 0x3fff); hl = 4;
  } else {
    if (p + 5 > end) return litTrunc(blockAt);
    const v = <u64>load<u32>(src.dataStart + <usize>p) | (<u64>src[p + 4] << 32);
    regen = <i32>((v >> 4) & 0x3ffff); comp = <i32>((v >> 22) & 0x3ffff); hl = 5;
  }
  if (regen > blockMax) { corrupt("zstd.literals", "block at byte " + blockAt.toString() + " claims " + regen.toString() + " literals, above the block maximum"); return -1; }
  p += hl;
  if (p + comp > end) return litTrunc(blockAt);
  const cEnd = p + comp;
  if (type == 2) {
    const t = readHuffmanTree(src, p, cEnd, blockAt);
    if (t < 0) return -1;
    p = t;
  } else if (!hufValid) {
    corrupt("zstd.huffman", "block at byte " + blockAt.toString() + " reuses a Huffman table, but none came before in this frame");
    return -1;
  }
  litBuf = literals; litOff = 0; litSize = regen;
  if (streams == 1) {
    if (!huffStream(src, p, cEnd - p, 0, regen, blockAt)) return -1;
  } else {
    if (p + 6 > cEnd) { corrupt("zstd.huffman", "block at byte " + blockAt.toString() + ": the 4-stream jump table is truncated"); return -1; }
    const s1 = <i32>load<u16>(src.dataStart + <usize>p);
    const s2 = <i32>load<u16>(src.dataStart + <usize>(p + 2));
    const s3 = <i32>load<u16>(src.dataStart + <usize>(p + 4));
    p += 6;
    const s4 = cEnd - p - s1 - s2 - s3;
    if (s4 < 1) { corrupt("zstd.huffman", "block at byte " + blockAt.toString() + ": the 4-stream jump table exceeds the literals' size"); return -1; }
    const seg = (regen + 3) >> 2;
    if (3 * seg > regen) { corrupt("zstd.huffman", "block at byte " + blockAt.toString() + ": " + regen.toString() + " literals are too few for 4 streams"); return -1; }
    if (!huffStream(src, p, s1, 0, seg, blockAt)) return -1;
    if (!huffStream(src, p + s1, s2, seg, seg, blockAt)) return -1;
    if (!huffStream(src, p + s1 + s2, s3, 2 * seg, seg, blockAt)) return -1;
    if (!huffStream(src, p + s1 + s2 + s3, s4, 3 * seg, regen - 3 * seg, blockAt)) return -1;
  }
  return cEnd;
}

function litTrunc(blockAt: i32): i32 {
  corrupt("zstd.literals", "the literals section of the block at byte " + blockAt.toString() + " runs past the block");
  return -1;
}

/** Decodes `count` literals from the Huffman stream src[p, p+len) into literals[at..]. */
function huffStream(src: Uint8Array, p: i32, len: i32, at: i32, count: i32, blockAt: i32): bool {
  if (!bits.init(src, p, len)) {
    corrupt("zstd.huffman", "block at byte " + blockAt.toString() + ": a Huffman stream at byte " + p.toString() + " is empty or lacks its end mark");
    return false;
  }
  const nb = hufBits;
  const out = literals.dataStart + <usize>at;
  const mask: u64 = (<u64>1 << <u64>nb) - 1;
  const tab = hufTable.dataStart;
  const base = bits.base;
  let i = 0;
  // fast path: one 8-byte load yields at least 57 bits, enough for four codes of
  // at most 11 bits; (pos - 57) >> 3 keeps the load inside the stream
  let pos = bits.pos;
  while (pos >= 64 && i + 4 <= count) {
    const sb = (pos - 57) >> 3;
    const w = load<u64>(base + <usize>sb);
    let top = pos - (sb << 3);
    for (let k = 0; k < 4; k++) {
      const e = <u32>load<u16>(tab + (<usize>((w >> <u64>(top - nb)) & mask) << 1));
      top -= <i32>(e & 0xff);
      store<u8>(out + <usize>i, <u8>(e >> 8));
      i++;
    }
    pos = (sb << 3) + top;
  }
  bits.pos = pos;
  for (; i < count; i++) {
    const e = <u32>unchecked(hufTable[bits.peek(nb)]);
    bits.skip(<i32>(e & 0xff));
    store<u8>(out + <usize>i, <u8>(e >> 8));
  }
  if (bits.pos != 0) {
    corrupt("zstd.huffman", "block at byte " + blockAt.toString() + ": the Huffman stream at byte " + p.toString() + " does not end where its " + count.toString() + " literals do");
    return false;
  }
  return true;
}

/** Reads a Huffman tree description at src[p, end) and builds hufTable; where it ended, or -1. */
function readHuffmanTree(src: Uint8Array, p: i32, end: i32, blockAt: i32): i32 {
  if (p >= end) { corrupt("zstd.huffman", "block at byte " + blockAt.toString() + ": the Huffman tree description is missing"); return -1; }
  const hb = <i32>src[p++];
  let n = 0;
  if (hb >= 128) {
    n = hb - 127;
    const bytes = (n + 1) >> 1;
    if (p + bytes > end) { corrupt("zstd.huffman", "block at byte " + blockAt.toString() + ": the Huffman weights are truncated"); return -1; }
    for (let i = 0; i < n; i++) {
      const b = <i32>src[p + (i >> 1)];
      weights[i] = <u8>((i & 1) == 0 ? b >> 4 : b & 15);
    }
    p += bytes;
  } else {
    // FSE-compressed weights: two interleaved states over one backward stream
    if (p + hb > end || hb == 0) { corrupt("zstd.huffman", "block at byte " + blockAt.toString() + ": the compressed Huffman weights are truncated"); return -1; }
    const wEnd = p + hb;
    if (!readFseTable(src, p, wEnd, 255, 6, hufWeightTable, "Huffman weights of the block at byte " + blockAt.toString())) return -1;
    const log = fseLog;
    const q = p + fseHeaderLen;
    if (q >= wEnd || !bits2.init(src, q, wEnd - q)) { corrupt("zstd.huffman", "block at byte " + blockAt.toString() + ": the Huffman weight stream is empty or lacks its end mark"); return -1; }
    let s1 = <i32>bits2.read(log);
    let s2 = <i32>bits2.read(log);
    for (;;) {
      if (n >= 255) { corrupt("zstd.huffman", "block at byte " + blockAt.toString() + ": more than 255 Huffman weights"); return -1; }
      let e = hufWeightTable[s1];
      weights[n++] = <u8>(e & 0xff);
      s1 = <i32>(e >> 16) + <i32>bits2.read(<i32>((e >> 8) & 0xff));
      if (bits2.pos < 0) { weights[n++] = <u8>(hufWeightTable[s2] & 0xff); break; }
      if (n >= 255) { corrupt("zstd.huffman", "block at byte " + blockAt.toString() + ": more than 255 Huffman weights"); return -1; }
      e = hufWeightTable[s2];
      weights[n++] = <u8>(e & 0xff);
      s2 = <i32>(e >> 16) + <i32>bits2.read(<i32>((e >> 8) & 0xff));
      if (bits2.pos < 0) { weights[n++] = <u8>(hufWeightTable[s1] & 0xff); break; }
    }
    p = wEnd;
  }
  // the last symbol's weight is implied: it completes the sum to a power of two
  let total: u32 = 0;
  for (let i = 0; i < n; i++) {
    const w = <i32>weights[i];
    if (w > HUF_MAX_BITS) { corrupt("zstd.huffman", "block at byte " + blockAt.toString() + ": Huffman weight " + w.toString() + " is above 11"); return -1; }
    if (w > 0) total += <u32>1 << <u32>(w - 1);
  }
  if (total == 0) { corrupt("zstd.huffman", "block at byte " + blockAt.toString() + ": all Huffman weights are zero"); return -1; }
  const maxBits = 32 - <i32>clz<u32>(total);
  if (maxBits > HUF_MAX_BITS) { corrupt("zstd.huffman", "block at byte " + blockAt.toString() + ": Huffman codes would be longer than 11 bits"); return -1; }
  const rest = (<u32>1 << <u32>maxBits) - total;
  if ((rest & (rest - 1)) != 0) { corrupt("zstd.huffman", "block at byte " + blockAt.toString() + ": the Huffman weights do not complete to a power of two"); return -1; }
  if (n >= 256) { corrupt("zstd.huffman", "block at byte " + blockAt.toString() + ": the implied last Huffman weight would be symbol 256"); return -1; }
  weights[n++] = <u8>(32 - <i32>clz<u32>(rest));
  // fill by weight ascending, then symbol order: each symbol of weight w covers 2^(w-1) cells
  let pos = 0;
  for (let w = 1; w <= maxBits; w++) {
    const cells = 1 << (w - 1);
    const len = <u16>(maxBits + 1 - w);
    for (let s = 0; s < n; s++) {
      if (<i32>weights[s] != w) continue;
      const e = <u16>(s << 8) | len;
      for (let k = 0; k < cells; k++) hufTable[pos + k] = e;
      pos += cells;
    }
  }
  hufBits = maxBits;
  hufValid = true;
  return p;
}

// ---- sequences ----

/** Reads one table-mode field (LL, OF or ML); where it ended, or -1. */
function readTableMode(mode: i32, which: i32, src: Uint8Array, p: i32, end: i32, blockAt: i32): i32 {
  const table = which == 0 ? llTable : (which == 1 ? ofTable : mlTable);
  const name = which == 0 ? "literal lengths" : (which == 1 ? "offsets" : "match lengths");
  const maxSym = which == 0 ? 35 : (which == 1 ? 31 : 52);
  const maxLog = which == 0 ? 9 : (which == 1 ? 8 : 9);
  let log = 0;
  if (mode == 0) {
    if (which == 0) { buildFseFrom(LL_DEFAULT, 6, table); log = 6; }
    else if (which == 1) { buildFseFrom(OF_DEFAULT, 5, table); log = 5; }
    else { buildFseFrom(ML_DEFAULT, 6, table); log = 6; }
  } else if (mode == 1) {
    if (p >= end) { corrupt("zstd.fse-table", "block at byte " + blockAt.toString() + ": the RLE symbol of " + name + " is missing"); return -1; }
    const s = <i32>src[p++];
    if (s > maxSym) { corrupt("zstd.fse-table", "block at byte " + blockAt.toString() + ": RLE symbol " + s.toString() + " of " + name + " is above " + maxSym.toString()); return -1; }
    rleFse(<u8>s, table);
    log = 0;
  } else if (mode == 2) {
    if (!readFseTable(src, p, end, maxSym, maxLog, table, "block at byte " + blockAt.toString() + " (" + name + ")")) return -1;
    p += fseHeaderLen;
    log = fseLog;
  } else {
    const valid = which == 0 ? llValid : (which == 1 ? ofValid : mlValid);
    if (!valid) { corrupt("zstd.fse-table", "block at byte " + blockAt.toString() + " repeats the " + name + " table, but none came before in this frame"); return -1; }
    return p;
  }
  if (which == 0) { llLog = log; llValid = true; }
  else if (which == 1) { ofLog = log; ofValid = true; }
  else { mlLog = log; mlValid = true; }
  return p;
}

function sequences(src: Uint8Array, p: i32, end: i32, dst: Uint8Array, op: i32, frameStart: i32, window: u64, blockMax: i32, blockAt: i32): i32 {
  const start = op;
  if (p >= end) { corrupt("zstd.sequences", "block at byte " + blockAt.toString() + " has no sequences section"); return -1; }
  let nbSeq = <i32>src[p++];
  if (nbSeq >= 128) {
    if (nbSeq == 255) {
      if (p + 2 > end) return seqTrunc(blockAt);
      nbSeq = <i32>src[p] + (<i32>src[p + 1] << 8) + 0x7f00;
      p += 2;
    } else {
      if (p + 1 > end) return seqTrunc(blockAt);
      nbSeq = ((nbSeq - 128) << 8) + <i32>src[p++];
    }
  }
  const lit = litBuf.dataStart + <usize>litOff;
  let litPos = 0;
  if (nbSeq > 0) {
    if (p >= end) return seqTrunc(blockAt);
    const modes = <i32>src[p++];
    if ((modes & 3) != 0) { corrupt("zstd.sequences", "block at byte " + blockAt.toString() + ": reserved bits of the compression modes are set"); return -1; }
    p = readTableMode(modes >> 6, 0, src, p, end, blockAt); if (p < 0) return -1;
    p = readTableMode((modes >> 4) & 3, 1, src, p, end, blockAt); if (p < 0) return -1;
    p = readTableMode((modes >> 2) & 3, 2, src, p, end, blockAt); if (p < 0) return -1;
    if (!bits3.init(src, p, end - p)) { corrupt("zstd.sequences", "block at byte " + blockAt.toString() + ": the sequences bitstream is empty or lacks its end mark"); return -1; }
    const br = bits3;
    let sLL = <i32>br.read(llLog);
    let sOF = <i32>br.read(ofLog);
    let sML = <i32>br.read(mlLog);
    const dstEnd = dst.length;
    const base = dst.dataStart;
    for (let i = 0; i < nbSeq; i++) {
      const eLL = unchecked(llTable[sLL]);
      const eOF = unchecked(ofTable[sOF]);
      const eML = unchecked(mlTable[sML]);
      const ofCode = <i32>(eOF & 0xff);
      const mlCode = <i32>(eML & 0xff);
      const llCode = <i32>(eLL & 0xff);
      if (ofCode > 31) { corrupt("zstd.offset", "block at byte " + blockAt.toString() + ": offset code " + ofCode.toString() + " is out of range"); return -1; }
      const ofValue = <u32>((<u64>1 << <u64>ofCode) + <u64>br.read(ofCode));
      const ml = <i32>unchecked(ML_BASE[mlCode]) + <i32>br.read(<i32>unchecked(ML_BITS[mlCode]));
      const ll = <i32>unchecked(LL_BASE[llCode]) + <i32>br.read(<i32>unchecked(LL_BITS[llCode]));
      let offset: i32;
      if (ofValue > 3) {
        const o = ofValue - 3;
        if (o > <u32>0x7fffffff) { corrupt("zstd.offset", "block at byte " + blockAt.toString() + ": offset " + o.toString() + " is absurd"); return -1; }
        offset = <i32>o;
        rep3 = rep2; rep2 = rep1; rep1 = offset;
      } else {
        const idx = <i32>ofValue - 1 + (ll == 0 ? 1 : 0);
        if (idx == 0) offset = rep1;
        else if (idx == 1) { offset = rep2; rep2 = rep1; rep1 = offset; }
        else {
          offset = idx == 2 ? rep3 : rep1 - 1;
          if (offset <= 0) { corrupt("zstd.offset", "block at byte " + blockAt.toString() + ": repeat offset becomes zero"); return -1; }
          rep3 = rep2; rep2 = rep1; rep1 = offset;
        }
      }
      if (i + 1 < nbSeq) {
        sLL = <i32>(eLL >> 16) + <i32>br.read(<i32>((eLL >> 8) & 0xff));
        sML = <i32>(eML >> 16) + <i32>br.read(<i32>((eML >> 8) & 0xff));
        sOF = <i32>(eOF >> 16) + <i32>br.read(<i32>((eOF >> 8) & 0xff));
      }
      // execute: ll literals, then ml bytes from offset back
      if (ll > litSize - litPos) { corrupt("zstd.sequences", "block at byte " + blockAt.toString() + ": sequence " + i.toString() + " takes more literals than the block has"); return -1; }
      if (ll + ml > dstEnd - op) { tooLarge(frameStart, dstEnd - frameStart); return -1; }
      if (op - start + ll + ml > blockMax) { corrupt("zstd.block-size", "block at byte " + blockAt.toString() + " decodes to more than the block maximum " + blockMax.toString()); return -1; }
      memory.copy(base + <usize>op, lit + <usize>litPos, <usize>ll);
      op += ll;
      litPos += ll;
      if (offset > op - frameStart || <u64>offset > window) {
        corrupt("zstd.offset", "block at byte " + blockAt.toString() + ": sequence " + i.toString() + " reaches " + offset.toString() + " bytes back, before the frame's start or beyond its window");
        return -1;
      }
      const from = base + <usize>(op - offset);
      const to = base + <usize>op;
      if (offset >= ml) memory.copy(to, from, <usize>ml);
      else if (offset == 1) memory.fill(to, load<u8>(from), <usize>ml);
      else repeatCopy(to, from, ml);
      op += ml;
    }
    if (br.pos != 0) {
      corrupt("zstd.sequences", "block at byte " + blockAt.toString() + ": the sequences bitstream does not end with its " + nbSeq.toString() + " sequences");
      return -1;
    }
  } else if (p != end) {
    corrupt("zstd.sequences", "block at byte " + blockAt.toString() + " has " + (end - p).toString() + " bytes after an empty sequences section");
    return -1;
  }
  const rest = litSize - litPos;
  if (rest > dst.length - op) { tooLarge(frameStart, dst.length - frameStart); return -1; }
  if (op - start + rest > blockMax) { corrupt("zstd.block-size", "block at byte " + blockAt.toString() + " decodes to more than the block maximum " + blockMax.toString()); return -1; }
  memory.copy(dst.dataStart + <usize>op, lit + <usize>litPos, <usize>rest);
  op += rest;
  return op - start;
}

/**
 * An overlapping match: the `ml` bytes at `to` repeat the pattern that starts
 * at `from`. Copied in growing pieces, each ending where the written part does,
 * so every memory.copy is between disjoint ranges.
 */
function repeatCopy(to: usize, from: usize, ml: i32): void {
  let done = 0;
  while (done < ml) {
    const n = min(ml - done, <i32>(to - from) + done);
    memory.copy(to + <usize>done, from, <usize>n);
    done += n;
  }
}

function seqTrunc(blockAt: i32): i32 {
  corrupt("zstd.sequences", "the sequences section of the block at byte " + blockAt.toString() + " is truncated");
  return -1;
}
