// SPDX-License-Identifier: Apache-2.0
// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) as ext4's metadata_csum
// uses it: the kernel's crc32c_le without the final inversion (checksums.rst).

import { reflectedCrcTable } from "./crc-table";

let table: StaticArray<u32> | null = null;

function crcTable(): StaticArray<u32> {
  let t = table;
  if (t === null) table = t = reflectedCrcTable(0x82f63b78);
  return t;
}

/** Continues a raw crc32c (no pre/post inversion) over b[off, off+len). */
export function crc32cUpdate(crc: u32, b: Uint8Array, off: i32, len: i32): u32 {
  const t = crcTable();
  const end = min(b.length, off + len);
  for (let i = max(off, 0); i < end; i++) {
    crc = unchecked(t[(crc ^ <u32>unchecked(b[i])) & 0xff]) ^ (crc >> 8);
  }
  return crc;
}
