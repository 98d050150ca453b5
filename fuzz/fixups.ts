// SPDX-License-Identifier: Apache-2.0
// Structure-aware touches after a mutation: re-seal the checksums a format
// checks first, so mutated metadata gets past the checksum gate and into the
// parsers (a flag per target). Each makes its writes through `emit` (applied at once, undone after the run).
import type { Write } from './mutate';

function table(poly: number): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? poly ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}
const T32 = table(0xedb88320);
const T32C = table(0x82f63b78);

function crc(t: Uint32Array, b: Uint8Array, start: number, end: number, skip = -1): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) {
    const v = i >= skip && i < skip + 4 ? 0 : b[i];
    c = t[(c ^ v) & 0xff] ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}
export const crc32 = (b: Uint8Array, s: number, e: number, skip = -1) => crc(T32, b, s, e, skip);
export const crc32c = (b: Uint8Array, s: number, e: number, skip = -1) => crc(T32C, b, s, e, skip);

const u32 = (b: Uint8Array, o: number) => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
/** Writes v (LE) at o through `emit`, which applies the write at once and records it. */
function put32(_b: Uint8Array, len: number, o: number, v: number, emit: (w: Write) => void): void {
  if (o + 4 > len) return;
  emit({ pos: o, bytes: Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff) });
}

export type Fixup = (b: Uint8Array, len: number, writes: { pos: number }[], emit: (w: Write) => void) => void;

/** GPT: the entry array's CRC-32, then the header's (both headers, 512 and 4096-byte sectors). */
export const gptFixup: Fixup = (b, len, _writes, out) => {
  for (const ss of [512, 4096]) {
    const heads = [ss];
    const lastLba = Math.floor(len / ss) - 1;
    if (lastLba > 1) heads.push(lastLba * ss);
    for (const h of heads) {
      if (h + 92 > len || u32(b, h) !== 0x20494645 || u32(b, h + 4) !== 0x54524150) continue;
      const entLba = u32(b, h + 72) + u32(b, h + 76) * 4294967296;
      const n = u32(b, h + 80), sz = u32(b, h + 84);
      const start = entLba * ss, bytes = n * sz;
      if (bytes > 0 && bytes <= 1 << 20 && start + bytes <= len) {
        const c = crc32(b, start, start + bytes);
        put32(b, len, h + 88, c, out);
      }
      const hs = u32(b, h + 12);
      if (hs >= 92 && hs <= ss && h + hs <= len) put32(b, len, h + 16, crc32(b, h, h + hs, h + 16), out);
    }
  }
};

/** Btrfs: the superblock and every tree node a write touched (CRC-32C over the rest of the block). */
export const btrfsFixup: Fixup = (b, len, writes, out) => {
  const SB = 0x10000;
  if (len < SB + 0x1000) return;
  const nodesize = u32(b, SB + 0x94);
  const fsid = b.subarray(SB + 0x20, SB + 0x30);
  const done = new Set<number>();
  for (const w of writes) {
    if (nodesize < 4096 || nodesize > 65536) break;
    for (let start = w.pos - (w.pos % 4096), k = 0; start >= 0 && k < nodesize / 4096; start -= 4096, k++) {
      if (done.has(start) || start === SB || start + nodesize > len) continue;
      let same = true;
      for (let i = 0; i < 16; i++) if (b[start + 0x20 + i] !== fsid[i]) { same = false; break; }
      if (!same) continue;
      done.add(start);
      put32(b, len, start, crc32c(b, start + 0x20, start + nodesize), out);
      break;
    }
  }
  put32(b, len, SB, crc32c(b, SB + 0x20, SB + 0x1000), out);
};

/** VHDX: both headers (4 KiB) and both region tables (64 KiB), CRC-32C with the field zeroed. */
export const vhdxFixup: Fixup = (b, len, _writes, out) => {
  for (const [o, n] of [[0x10000, 0x1000], [0x20000, 0x1000], [0x30000, 0x10000], [0x40000, 0x10000]]) {
    if (o + n <= len) put32(b, len, o + 4, crc32c(b, o, o + n, o + 4), out);
  }
};

