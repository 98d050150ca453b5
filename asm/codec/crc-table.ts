// SPDX-License-Identifier: Apache-2.0
// The byte-at-a-time lookup table of a reflected CRC-32 with polynomial
// `poly`: shared by CRC-32 (IEEE) and CRC-32C (Castagnoli).

export function reflectedCrcTable(poly: u32): StaticArray<u32> {
  const t = new StaticArray<u32>(256);
  for (let n: u32 = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = (c & 1) != 0 ? poly ^ (c >>> 1) : c >>> 1;
    unchecked(t[n] = c);
  }
  return t;
}
