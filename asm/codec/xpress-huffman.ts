// SPDX-License-Identifier: Apache-2.0
// LZ77+Huffman ("XPRESS Huffman", [MS-XCA] 2.1-2.2): a 256-byte table of
// 512 four-bit code lengths, then a bit stream read as 16-bit little-endian
// words, most significant bit first, with extra match-length bytes taken
// from the byte stream in between. Used by WOF XPRESS4K/8K/16K and WIM.
// One call decodes one block: at most 65536 bytes of output, which covers
// every WOF chunk.

const SYMBOLS: i32 = 512;
const MAX_BITS: i32 = 15;
const TABLE_SIZE: i32 = 1 << MAX_BITS;
export const XPRESS_BLOCK: i32 = 65536;

// entry: symbol | length << 9; 0xffff = no code (an incomplete code's gap)
const table = new StaticArray<u16>(TABLE_SIZE);

/** Builds the canonical decoding table from the 512 code lengths at src; false if the lengths are not a prefix code. */
function buildTable(src: usize): bool {
  const counts = new StaticArray<i32>(MAX_BITS + 1);
  for (let s = 0; s < SYMBOLS; s++) {
    const l = <i32>((load<u8>(src + <usize>(s >> 1)) >> (<u8>(s & 1) << 2)) & 15);
    counts[l]++;
  }
  counts[0] = 0;
  // Kraft: the code may be incomplete (gaps), never over-full
  let left = 1;
  for (let l = 1; l <= MAX_BITS; l++) {
    left = (left << 1) - counts[l];
    if (left < 0) return false;
  }
  for (let i = 0; i < TABLE_SIZE; i++) unchecked(table[i] = 0xffff);
  let code = 0;
  for (let l = 1; l <= MAX_BITS; l++) {
    for (let s = 0; s < SYMBOLS; s++) {
      const sl = <i32>((load<u8>(src + <usize>(s >> 1)) >> (<u8>(s & 1) << 2)) & 15);
      if (sl != l) continue;
      const span = 1 << (MAX_BITS - l);
      const start = code << (MAX_BITS - l);
      const e = <u16>(s | (l << 9));
      for (let k = 0; k < span; k++) unchecked(table[start + k] = e);
      code++;
    }
    code <<= 1;
  }
  return true;
}

/**
 * Decodes exactly dstLen (<= 65536) bytes from src[0, srcLen) into dst.
 * Returns dstLen, or -1 when the input is corrupt (bad table, a code with no
 * symbol, a match before the start, or input exhausted).
 */
export function xpressHuffmanDecompress(src: usize, srcLen: i32, dst: usize, dstLen: i32): i32 {
  if (dstLen < 0 || dstLen > XPRESS_BLOCK || srcLen < 256 + 4) return -1;
  if (!buildTable(src)) return -1;
  let ip = 256;
  // words read past the end count as zeros, up to two (the look-ahead); more is truncation
  let past = 0;
  let bits: u32 = <u32>load<u16>(src + <usize>ip) << 16 | <u32>load<u16>(src + <usize>(ip + 2));
  ip += 4;
  let extra = 16;
  let op = 0;
  while (op < dstLen) {
    const e = <i32>unchecked(table[bits >> (32 - MAX_BITS)]);
    if (e == 0xffff) return -1;
    const len = e >> 9;
    const sym = e & 511;
    bits <<= <u32>len;
    extra -= len;
    if (extra < 0) {
      let w: u32 = 0;
      if (ip + 2 <= srcLen) w = <u32>load<u16>(src + <usize>ip); else if (++past > 2) return -1;
      bits |= w << <u32>(-extra);
      extra += 16;
      ip += 2;
    }
    if (sym < 256) {
      store<u8>(dst + <usize>op, <u8>sym);
      op++;
      continue;
    }
    let mlen = (sym - 256) & 15;
    const obits = (sym - 256) >> 4;
    if (mlen == 15) {
      if (ip >= srcLen) return -1;
      mlen = <i32>load<u8>(src + <usize>ip);
      ip++;
      if (mlen == 255) {
        if (ip + 2 > srcLen) return -1;
        mlen = <i32>load<u16>(src + <usize>ip);
        ip += 2;
        if (mlen < 15) return -1;
        mlen -= 15;
      }
      mlen += 15;
    }
    mlen += 3;
    let off = 1 << obits;
    if (obits > 0) {
      off += <i32>(bits >> (32 - <u32>obits));
      bits <<= <u32>obits;
      extra -= obits;
      if (extra < 0) {
        let w: u32 = 0;
        if (ip + 2 <= srcLen) w = <u32>load<u16>(src + <usize>ip); else if (++past > 2) return -1;
        bits |= w << <u32>(-extra);
        extra += 16;
        ip += 2;
      }
    }
    // a match may reach neither before the output nor past its end
    if (off > op || op + mlen > dstLen) return -1;
    for (let k = 0; k < mlen; k++) store<u8>(dst + <usize>(op + k), load<u8>(dst + <usize>(op + k - off)));
    op += mlen;
  }
  return op;
}
