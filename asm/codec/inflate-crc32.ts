// SPDX-License-Identifier: Apache-2.0
// CRC-32 (the gzip and zip checksum, same polynomial as codec/crc32.ts) by
// slicing-by-8: eight table lookups per 8 bytes instead of one per byte, so
// verifying a gzip member does not halve the speed of the index pass. Runs
// of zero bytes — most of a sparse disk image — skip the tables: the CRC is
// linear over GF(2), so n zero bytes move the register through one fixed
// matrix, applied in 32 steps per set bit of n (zlib's crc32_combine idea).

import { reflectedCrcTable } from "./crc-table";

let tables: StaticArray<u32> | null = null;

function sliceTables(): StaticArray<u32> {
  let t = tables;
  if (t !== null) return t;
  const base = reflectedCrcTable(0xedb88320);
  t = new StaticArray<u32>(8 * 256);
  for (let i = 0; i < 256; i++) unchecked(t[i] = base[i]);
  for (let k = 1; k < 8; k++) {
    for (let i = 0; i < 256; i++) {
      const prev = unchecked(t[(k - 1) * 256 + i]);
      unchecked(t[k * 256 + i] = (prev >>> 8) ^ unchecked(t[prev & 0xff]));
    }
  }
  tables = t;
  return t;
}

/** zeroOps[32k .. 32k+31]: the columns of the map "feed 2^k zero bytes" on the CRC register. */
let zeroOps: StaticArray<u32> | null = null;

function gf2Times(ops: StaticArray<u32>, at: i32, vec: u32): u32 {
  let sum: u32 = 0;
  let i = at;
  while (vec != 0) {
    if (vec & 1) sum ^= unchecked(ops[i]);
    vec >>>= 1;
    i++;
  }
  return sum;
}

function zeroOperators(): StaticArray<u32> {
  let ops = zeroOps;
  if (ops !== null) return ops;
  ops = new StaticArray<u32>(32 * 32);
  // one zero bit: the reflected register shifts right, folding in the polynomial
  const bit = new StaticArray<u32>(32);
  unchecked(bit[0] = 0xedb88320);
  for (let i = 1; i < 32; i++) unchecked(bit[i] = (<u32>1) << (i - 1));
  const two = new StaticArray<u32>(32), four = new StaticArray<u32>(32);
  for (let i = 0; i < 32; i++) unchecked(two[i] = gf2Times(bit, 0, unchecked(bit[i])));
  for (let i = 0; i < 32; i++) unchecked(four[i] = gf2Times(two, 0, unchecked(two[i])));
  for (let i = 0; i < 32; i++) unchecked(ops[i] = gf2Times(four, 0, unchecked(four[i])));
  for (let k = 1; k < 32; k++) {
    for (let i = 0; i < 32; i++) unchecked(ops[k * 32 + i] = gf2Times(ops, (k - 1) * 32, unchecked(ops[(k - 1) * 32 + i])));
  }
  zeroOps = ops;
  return ops;
}

/** The raw register after `n` zero bytes. */
function feedZeros(c: u32, n: usize): u32 {
  const ops = zeroOperators();
  for (let k = 0; n != 0; k++, n >>= 1) {
    if (n & 1) c = gf2Times(ops, k * 32, c);
  }
  return c;
}

const ZERO_BLOCK: usize = 4096;

function blockIsZero(p: usize): bool {
  for (let q: usize = 0; q < ZERO_BLOCK; q += 32) {
    if ((load<u64>(p + q) | load<u64>(p + q + 8) | load<u64>(p + q + 16) | load<u64>(p + q + 24)) != 0) return false;
  }
  return true;
}

/** Continues a CRC-32 over `len` bytes at `ptr`; start with crc = 0. */
export function crc32Fast(crc: u32, ptr: usize, len: usize): u32 {
  let c = ~crc;
  let p = ptr;
  const end = ptr + len;
  let zeros: usize = 0;
  while (p + ZERO_BLOCK <= end) {
    if (blockIsZero(p)) zeros += ZERO_BLOCK;
    else {
      if (zeros != 0) { c = feedZeros(c, zeros); zeros = 0; }
      c = sliced(c, p, p + ZERO_BLOCK);
    }
    p += ZERO_BLOCK;
  }
  if (zeros != 0) c = feedZeros(c, zeros);
  return ~sliced(c, p, end);
}

/** The raw register after the bytes [p, end), eight at a time. */
function sliced(c: u32, p: usize, end: usize): u32 {
  const tp = changetype<usize>(sliceTables());
  while (p + 8 <= end) {
    const lo = load<u32>(p) ^ c;
    const hi = load<u32>(p + 4);
    c = load<u32>(tp + ((7 * 256 + (lo & 0xff)) << 2)) ^
      load<u32>(tp + ((6 * 256 + ((lo >>> 8) & 0xff)) << 2)) ^
      load<u32>(tp + ((5 * 256 + ((lo >>> 16) & 0xff)) << 2)) ^
      load<u32>(tp + ((4 * 256 + (lo >>> 24)) << 2)) ^
      load<u32>(tp + ((3 * 256 + (hi & 0xff)) << 2)) ^
      load<u32>(tp + ((2 * 256 + ((hi >>> 8) & 0xff)) << 2)) ^
      load<u32>(tp + ((1 * 256 + ((hi >>> 16) & 0xff)) << 2)) ^
      load<u32>(tp + ((hi >>> 24) << 2));
    p += 8;
  }
  while (p < end) {
    c = load<u32>(tp + (((c ^ <u32>load<u8>(p)) & 0xff) << 2)) ^ (c >>> 8);
    p++;
  }
  return c;
}
