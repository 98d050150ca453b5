// SPDX-License-Identifier: Apache-2.0
// LZNT1, the LZ77 variant of NTFS compressed files ([MS-XCA] 2.5): chunks of
// up to 4096 output bytes, each with a 16-bit header (size - 1, signature 3,
// bit 15 = compressed); within a chunk the split of a back-reference between
// offset and length bits moves as the output grows.

const CHUNK: i32 = 4096;

/**
 * Decompresses src[0, srcLen) into dst (capacity dstLen). Returns the bytes
 * written, or -1 (corrupt: a chunk runs past the input, a back-reference
 * points before the chunk, or the output would overflow dstLen).
 */
export function lznt1Decompress(src: usize, srcLen: i32, dst: usize, dstLen: i32): i32 {
  let ip = 0;
  let op = 0;
  while (ip + 2 <= srcLen) {
    const h = <i32>load<u16>(src + <usize>ip);
    if (h == 0) break; // end marker
    ip += 2;
    const size = (h & 0xfff) + 1;
    if (ip + size > srcLen) return -1;
    const chunkEnd = ip + size;
    const chunkStart = op;
    if ((h & 0x8000) == 0) {
      // stored chunk: always a full 4096 bytes of output, or what is left
      if (op + size > dstLen) return -1;
      memory.copy(dst + <usize>op, src + <usize>ip, <usize>size);
      op += size;
      ip = chunkEnd;
      continue;
    }
    while (ip < chunkEnd) {
      const tags = <i32>load<u8>(src + <usize>ip);
      ip++;
      for (let bit = 0; bit < 8 && ip < chunkEnd; bit++) {
        if ((tags & (1 << bit)) == 0) {
          if (op >= dstLen || op - chunkStart >= CHUNK) return -1;
          store<u8>(dst + <usize>op, load<u8>(src + <usize>ip));
          op++;
          ip++;
          continue;
        }
        if (ip + 2 > chunkEnd) return -1;
        const tok = <i32>load<u16>(src + <usize>ip);
        ip += 2;
        const pos = op - chunkStart;
        if (pos == 0) return -1;
        let offBits = 4;
        for (let i = pos - 1; i >= 0x10; i >>= 1) offBits++;
        const lenBits = 16 - offBits;
        const back = (tok >>> lenBits) + 1;
        const len = (tok & ((1 << lenBits) - 1)) + 3;
        if (back > pos || op + len > dstLen || pos + len > CHUNK) return -1;
        // byte by byte: the source may overlap what is being written
        for (let k = 0; k < len; k++) store<u8>(dst + <usize>(op + k), load<u8>(dst + <usize>(op + k - back)));
        op += len;
      }
    }
    ip = chunkEnd;
    // a short compressed chunk still stands for 4096 bytes: the rest are zeros (as ntfs-3g reads it)
    const full = min(chunkStart + CHUNK, dstLen);
    if (op < full) { memory.fill(dst + <usize>op, 0, <usize>(full - op)); op = full; }
  }
  return op;
}