/** ext4 with metadata_csum: the superblock's CRC-32C. */
export const ext4Fixup: Fixup = (b, len, _writes, out) => {
  if (len >= 2048 && (u32(b, 1024 + 0x64) & 0x400) !== 0) put32(b, len, 1024 + 0x3fc, crc32c(b, 1024, 1024 + 0x3fc), out);
};

const be32 = (b: Uint8Array, o: number) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
const be16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];

/**
 * XFS v5: the block a write touched, found by its magic — AG headers
 * (sectors), btree blocks, directory blocks, and inodes (CRC-32C with the
 * field zeroed, stored little-endian).
 */
export const xfsFixup: Fixup = (b, len, writes, out) => {
  if (len < 512 || be32(b, 0) !== 0x58465342) return;
  const bs = be32(b, 4);
  const sect = be16(b, 102);
  const inodeSize = be16(b, 104);
  if ((b[101] & 0x0f) !== 5 && (be16(b, 100) & 0xf) !== 5) return; // not v5: no CRCs
  const done = new Set<number>();
  const seal = (start: number, size: number, at: number) => {
    if (done.has(start) || start + size > len) return;
    done.add(start);
    put32(b, len, start + at, crc32c(b, start, start + size, start + at), out);
  };
  for (const w of writes) {
    // AG headers: the first four sectors of an AG (their magic says which)
    const s = w.pos - (w.pos % sect);
    const m = be32(b, s);
    if (m === 0x58465342) { seal(s, sect, 224); continue; }
    if (m === 0x58414746) { seal(s, sect, 216); continue; }
    if (m === 0x58414749) { seal(s, sect, 312); continue; }
    if (m === 0x5841464c) { seal(s, sect, 32); continue; }
    const i = w.pos - (w.pos % inodeSize);
    if (be16(b, i) === 0x494e && b[i + 4] === 3) { seal(i, inodeSize, 100); continue; }
    const blk = w.pos - (w.pos % bs);
    const bm = be32(b, blk);
    if (bm === 0x424d4133) { seal(blk, bs, 64); continue; } // BMA3: long-form btree block
    // short-form AG btree blocks: AB3B AB3C IAB3 FIB3 R3MP R3FC
    if ([0x41423342, 0x41423343, 0x49414233, 0x46494233, 0x52334d50, 0x52334643].includes(bm)) { seal(blk, bs, 52); continue; }
    if (bm === 0x58444233 || bm === 0x58444433) { seal(blk, bs, 4); continue; } // XDB3 XDD3
    const lm = be16(b, blk + 8);
    if (lm === 0x3df1 || lm === 0x3dff || lm === 0x3ebe || lm === 0x3bee) { seal(blk, bs, 12); continue; }
  }
};

const HVLE_SEED_LO = 0x7a4e55c5, HVLE_SEED_HI = 0x82ef4d88;
const rotl = (x: number, n: number) => ((x << n) | (x >>> (32 - n))) >>> 0;

/** Marvin32 with the registry log seed, as [low, high] 32-bit halves. */
export function marvin32(b: Uint8Array, start: number, len: number): [number, number] {
  let a = HVLE_SEED_LO, c = HVLE_SEED_HI;
  const mix = () => {
    c = (c ^ a) >>> 0; a = rotl(a, 20); a = (a + c) >>> 0; c = rotl(c, 9);
    c = (c ^ a) >>> 0; a = rotl(a, 27); a = (a + c) >>> 0; c = rotl(c, 19);
  };
  let i = 0;
  for (; i + 4 <= len; i += 4) { a = (a + u32(b, start + i)) >>> 0; mix(); }
  let last = 0x80;
  for (let k = len - i - 1; k >= 0; k--) last = ((last << 8) | b[start + i + k]) >>> 0;
  a = (a + last) >>> 0;
  mix(); mix();
  return [a, c];
}

