// SPDX-License-Identifier: Apache-2.0
// XXH64 (seed 0), for the zstd frame content checksum (RFC 8878 §3.1.1: its
// low 32 bits follow the last block when the frame header asks for them).

const P1: u64 = 11400714785074694791;
const P2: u64 = 14029467366897019727;
const P3: u64 = 1609587929392839161;
const P4: u64 = 9650029242287828579;
const P5: u64 = 2870177450012600261;

@inline function round(acc: u64, input: u64): u64 {
  acc += input * P2;
  acc = rotl<u64>(acc, 31);
  return acc * P1;
}

@inline function merge(acc: u64, val: u64): u64 {
  acc ^= round(0, val);
  return acc * P1 + P4;
}

/** XXH64 of buf[off, off+len); the caller keeps the range inside buf. */
export function xxh64(buf: Uint8Array, off: i32, len: i32): u64 {
  let p = buf.dataStart + <usize>off;
  const end = p + <usize>len;
  let h: u64;
  if (len >= 32) {
    let v1: u64 = P1 + P2, v2: u64 = P2, v3: u64 = 0, v4: u64 = 0 - P1;
    const limit = end - 32;
    while (p <= limit) {
      v1 = round(v1, load<u64>(p));
      v2 = round(v2, load<u64>(p + 8));
      v3 = round(v3, load<u64>(p + 16));
      v4 = round(v4, load<u64>(p + 24));
      p += 32;
    }
    h = rotl<u64>(v1, 1) + rotl<u64>(v2, 7) + rotl<u64>(v3, 12) + rotl<u64>(v4, 18);
    h = merge(h, v1);
    h = merge(h, v2);
    h = merge(h, v3);
    h = merge(h, v4);
  } else {
    h = P5;
  }
  h += <u64>len;
  while (p + 8 <= end) {
    h ^= round(0, load<u64>(p));
    h = rotl<u64>(h, 27) * P1 + P4;
    p += 8;
  }
  if (p + 4 <= end) {
    h ^= (<u64>load<u32>(p)) * P1;
    h = rotl<u64>(h, 23) * P2 + P3;
    p += 4;
  }
  while (p < end) {
    h ^= (<u64>load<u8>(p)) * P5;
    h = rotl<u64>(h, 11) * P1;
    p++;
  }
  h ^= h >> 33;
  h *= P2;
  h ^= h >> 29;
  h *= P3;
  h ^= h >> 32;
  return h;
}
