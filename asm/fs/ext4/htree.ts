// SPDX-License-Identifier: Apache-2.0
// Hash-tree directory indexes: a dx_root in block 0 (after "." and ".."),
// optional dx_node levels, then ordinary leaf blocks; names are found by a
// 32-bit hash (Documentation/filesystems/ext4/directory.rst, "Hash Tree
// Directories"). The hashes are the legacy, half-MD4 and TEA variants.

import { u8at, u16le, u32le } from "../../util/bytes";
import { DirCursor } from "./dir-entry";

export const DX_HASH_LEGACY: u32 = 0;
export const DX_HASH_HALF_MD4: u32 = 1;
export const DX_HASH_TEA: u32 = 2;
export const DX_HASH_LEGACY_UNSIGNED: u32 = 3;
export const DX_HASH_HALF_MD4_UNSIGNED: u32 = 4;
export const DX_HASH_TEA_UNSIGNED: u32 = 5;
/** EXT4_HTREE_EOF_32BIT: the hash no name may have */
const HTREE_EOF_32: u32 = 0x7fffffff;

// ---- hashes --------------------------------------------------------------

/** A name byte widened as C's `char` would be: signed variants sign-extend. */
@inline function ch(name: Uint8Array, i: i32, signed: bool): u32 {
  const c = <u32>unchecked(name[i]);
  return signed ? <u32><i32><i8>c : c;
}

function legacyHash(name: Uint8Array, signed: bool): u32 {
  let h0: u32 = 0x12a3fe2d, h1: u32 = 0x37abe8f9;
  for (let i = 0; i < name.length; i++) {
    let h = h1 + (h0 ^ (ch(name, i, signed) * 7152373));
    if ((h & 0x80000000) != 0) h -= 0x7fffffff;
    h1 = h0;
    h0 = h;
  }
  return h0 << 1;
}

/**
 * Packs up to `num` words of name[off, off+len) into `buf`, big-end first,
 * padding with a word made of the remaining length (the kernel's str2hashbuf).
 */
function packName(name: Uint8Array, off: i32, len: i32, buf: StaticArray<u32>, num: i32, signed: bool): void {
  let pad = <u32>len | (<u32>len << 8);
  pad |= pad << 16;
  let val = pad;
  const n = min(len, num * 4);
  let w = 0;
  for (let i = 0; i < n; i++) {
    val = ch(name, off + i, signed) + (val << 8);
    if ((i & 3) == 3) {
      unchecked(buf[w++] = val);
      val = pad;
    }
  }
  if (w < num) unchecked(buf[w++] = val);
  while (w < num) unchecked(buf[w++] = pad);
}

@inline function F(x: u32, y: u32, z: u32): u32 { return z ^ (x & (y ^ z)); }
@inline function G(x: u32, y: u32, z: u32): u32 { return (x & y) + ((x ^ y) & z); }
@inline function H(x: u32, y: u32, z: u32): u32 { return x ^ y ^ z; }
const K2: u32 = 0x5a827999;
const K3: u32 = 0x6ed9eba1;

/** MD4's three rounds over 8 words, keeping the chaining state (ext4's "half MD4"). */
function halfMd4(buf: StaticArray<u32>, x: StaticArray<u32>): void {
  let a = buf[0], b = buf[1], c = buf[2], d = buf[3];
  // round 1: in order, shifts 3 7 11 19
  a = rotl<u32>(a + F(b, c, d) + x[0], 3);  d = rotl<u32>(d + F(a, b, c) + x[1], 7);
  c = rotl<u32>(c + F(d, a, b) + x[2], 11); b = rotl<u32>(b + F(c, d, a) + x[3], 19);
  a = rotl<u32>(a + F(b, c, d) + x[4], 3);  d = rotl<u32>(d + F(a, b, c) + x[5], 7);
  c = rotl<u32>(c + F(d, a, b) + x[6], 11); b = rotl<u32>(b + F(c, d, a) + x[7], 19);
  // round 2: words 1 3 5 7 0 2 4 6, shifts 3 5 9 13
  a = rotl<u32>(a + G(b, c, d) + x[1] + K2, 3);  d = rotl<u32>(d + G(a, b, c) + x[3] + K2, 5);
  c = rotl<u32>(c + G(d, a, b) + x[5] + K2, 9);  b = rotl<u32>(b + G(c, d, a) + x[7] + K2, 13);
  a = rotl<u32>(a + G(b, c, d) + x[0] + K2, 3);  d = rotl<u32>(d + G(a, b, c) + x[2] + K2, 5);
  c = rotl<u32>(c + G(d, a, b) + x[4] + K2, 9);  b = rotl<u32>(b + G(c, d, a) + x[6] + K2, 13);
  // round 3: words 3 7 2 6 1 5 0 4, shifts 3 9 11 15
  a = rotl<u32>(a + H(b, c, d) + x[3] + K3, 3);  d = rotl<u32>(d + H(a, b, c) + x[7] + K3, 9);
  c = rotl<u32>(c + H(d, a, b) + x[2] + K3, 11); b = rotl<u32>(b + H(c, d, a) + x[6] + K3, 15);
  a = rotl<u32>(a + H(b, c, d) + x[1] + K3, 3);  d = rotl<u32>(d + H(a, b, c) + x[5] + K3, 9);
  c = rotl<u32>(c + H(d, a, b) + x[0] + K3, 11); b = rotl<u32>(b + H(c, d, a) + x[4] + K3, 15);
  buf[0] += a; buf[1] += b; buf[2] += c; buf[3] += d;
}

