// SPDX-License-Identifier: Apache-2.0
// Marvin32, the keyed hash Windows uses for registry log entries (HvLE
// Hash-1/Hash-2) and elsewhere: two 32-bit lanes mixed by add/rotate/xor
// rounds over little-endian words, with a 0x80 terminator.

function rotl(x: u32, n: u32): u32 { return (x << n) | (x >> (32 - n)); }

export function marvin32(p: usize, len: i32, seed: u64): u64 {
  let a = <u32>seed;
  let b = <u32>(seed >> 32);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    a += load<u32>(p + <usize>i);
    b ^= a; a = rotl(a, 20); a += b; b = rotl(b, 9); b ^= a; a = rotl(a, 27); a += b; b = rotl(b, 19);
  }
  let last: u32 = 0x80;
  const rest = len - i;
  for (let k = rest - 1; k >= 0; k--) last = (last << 8) | <u32>load<u8>(p + <usize>(i + k));
  a += last;
  for (let r = 0; r < 2; r++) {
    b ^= a; a = rotl(a, 20); a += b; b = rotl(b, 9); b ^= a; a = rotl(a, 27); a += b; b = rotl(b, 19);
  }
  return (<u64>b << 32) | <u64>a;
}
