// SPDX-License-Identifier: Apache-2.0
// LZX as WIM and WOF use it (Microsoft's LZX DELTA/CAB format with a fixed
// 32 KiB window, every chunk decoded on its own, and x86 E8 call translation
// always on with a file size of 12000000): blocks are verbatim, aligned
// offset or uncompressed; code lengths are delta-coded through a pretree and
// carry over between blocks of a chunk; the bit stream is 16-bit
// little-endian words read from the most significant bit ([MS-PATCH] LZX
// DELTA format, and wimlib's lzx_decompress notes on the WIM variant).

const NUM_CHARS: i32 = 256;
const WINDOW: i32 = 32768;
/** Offset slots of a 32 KiB window. */
const NUM_SLOTS: i32 = 30;
const MAIN_SYMS: i32 = NUM_CHARS + 8 * NUM_SLOTS;
const LEN_SYMS: i32 = 249;
const PRE_SYMS: i32 = 20;
const ALIGNED_SYMS: i32 = 8;
const MAX_BITS: i32 = 16;
const BLOCK_VERBATIM: u32 = 1;
const BLOCK_ALIGNED: u32 = 2;
const BLOCK_UNCOMPRESSED: u32 = 3;
const E8_FILE_SIZE: i32 = 12000000;

/** Canonical Huffman code over `n` symbols (counts per length, symbols by length then value). */
class Code {
  count: StaticArray<i32> = new StaticArray<i32>(MAX_BITS + 1);
  symbol: StaticArray<u16>;
  constructor(n: i32) { this.symbol = new StaticArray<u16>(n); }

  /** False when the lengths over-subscribe the code space. */
  build(lens: StaticArray<u8>, n: i32): bool {
    for (let l = 0; l <= MAX_BITS; l++) unchecked(this.count[l] = 0);
    for (let s = 0; s < n; s++) unchecked(this.count[<i32>lens[s]]++);
    unchecked(this.count[0] = 0);
    let left = 1;
    for (let l = 1; l <= MAX_BITS; l++) {
      left = (left << 1) - unchecked(this.count[l]);
      if (left < 0) return false;
    }
    const offs = new StaticArray<i32>(MAX_BITS + 2);
    for (let l = 1; l <= MAX_BITS; l++) unchecked(offs[l + 1] = offs[l] + this.count[l]);
    for (let s = 0; s < n; s++) {
      const l = <i32>unchecked(lens[s]);
      if (l != 0) { unchecked(this.symbol[offs[l]] = <u16>s); unchecked(offs[l]++); }
    }
    return true;
  }
}

class Bits {
  buf: u32 = 0;
  count: i32 = 0;
  pos: i32 = 0;
  /** 16-bit words read as zeros past the end; more than a couple means truncated input */
  overrun: i32 = 0;
  constructor(public src: usize, public len: i32) {}

  ensure(n: i32): void {
    if (this.count >= n) return;
    let w: u32 = 0;
    if (this.pos + 2 <= this.len) w = <u32>load<u16>(this.src + <usize>this.pos); else this.overrun++;
    this.pos += 2;
    this.buf |= w << <u32>(16 - this.count);
    this.count += 16;
  }

  read(n: i32): u32 {
    if (n == 0) return 0;
    this.ensure(n);
    const v = this.buf >>> <u32>(32 - n);
    this.buf <<= <u32>n;
    this.count -= n;
    return v;
  }

  /** One symbol of `c`, or -1 when the bits match no code. */
  decode(c: Code): i32 {
    let code = 0, first = 0, index = 0;
    for (let l = 1; l <= MAX_BITS; l++) {
      code |= <i32>this.read(1);
      const cnt = unchecked(c.count[l]);
      if (code - first < cnt) return <i32>unchecked(c.symbol[index + code - first]);
      index += cnt;
      first = (first + cnt) << 1;
      code <<= 1;
    }
    return -1;
  }

  /** Skips to the next 16-bit boundary; an aligned stream skips a whole word (as Microsoft's decoder does). */
  align(): void {
    this.ensure(1);
    this.buf = 0;
    this.count = 0;
  }
}

const slotBase = new StaticArray<i32>(NUM_SLOTS + 1);
const slotBits = new StaticArray<i32>(NUM_SLOTS + 1);
function initSlots(): void {
  let base = 0;
  for (let s = 0; s <= NUM_SLOTS; s++) {
    const b = s < 4 ? 0 : min((s >> 1) - 1, 17);
    unchecked(slotBits[s] = b);
    unchecked(slotBase[s] = base);
    base += 1 << b;
  }
}
initSlots();

/** Reads lengths [first, last) of `lens`, delta-coded against their previous values through a pretree. */
function readLengths(bits: Bits, lens: StaticArray<u8>, first: i32, last: i32, pre: Code, preLens: StaticArray<u8>): bool {
  for (let i = 0; i < PRE_SYMS; i++) unchecked(preLens[i] = <u8>bits.read(4));
  if (!pre.build(preLens, PRE_SYMS)) return false;
  let i = first;
  while (i < last) {
    const sym = bits.decode(pre);
    if (sym < 0) return false;
    if (sym == 17 || sym == 18) {
      const run = sym == 17 ? 4 + <i32>bits.read(4) : 20 + <i32>bits.read(5);
      if (i + run > last) return false;
      for (let k = 0; k < run; k++) unchecked(lens[i + k] = 0);
      i += run;
    } else if (sym == 19) {
      const run = 4 + <i32>bits.read(1);
      const s2 = bits.decode(pre);
      if (s2 < 0 || s2 > 16 || i + run > last) return false;
      const v = <u8>((<i32>unchecked(lens[i]) - s2 + 17) % 17);
      for (let k = 0; k < run; k++) unchecked(lens[i + k] = v);
      i += run;
    } else {
      unchecked(lens[i] = <u8>((<i32>unchecked(lens[i]) - sym + 17) % 17));
      i++;
    }
  }
  return true;
}