/** Registry transaction logs: the base block's XOR checksum and both Marvin32 hashes of every HvLE entry. */
export const hiveLogFixup: Fixup = (b, len, _writes, out) => {
  if (len < 512) return;
  let x = 0;
  for (let i = 0; i < 508; i += 4) x = (x ^ u32(b, i)) >>> 0;
  put32(b, len, 508, x === 0 ? 1 : x === 0xffffffff ? 0xfffffffe : x, out);
  for (let p = 512; p + 40 <= len && u32(b, p) === 0x454c7648; ) {
    const size = u32(b, p + 4);
    if (size < 40 || size % 512 !== 0 || p + size > len) break;
    const [l1, h1] = marvin32(b, p + 40, size - 40);
    put32(b, len, p + 24, l1, out); put32(b, len, p + 28, h1, out);
    const [l2, h2] = marvin32(b, p, 32);
    put32(b, len, p + 32, l2, out); put32(b, len, p + 36, h2, out);
    p += size;
  }
};

/** lvm2's calc_crc: the CRC-32 table steps from 0xf597a6cf, no inversions. */
export function lvmCrc(b: Uint8Array, start: number, end: number): number {
  let c = 0xf597a6cf;
  for (let i = start; i < end; i++) c = T32[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return c >>> 0;
}

/**
 * LVM2: for every PV label (LABELONE, found at any 512-byte boundary), the
 * committed metadata text's checksum in each metadata area header, that
 * header's checksum, and the label's — so mutated metadata text reaches the
 * text parser instead of stopping at "checksum does not match".
 */
export const lvmFixup: Fixup = (b, len, _writes, out) => {
  const u64 = (o: number) => u32(b, o) + u32(b, o + 4) * 4294967296;
  for (let L = 512; L + 512 <= len; L += 512) {
    if (u32(b, L) !== 0x4542414c || u32(b, L + 4) !== 0x454e4f4c) continue; // "LABELONE"
    const P = L - u32(b, L + 8) * 512;
    const hdr = L + u32(b, L + 20);
    if (P < 0 || hdr < L + 32 || hdr + 40 > L + 512) continue;
    let p = hdr + 40;
    for (let list = 0; list < 2; list++) {
      for (let k = 0; k < 16 && p + 16 <= L + 512; k++) {
        const off = u64(p), size = u64(p + 8);
        p += 16;
        if (off === 0) break;
        if (list === 0) continue;
        const h = P + off;
        if (h + 512 > len || size < 1024) continue;
        const toff = u64(h + 40), tlen = u64(h + 48);
        if (toff >= 512 && tlen > 0 && tlen < 1 << 20 && toff + tlen <= size && h + toff + tlen <= len) {
          put32(b, len, h + 56, lvmCrc(b, h + toff, h + toff + tlen), out);
        }
        put32(b, len, h, lvmCrc(b, h + 4, h + 512), out);
      }
    }
    put32(b, len, L + 16, lvmCrc(b, L + 20, L + 512), out);
  }
};

function putBe32(len: number, o: number, v: number, out: (w: Write) => void): void {
  if (o + 4 <= len) out({ pos: o, bytes: Uint8Array.of((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff) });
}
/** VHD's one's-complement byte sum, the checksum field [at, at+4) counted as zeros. */
function vhdSum(b: Uint8Array, start: number, n: number, at: number): number {
  let sum = 0;
  for (let i = start; i < start + n; i++) if (i < at || i >= at + 4) sum += b[i];
  return ~sum >>> 0;
}

/** VHD: both footers ("conectix", 512 bytes) and the dynamic header ("cxsparse", 1024 bytes). */
export const vhdFixup: Fixup = (b, len, _writes, out) => {
  const isFooter = (o: number) => o >= 0 && o + 512 <= len && u32(b, o) === 0x656e6f63 && u32(b, o + 4) === 0x78697463;
  for (const f of [0, len - 512, len - 511]) {
    if (!isFooter(f)) continue;
    putBe32(len, f + 64, vhdSum(b, f, 512, f + 64), out);
    const hi = be32(b, f + 16), lo = be32(b, f + 20);
    const d = hi * 4294967296 + lo;
    if (hi !== 0xffffffff && d + 1024 <= len && u32(b, d) === 0x70737863 && u32(b, d + 4) === 0x65737261) putBe32(len, d + 36, vhdSum(b, d, 1024, d + 36), out);
  }
};