/** 16 rounds of TEA with the name words as the key, the chaining state as the block. */
function tea(buf: StaticArray<u32>, k: StaticArray<u32>): void {
  let sum: u32 = 0;
  let b0 = buf[0], b1 = buf[1];
  const a = k[0], b = k[1], c = k[2], d = k[3];
  for (let n = 0; n < 16; n++) {
    sum += 0x9e3779b9;
    b0 += ((b1 << 4) + a) ^ (b1 + sum) ^ ((b1 >> 5) + b);
    b1 += ((b0 << 4) + c) ^ (b0 + sum) ^ ((b0 >> 5) + d);
  }
  buf[0] += b0;
  buf[1] += b1;
}

/** The major hash of `name` for hash version `version` (0..5), or -1 when the version is unknown. */
export function dxHash(name: Uint8Array, version: u32, seed: StaticArray<u32>): i64 {
  const buf = new StaticArray<u32>(4);
  buf[0] = 0x67452301; buf[1] = 0xefcdab89; buf[2] = 0x98badcfe; buf[3] = 0x10325476;
  if (seed[0] != 0 || seed[1] != 0 || seed[2] != 0 || seed[3] != 0) {
    for (let i = 0; i < 4; i++) buf[i] = seed[i];
  }
  const signed = version < 3;
  let hash: u32;
  switch (version) {
    case DX_HASH_LEGACY:
    case DX_HASH_LEGACY_UNSIGNED:
      hash = legacyHash(name, signed);
      break;
    case DX_HASH_HALF_MD4:
    case DX_HASH_HALF_MD4_UNSIGNED: {
      const x = new StaticArray<u32>(8);
      for (let off = 0; off < name.length; off += 32) {
        packName(name, off, name.length - off, x, 8, signed);
        halfMd4(buf, x);
      }
      hash = buf[1];
      break;
    }
    case DX_HASH_TEA:
    case DX_HASH_TEA_UNSIGNED: {
      const x = new StaticArray<u32>(4);
      for (let off = 0; off < name.length; off += 16) {
        packName(name, off, name.length - off, x, 4, signed);
        tea(buf, x);
      }
      hash = buf[0];
      break;
    }
    default:
      return -1;
  }
  hash &= ~1;
  if (hash == HTREE_EOF_32 << 1) hash = (HTREE_EOF_32 - 1) << 1;
  return <i64>hash;
}

// ---- index ---------------------------------------------------------------

/** Gives the htree code a directory's logical blocks. */
export abstract class DirBlocks {
  /** number of logical blocks in the directory */
  abstract get count(): u32;
  /** logical block `lblk` (null with the error set) */
  abstract block(lblk: u32): Uint8Array | null;
}

/** lookup result: the index cannot be used; search linearly (the kernel does the same) */
export const DX_FALLBACK: i64 = -2;

class Frame {
  constructor(public node: Uint8Array, public entOff: i32, public count: i32, public at: i32) {}
  hashAt(i: i32): u32 { return u32le(this.node, this.entOff + 8 * i); }
  blockAt(i: i32): u32 { return u32le(this.node, this.entOff + 8 * i + 4) & 0x0fffffff; }
}