/** Undoes the encoder's x86 CALL (E8) translation of one chunk. */
function undoE8(dst: usize, n: i32): void {
  if (n <= 10) return;
  let i = 0;
  while (i < n - 10) {
    if (load<u8>(dst + <usize>i) != 0xe8) { i++; continue; }
    const abs = load<i32>(dst + <usize>(i + 1));
    if (abs >= -i && abs < E8_FILE_SIZE) {
      const rel = abs >= 0 ? abs - i : abs + E8_FILE_SIZE;
      store<i32>(dst + <usize>(i + 1), rel);
    }
    i += 5;
  }
}

/**
 * Decodes one chunk: exactly dstLen (<= 32768) bytes from src[0, srcLen).
 * Returns dstLen, or -1 when the data is corrupt or truncated.
 */
export function lzxDecompress(src: usize, srcLen: i32, dst: usize, dstLen: i32): i32 {
  if (dstLen < 0 || dstLen > WINDOW) return -1;
  const bits = new Bits(src, srcLen);
  const mainLens = new StaticArray<u8>(MAIN_SYMS);
  const lenLens = new StaticArray<u8>(LEN_SYMS);
  const alignedLens = new StaticArray<u8>(ALIGNED_SYMS);
  const preLens = new StaticArray<u8>(PRE_SYMS);
  const main = new Code(MAIN_SYMS);
  const lengths = new Code(LEN_SYMS);
  const aligned = new Code(ALIGNED_SYMS);
  const pre = new Code(PRE_SYMS);
  let r0 = 1, r1 = 1, r2 = 1;
  let op = 0;
  while (op < dstLen) {
    const type = bits.read(3);
    let size = bits.read(1) != 0 ? WINDOW : <i32>bits.read(16);
    if (size == 0) return -1;
    size = min(size, dstLen - op);
    if (type == BLOCK_UNCOMPRESSED) {
      bits.align();
      const p = bits.pos;
      if (p + 12 + size > srcLen) return -1;
      r0 = load<i32>(src + <usize>p); r1 = load<i32>(src + <usize>(p + 4)); r2 = load<i32>(src + <usize>(p + 8));
      memory.copy(dst + <usize>op, src + <usize>(p + 12), <usize>size);
      op += size;
      bits.pos = p + 12 + size + (size & 1);
      continue;
    }
    if (type != BLOCK_VERBATIM && type != BLOCK_ALIGNED) return -1;
    if (type == BLOCK_ALIGNED) {
      for (let i = 0; i < ALIGNED_SYMS; i++) unchecked(alignedLens[i] = <u8>bits.read(3));
      if (!aligned.build(alignedLens, ALIGNED_SYMS)) return -1;
    }
    if (!readLengths(bits, mainLens, 0, NUM_CHARS, pre, preLens)) return -1;
    if (!readLengths(bits, mainLens, NUM_CHARS, MAIN_SYMS, pre, preLens)) return -1;
    if (!main.build(mainLens, MAIN_SYMS)) return -1;
    if (!readLengths(bits, lenLens, 0, LEN_SYMS, pre, preLens)) return -1;
    if (!lengths.build(lenLens, LEN_SYMS)) return -1;
    const end = op + size;
    while (op < end) {
      if (bits.overrun > 2) return -1;
      let sym = bits.decode(main);
      if (sym < 0) return -1;
      if (sym < NUM_CHARS) {
        store<u8>(dst + <usize>op, <u8>sym);
        op++;
        continue;
      }
      sym -= NUM_CHARS;
      let len = sym & 7;
      const slot = sym >> 3;
      if (len == 7) {
        const l = bits.decode(lengths);
        if (l < 0) return -1;
        len += l;
      }
      len += 2;
      let off: i32;
      if (slot == 0) off = r0;
      else if (slot == 1) { off = r1; r1 = r0; r0 = off; }
      else if (slot == 2) { off = r2; r2 = r0; r0 = off; }
      else {
        const nb = unchecked(slotBits[slot]);
        let extra: i32;
        if (type == BLOCK_ALIGNED && nb >= 3) {
          extra = <i32>(bits.read(nb - 3) << 3);
          const a = bits.decode(aligned);
          if (a < 0) return -1;
          extra += a;
        } else extra = <i32>bits.read(nb);
        off = unchecked(slotBase[slot]) + extra - 2;
        r2 = r1; r1 = r0; r0 = off;
      }
      if (off <= 0 || off > op || op + len > dstLen) return -1;
      for (let k = 0; k < len; k++) store<u8>(dst + <usize>(op + k), load<u8>(dst + <usize>(op + k - off)));
      op += len;
    }
  }
  if (bits.overrun > 2) return -1;
  undoE8(dst, dstLen);
  return dstLen;
}
