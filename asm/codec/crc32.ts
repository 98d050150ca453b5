// SPDX-License-Identifier: Apache-2.0
// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, initial and final XOR
// 0xFFFFFFFF): the checksum of GPT headers and entry arrays (UEFI spec 5.3.2).

import { reflectedCrcTable } from "./crc-table";

let table: StaticArray<u32> | null = null;

function crcTable(): StaticArray<u32> {
  let t = table;
  if (t === null) table = t = reflectedCrcTable(0xedb88320);
  return t;
}

/** Continues a CRC-32 over `len` bytes at `ptr`; start with crc = 0. */
export function crc32Update(crc: u32, ptr: usize, len: usize): u32 {
  const t = crcTable();
  let c = ~crc;
  for (let i: usize = 0; i < len; i++) {
    c = unchecked(t[(c ^ <u32>load<u8>(ptr + i)) & 0xff]) ^ (c >>> 8);
  }
  return ~c;
}

/** CRC-32 of b[off, off+len), clamped to the buffer. */
export function crc32(b: Uint8Array, off: i32, len: i32): u32 {
  if (off < 0) off = 0;
  if (off > b.length) off = b.length;
  if (len > b.length - off) len = b.length - off;
  if (len <= 0) return 0;
  return crc32Update(0, b.dataStart + <usize>off, <usize>len);
}
