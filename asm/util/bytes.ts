// SPDX-License-Identifier: Apache-2.0
// Little- and big-endian field access on a byte buffer. Out-of-range reads
// return 0 rather than trap: parsers check a structure's length before reading
// its fields, so a 0 here only ever means "this field is absent".

export function u8at(b: Uint8Array, off: i32): u32 {
  if (off < 0 || off >= b.length) return 0;
  return <u32>unchecked(b[off]);
}

export function u16le(b: Uint8Array, off: i32): u32 {
  if (off < 0 || off + 2 > b.length) return 0;
  return <u32>load<u16>(b.dataStart + <usize>off);
}

export function u32le(b: Uint8Array, off: i32): u32 {
  if (off < 0 || off + 4 > b.length) return 0;
  return load<u32>(b.dataStart + <usize>off);
}

export function u64le(b: Uint8Array, off: i32): u64 {
  if (off < 0 || off + 8 > b.length) return 0;
  return load<u64>(b.dataStart + <usize>off);
}

export function u16be(b: Uint8Array, off: i32): u32 {
  return <u32>bswap<u16>(<u16>u16le(b, off));
}

export function u32be(b: Uint8Array, off: i32): u32 {
  return bswap<u32>(u32le(b, off));
}

export function u64be(b: Uint8Array, off: i32): u64 {
  return bswap<u64>(u64le(b, off));
}

export function i32le(b: Uint8Array, off: i32): i32 {
  return <i32>u32le(b, off);
}

/** True when every byte of b[off, off+len) is zero. */
export function allZero(b: Uint8Array, off: i32, len: i32): bool {
  const end = min(b.length, off + len);
  for (let i = max(off, 0); i < end; i++) if (unchecked(b[i]) != 0) return false;
  return true;
}

/** True when b[off...] holds the characters of `s` (code units 0-255, compared as bytes): magic numbers. */
export function asciiAt(b: Uint8Array, off: i32, s: string): bool {
  if (off < 0 || off + s.length > b.length) return false;
  for (let i = 0; i < s.length; i++) if (<i32>unchecked(b[off + i]) != s.charCodeAt(i)) return false;
  return true;
}

/** ASCII/Latin-1 bytes up to the first NUL or `len`. */
export function asciiz(b: Uint8Array, off: i32, len: i32): string {
  const end = min(b.length, off + len);
  let n = off;
  while (n < end && unchecked(b[n]) != 0) n++;
  if (n <= off) return "";
  return String.UTF8.decodeUnsafe(b.dataStart + <usize>off, <usize>(n - off), false);
}

/** UTF-8 bytes, no NUL handling. */
export function utf8(b: Uint8Array, off: i32, len: i32): string {
  if (off < 0 || len <= 0 || off >= b.length) return "";
  const n = min(len, b.length - off);
  return String.UTF8.decodeUnsafe(b.dataStart + <usize>off, <usize>n, false);
}

/** UTF-16LE code units (`units` of them), stopping at a NUL. */
export function utf16le(b: Uint8Array, off: i32, units: i32): string {
  let n = 0;
  while (n < units && off + 2 * n + 2 <= b.length && u16le(b, off + 2 * n) != 0) n++;
  if (n == 0) return "";
  return String.UTF16.decodeUnsafe(b.dataStart + <usize>off, <usize>(2 * n));
}

const HEX = "0123456789abcdef";

export function hexByte(v: u32): string {
  return HEX.charAt((v >> 4) & 15) + HEX.charAt(v & 15);
}

export function hex(b: Uint8Array, off: i32, len: i32): string {
  let s = "";
  for (let i = 0; i < len; i++) s += hexByte(u8at(b, off + i));
  return s;
}

export function hex64(v: u64): string {
  let s = "";
  for (let i = 60; i >= 0; i -= 4) {
    const d = <u32>((v >> <u64>i) & 15);
    if (s.length == 0 && d == 0 && i > 0) continue;
    s += HEX.charAt(d);
  }
  return "0x" + s;
}

/** RFC 4122 text form of 16 bytes stored as plain big-endian (Linux filesystems). */
export function uuidBE(b: Uint8Array, off: i32): string {
  const h = hex(b, off, 16);
  return h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-" +
    h.substring(16, 20) + "-" + h.substring(20, 32);
}

/** Microsoft GUID: first three fields little-endian (GPT, VHDX, BCD). */
export function guidLE(b: Uint8Array, off: i32): string {
  const d1 = hexByte(u8at(b, off + 3)) + hexByte(u8at(b, off + 2)) + hexByte(u8at(b, off + 1)) + hexByte(u8at(b, off));
  const d2 = hexByte(u8at(b, off + 5)) + hexByte(u8at(b, off + 4));
  const d3 = hexByte(u8at(b, off + 7)) + hexByte(u8at(b, off + 6));
  return d1 + "-" + d2 + "-" + d3 + "-" + hex(b, off + 8, 2) + "-" + hex(b, off + 10, 6);
}