/** Reads count/limit at `off`; null when they do not fit the block (an unusable index). */
function frameAt(node: Uint8Array, off: i32): Frame | null {
  const limit = <i32>u16le(node, off);
  const count = <i32>u16le(node, off + 2);
  const room = (node.length - off) / 8;
  if (limit == 0 || limit > room || count == 0 || count > limit) return null;
  return new Frame(node, off, count, 0);
}

function descend(f: Frame, hash: u32): void {
  // last entry whose hash is <= hash; entry 0 stands for hash 0
  let lo = 1, hi = f.count - 1;
  while (lo <= hi) {
    const m = lo + ((hi - lo) >> 1);
    if (f.hashAt(m) > hash) hi = m - 1; else lo = m + 1;
  }
  f.at = lo - 1;
}

/**
 * Looks `name` up through the index of a directory whose block 0 is `root`.
 * Returns the inode number, 0 when absent, -1 on error (set), DX_FALLBACK
 * when the index is unusable (bad root, unknown hash, too deep).
 */
export function dxLookup(
  dir: DirBlocks, root: Uint8Array, name: Uint8Array, unsignedHash: bool,
  seed: StaticArray<u32>, largeDir: bool, hasFileType: bool, where: string,
): i64 {
  const bs = root.length;
  // dx_root_info follows "." (12 bytes) and ".." (12 bytes of header + name)
  const reserved_zero = u32le(root, 0x18);
  const hash_version = u8at(root, 0x1c);
  const info_length = <i32>u8at(root, 0x1d);
  const indirect_levels = <i32>u8at(root, 0x1e);
  if (reserved_zero != 0 || info_length != 8) return DX_FALLBACK;
  if (indirect_levels >= (largeDir ? 3 : 2)) return DX_FALLBACK;
  // the superblock's signed/unsigned flag picks the variant of versions 0..2 (s_hash_unsigned)
  const h = dxHash(name, hash_version <= 2 && unsignedHash ? hash_version + 3 : hash_version, seed);
  if (h < 0) return DX_FALLBACK;
  const hash = <u32>h;
  const rootFrame = frameAt(root, 0x18 + info_length);
  if (rootFrame === null) return DX_FALLBACK;
  const frames: Frame[] = [rootFrame];
  descend(rootFrame, hash);
  const nblocks = dir.count;
  for (let lv = 0; lv < indirect_levels; lv++) {
    const f = frames[lv];
    const cb = f.blockAt(f.at);
    if (cb == 0 || cb >= nblocks) return DX_FALLBACK;
    const node = dir.block(cb);
    if (node === null) return -1;
    // a dx_node starts with an empty entry spanning the block
    if (u32le(node, 0) != 0 || node.length != bs) return DX_FALLBACK;
    const nf = frameAt(node, 8);
    if (nf === null) return DX_FALLBACK;
    descend(nf, hash);
    frames.push(nf);
  }
  // Scan the leaf; a name whose hash continues into the next leaf (collision bit) can be there too.
  for (let guard: u32 = 0; guard <= nblocks; guard++) {
    const f = frames[frames.length - 1];
    const lb = f.blockAt(f.at);
    if (lb == 0 || lb >= nblocks) return DX_FALLBACK;
    const leaf = dir.block(lb);
    if (leaf === null) return -1;
    const cur = new DirCursor(leaf, 0, leaf.length, hasFileType, bs, where + " block " + lb.toString());
    let r: i32;
    while ((r = cur.next()) > 0) {
      if (cur.inode != 0 && cur.nameIs(name)) return <i64>cur.inode;
    }
    if (r < 0) return -1;
    // advance to the next leaf in hash order, if it continues this hash
    let lv = frames.length - 1;
    while (lv >= 0 && frames[lv].at + 1 >= frames[lv].count) lv--;
    if (lv < 0) return 0;
    const pf = frames[lv];
    pf.at++;
    if ((pf.hashAt(pf.at) & ~1) != hash) return 0;
    for (let k = lv + 1; k < frames.length; k++) {
      const up = frames[k - 1];
      const cb = up.blockAt(up.at);
      if (cb == 0 || cb >= nblocks) return DX_FALLBACK;
      const node = dir.block(cb);
      if (node === null) return -1;
      if (u32le(node, 0) != 0 || node.length != bs) return DX_FALLBACK;
      const nf = frameAt(node, 8);
      if (nf === null) return DX_FALLBACK;
      frames[k] = nf; // at = 0: the leftmost child
    }
  }
  return 0;
}
