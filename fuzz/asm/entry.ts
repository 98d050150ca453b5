// SPDX-License-Identifier: Apache-2.0
// The fuzzing build's entry: every export of the shipped module (so targets
// drive the parsers exactly as the engine does) plus one-shot entry points to
// the decoders the engine only reaches deep inside a filesystem or container.
// Built by fuzz/build.mjs into build/fuzz/, never into the shipped wasm.

export * from "../../asm/index";

import { clearError, lastError, corrupt } from "../../asm/util/error";
import { inflateRaw, inflateZlib } from "../../asm/codec/inflate";
import { zstdDecompress } from "../../asm/codec/zstd";
import { lznt1Decompress } from "../../asm/codec/lznt1";
import { xpressHuffmanDecompress } from "../../asm/codec/xpress-huffman";
import { lzxDecompress } from "../../asm/codec/lzx";
import { lzo1xDecompress } from "../../asm/codec/lzo";
import { Lzma2Decoder } from "../../asm/codec/xz-lzma2";

/** Guard bytes on both sides of a decoder's output: wasm has no bounds checks on raw stores. */
const GUARD: i32 = 256;
const CANARY: u8 = 0xa5;

/**
 * Decodes src with codec `kind` into at most dstLen bytes: 0 raw deflate,
 * 1 zlib, 2 zstd, 3 LZNT1, 4 XPRESS Huffman, 5 LZX, 6 LZO1X, 7 LZMA2 (the
 * first byte of src is the dictionary-size byte of an xz LZMA2 filter).
 * Returns the bytes written, or -1; the decoders that set an error set it.
 * The output sits between canary bytes; a decoder that writes outside its
 * buffer (which linear memory would otherwise let pass silently) aborts.
 */
export function fuzzDecode(kind: i32, src: Uint8Array, dstLen: i32): i32 {
  clearError();
  if (dstLen < 0) dstLen = 0;
  const whole = new Uint8Array(dstLen + 2 * GUARD);
  whole.fill(CANARY);
  const dst = whole.subarray(GUARD, GUARD + dstLen);
  const n = decode(kind, src, dst, dstLen);
  for (let i = 0; i < GUARD; i++) {
    if (whole[i] != CANARY || whole[GUARD + dstLen + i] != CANARY) {
      abort("fuzz: decoder " + kind.toString() + " wrote outside its output buffer");
    }
  }
  return n;
}

function decode(kind: i32, src: Uint8Array, dst: Uint8Array, dstLen: i32): i32 {
  if (kind == 0) return inflateRaw(src, dst);
  if (kind == 1) return inflateZlib(src, dst);
  if (kind == 2) return zstdDecompress(src, dst);
  if (kind == 3) return lznt1Decompress(src.dataStart, src.length, dst.dataStart, dstLen);
  if (kind == 4) return xpressHuffmanDecompress(src.dataStart, src.length, dst.dataStart, dstLen);
  if (kind == 5) return lzxDecompress(src.dataStart, src.length, dst.dataStart, dstLen);
  if (kind == 6) return lzo1xDecompress(src, 0, src.length, dst, 0, dstLen, "fuzz");
  if (kind == 7) {
    if (src.length < 1) { corrupt("fuzz.short", "no dictionary byte"); return -1; }
    // the xz filter property: 2 or 3 times a power of two, at most 4 GiB - 1
    const p = <u32>(src[0] & 63);
    const dict: u32 = p >= 40 ? 0xffffffff : (<u32>2 | (p & 1)) << (p / 2 + 11);
    return new Lzma2Decoder().decode(src.dataStart + 1, src.length - 1, dst.dataStart, dstLen, dict);
  }
  return -1;
}

/** Whether an error is set (the decoders that return -1 without one are still a pass). */
export function fuzzHasError(): bool { return lastError() !== null; }

function selfRecurse(n: i32): i32 { return n <= 0 ? 0 : selfRecurse(n + 1) + 1; }

/**
 * Proves the fuzzer's oracles fire: 0 unreachable, 1 out-of-bounds load,
 * 2 a loop that runs for billions of iterations, 3 unbounded recursion,
 * 4 a 1 GiB allocation, 5 a named error (a pass).
 */
export function fuzzSelfTest(kind: i32): i32 {
  clearError();
  if (kind == 0) unreachable();
  if (kind == 1) return load<i32>(<usize>memory.size() << 16);
  if (kind == 2) { let n: u32 = 1; while (n != 0) n = n * 3 + 1; return <i32>n; }
  if (kind == 3) return selfRecurse(1);
  if (kind == 4) { const a = new Uint8Array(1 << 30); return a.length; }
  corrupt("fuzz.selftest", "a named error");
  return -1;
}
