// SPDX-License-Identifier: Apache-2.0
// LZO1X decompression, as the Linux kernel's lzo1x_decompress_safe reads it
// (Documentation/staging/lzo.rst, "LZO stream format"): Btrfs stores lzo
// compressed extents in it and no wasm-side decoder exists to reuse. Every
// input read and output write is bounds checked; a match may not reach before
// the start of the output.

import { corrupt, unsupported } from "../util/error";

const M2_MAX_OFFSET: i32 = 0x0800;

class LzoState {
  ip: i32 = 0;
  ie: i32 = 0;
  op: i32 = 0;
  ob: i32 = 0;
  oe: i32 = 0;
  err: string = "";
}

/** Reads a length extension: zero bytes add 255 each, then a non-zero byte adds itself. */
function extension(src: Uint8Array, s: LzoState, base: i32): i32 {
  let t = base;
  // the length can never exceed the output left; more zeros than that is a damaged stream
  const maxZeros = (s.oe - s.op) / 255 + 2;
  let zeros = 0;
  while (true) {
    if (s.ip >= s.ie) { s.err = "input ends inside a length"; return -1; }
    const c = <i32>unchecked(src[s.ip++]);
    if (c != 0) return t + c;
    t += 255;
    if (++zeros > maxZeros) { s.err = "length extension longer than the output"; return -1; }
  }
}

function copyLiterals(src: Uint8Array, dst: Uint8Array, s: LzoState, n: i32): bool {
  if (n > s.ie - s.ip) { s.err = "literal run of " + n.toString() + " bytes overruns the input"; return false; }
  if (n > s.oe - s.op) { s.err = "literal run of " + n.toString() + " bytes overruns the output"; return false; }
  memory.copy(dst.dataStart + <usize>s.op, src.dataStart + <usize>s.ip, <usize>n);
  s.ip += n;
  s.op += n;
  return true;
}

/**
 * Decompresses src[off, off+len) into dst[dstOff, dstOff+dstMax); returns the
 * bytes written, or -1 with the error set (`where` names the stream).
 */
export function lzo1xDecompress(src: Uint8Array, off: i32, len: i32, dst: Uint8Array, dstOff: i32, dstMax: i32, where: string): i32 {
  const s = new LzoState();
  s.ip = off;
  s.ie = min(off + len, src.length);
  s.op = dstOff;
  s.ob = dstOff;
  s.oe = min(dstOff + dstMax, dst.length);
  if (s.ie - s.ip < 3) {
    corrupt("lzo.short", where + ": LZO stream of " + len.toString() + " bytes is too short");
    return -1;
  }
  if (s.ie - s.ip >= 5 && src[s.ip] == 17) {
    // the kernel's bitstream version marker; version 1 is LZO-RLE, which Btrfs never writes
    const v = src[s.ip + 1];
    if (v != 0) {
      unsupported("lzo.version", where + ": LZO-RLE bitstream version " + v.toString() + " is not supported");
      return -1;
    }
    s.ip += 2;
  }
  let state = 0;
  let t = <i32>src[s.ip];
  if (t > 17) {
    s.ip++;
    t -= 17;
    if (!copyLiterals(src, dst, s, t)) return fail(s, where);
    state = t < 4 ? t : 4;
  }
  while (true) {
    if (s.ip >= s.ie) { s.err = "input ends without the end-of-stream marker"; return fail(s, where); }
    t = <i32>unchecked(src[s.ip++]);
    let mpos: i32 = 0;
    let mlen: i32 = 0;
    let next: i32 = 0;
    if (t < 16) {
      if (state == 0) {
        // a run of 4 or more literals
        if (t == 0) { t = extension(src, s, 15); if (t < 0) return fail(s, where); }
        if (!copyLiterals(src, dst, s, t + 3)) return fail(s, where);
        state = 4;
        continue;
      }
      if (s.ip >= s.ie) { s.err = "input ends inside a match"; return fail(s, where); }
      const h = <i32>unchecked(src[s.ip++]);
      next = t & 3;
      if (state != 4) {
        mpos = s.op - 1 - (t >> 2) - (h << 2);
        mlen = 2;
      } else {
        mpos = s.op - (1 + M2_MAX_OFFSET) - (t >> 2) - (h << 2);
        mlen = 3;
      }
    } else if (t >= 64) {
      if (s.ip >= s.ie) { s.err = "input ends inside a match"; return fail(s, where); }
      const h = <i32>unchecked(src[s.ip++]);
      next = t & 3;
      mpos = s.op - 1 - ((t >> 2) & 7) - (h << 3);
      mlen = (t >> 5) + 1;
    } else if (t >= 32) {
      t &= 31;
      if (t == 0) { t = extension(src, s, 31); if (t < 0) return fail(s, where); }
      mlen = t + 2;
      if (s.ie - s.ip < 2) { s.err = "input ends inside a match"; return fail(s, where); }
      const d = <i32>src[s.ip] | (<i32>src[s.ip + 1] << 8);
      s.ip += 2;
      mpos = s.op - 1 - (d >> 2);
      next = d & 3;
    } else {
      // 16..31: a far match, or the end-of-stream marker (distance 16384)
      mpos = s.op - ((t & 8) << 11);
      t &= 7;
      if (t == 0) { t = extension(src, s, 7); if (t < 0) return fail(s, where); }
      mlen = t + 2;
      if (s.ie - s.ip < 2) { s.err = "input ends inside a match"; return fail(s, where); }
      const d = <i32>src[s.ip] | (<i32>src[s.ip + 1] << 8);
      s.ip += 2;
      mpos -= d >> 2;
      next = d & 3;
      if (mpos == s.op) {
        if (mlen != 3) { s.err = "malformed end-of-stream marker"; return fail(s, where); }
        return s.op - s.ob;
      }
      mpos -= 0x4000;
    }
    if (mpos < s.ob) {
      s.err = "match at output byte " + (s.op - s.ob).toString() + " reaches " + (s.ob - mpos).toString() +
        " bytes before the start of the output";
      return fail(s, where);
    }
    if (mlen > s.oe - s.op) { s.err = "match of " + mlen.toString() + " bytes overruns the output"; return fail(s, where); }
    // byte by byte: a match may overlap the bytes it produces
    const base = dst.dataStart;
    for (let i = 0; i < mlen; i++) store<u8>(base + <usize>(s.op + i), load<u8>(base + <usize>(mpos + i)));
    s.op += mlen;
    if (next > 0 && !copyLiterals(src, dst, s, next)) return fail(s, where);
    state = next;
  }
  return -1;
}

function fail(s: LzoState, where: string): i32 {
  corrupt("lzo.stream", where + ": damaged LZO stream: " + s.err);
  return -1;
}
