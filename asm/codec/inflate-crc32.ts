// SPDX-License-Identifier: Apache-2.0
// CRC-32 (the gzip and zip checksum, same polynomial as codec/crc32.ts) by
// slicing-by-8: eight table lookups per 8 bytes instead of one per byte, so
// verifying a gzip member does not halve the speed of the index pass.

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

/** Continues a CRC-32 over `len` bytes at `ptr`; start with crc = 0. */
export function crc32Fast(crc: u32, ptr: usize, len: usize): u32 {
  const t = sliceTables();
  const tp = changetype<usize>(t);
  let c = ~crc;
  let p = ptr;
  const end = ptr + len;
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
  return ~c;
}
