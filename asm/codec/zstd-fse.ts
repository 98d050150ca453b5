// SPDX-License-Identifier: Apache-2.0
// FSE (tANS) tables of zstd (RFC 8878 §4.1.1): the normalized-count header
// and the decode table built from it. A decode entry packs the symbol (bits
// 0-7), the bits to read for the next state (8-15) and the next state's base
// (16-31), so one load per step.

import { corrupt } from "../util/error";

/** Normalized counts being read; -1 means "less than 1" (one low-probability cell). */
const norm = new StaticArray<i16>(256);
const next = new StaticArray<u16>(256);
const spread = new StaticArray<u8>(512);

/** Where the last readFseHeader ended (bytes consumed). */
export let fseHeaderLen: i32 = 0;
/** Accuracy log of the last table built. */
export let fseLog: i32 = 0;

/**
 * Reads a normalized-count header at src[off, end) and builds its decode table
 * into `table` (at least 1 << maxLog entries). False with corrupt("zstd.fse-table").
 */
export function readFseTable(src: Uint8Array, off: i32, end: i32, maxSymbol: i32, maxLog: i32, table: Uint32Array, what: string): bool {
  // a little-endian forward bit reader bounded by `end`
  let bitPos: i64 = <i64>off * 8;
  const bitEnd: i64 = <i64>end * 8;
  if (off >= end) {
    corrupt("zstd.fse-table", what + ": the FSE table header is missing (no bytes left)");
    return false;
  }
  const log = <i32>(src[off] & 15) + 5;
  bitPos += 4;
  if (log > maxLog) {
    corrupt("zstd.fse-table", what + ": accuracy log " + log.toString() + " is above this table's maximum " + maxLog.toString());
    return false;
  }
  const size = 1 << log;
  let remaining = size + 1;
  let threshold = size;
  let nbBits = log + 1;
  let symbol = 0;
  let prevZero = false;
  while (remaining > 1) {
    if (prevZero) {
      // 2-bit repeat flags: 3 means "three more zeros and another flag"
      for (;;) {
        if (bitPos + 2 > bitEnd) { corrupt("zstd.fse-table", what + ": the FSE table header is truncated"); return false; }
        const r = <i32>bits(src, bitPos, 2);
        bitPos += 2;
        symbol += r;
        if (symbol > maxSymbol + 1) { corrupt("zstd.fse-table", what + ": zero-probability run passes the last symbol " + maxSymbol.toString()); return false; }
        for (let i = symbol - r; i < symbol; i++) norm[i] = 0;
        if (r != 3) break;
      }
    }
    if (symbol > maxSymbol) {
      corrupt("zstd.fse-table", what + ": probabilities run past symbol " + maxSymbol.toString() + " with " + (remaining - 1).toString() + " left to assign");
      return false;
    }
    if (bitPos + <i64>nbBits > bitEnd + 0) {
      // the last field may take fewer bits than nbBits: check what it really needs below
      if (bitPos + <i64>(nbBits - 1) > bitEnd) { corrupt("zstd.fse-table", what + ": the FSE table header is truncated"); return false; }
    }
    const max = 2 * threshold - 1 - remaining;
    const low = <i32>bits(src, bitPos, nbBits - 1);
    let count: i32;
    if (low < max) {
      count = low;
      bitPos += nbBits - 1;
    } else {
      if (bitPos + <i64>nbBits > bitEnd) { corrupt("zstd.fse-table", what + ": the FSE table header is truncated"); return false; }
      count = <i32>bits(src, bitPos, nbBits);
      if (count >= threshold) count -= max;
      bitPos += nbBits;
    }
    count -= 1;
    remaining -= count < 0 ? -count : count;
    norm[symbol++] = <i16>count;
    prevZero = count == 0;
    if (remaining < 1) {
      corrupt("zstd.fse-table", what + ": probabilities add up to more than " + size.toString());
      return false;
    }
    while (remaining < threshold) { nbBits--; threshold >>= 1; }
  }
  if (remaining != 1) {
    corrupt("zstd.fse-table", what + ": probabilities do not add up to " + size.toString());
    return false;
  }
  fseHeaderLen = <i32>((bitPos + 7) >> 3) - off;
  return buildFse(symbol, log, table, what);
}

/** Builds the decode table of counts norm[0, n) summing to 1 << log. */
export function buildFse(n: i32, log: i32, table: Uint32Array, what: string): bool {
  const size = 1 << log;
  let high = size - 1;
  for (let s = 0; s < n; s++) {
    const c = <i32>norm[s];
    if (c == -1) {
      spread[high--] = <u8>s;
      next[s] = 1;
    } else {
      next[s] = <u16>c;
    }
  }
  const step = (size >> 1) + (size >> 3) + 3;
  const mask = size - 1;
  let pos = 0;
  for (let s = 0; s < n; s++) {
    const c = <i32>norm[s];
    for (let i = 0; i < c; i++) {
      spread[pos] = <u8>s;
      do { pos = (pos + step) & mask; } while (pos > high);
    }
  }
  if (pos != 0) {
    corrupt("zstd.fse-table", what + ": the FSE symbol spread does not close (counts inconsistent)");
    return false;
  }
  for (let u = 0; u < size; u++) {
    const s = <i32>spread[u];
    const ns = <i32>next[s];
    next[s] = <u16>(ns + 1);
    const nb = log - (31 - <i32>clz<u32>(ns));
    const base = (ns << nb) - size;
    table[u] = <u32>s | (<u32>nb << 8) | (<u32>base << 16);
  }
  fseLog = log;
  return true;
}

/** Builds a table from fixed counts (the predefined distributions). */
export function buildFseFrom(counts: StaticArray<i16>, log: i32, table: Uint32Array): void {
  for (let i = 0; i < counts.length; i++) norm[i] = counts[i];
  buildFse(counts.length, log, table, "predefined");
}

/** A one-symbol table (RLE mode): state 0, no bits. */
export function rleFse(sym: u8, table: Uint32Array): void {
  table[0] = <u32>sym;
  fseLog = 0;
}

@inline function bits(src: Uint8Array, bitPos: i64, n: i32): u32 {
  // up to 16 bits from a forward little-endian stream; bytes past src read as zero
  const byte = <i32>(bitPos >> 3);
  let w: u32 = 0;
  for (let i = 0; i < 4; i++) {
    const k = byte + i;
    if (k < src.length) w |= (<u32>src[k]) << (<u32>(i * 8));
  }
  return (w >> <u32>(bitPos & 7)) & ((1 << <u32>n) - 1);
}
