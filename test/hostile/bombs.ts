// SPDX-License-Identifier: Apache-2.0
// Decompression bombs made in a moment at test time: one deflate block of
// zeros, byte-aligned by a full flush, repeated — each copy adds the same
// output, so megabytes of input stand for gigabytes of output without the
// test ever writing them.
import { deflateRawSync, constants } from 'node:zlib';

/** A raw deflate stream of `prefix` then `copies` × 16 MiB of zeros, from about 16 KiB per copy. */
export function deflateBomb(prefix: Uint8Array, copies: number): Uint8Array {
  const flush = { finishFlush: constants.Z_FULL_FLUSH };
  const head = deflateRawSync(prefix, flush);
  const zeros = deflateRawSync(new Uint8Array(16 << 20), flush);
  const out = new Uint8Array(head.length + zeros.length * copies + 2);
  out.set(head);
  for (let i = 0; i < copies; i++) out.set(zeros, head.length + i * zeros.length);
  // a final fixed-Huffman block holding only its end-of-block code
  out.set([0x03, 0x00], head.length + zeros.length * copies);
  return out;
}

/** A gzip member around deflateBomb (its trailer's CRC and size are not those of the data: nothing reads that far). */
export function gzipBomb(prefix: Uint8Array, copies: number): Uint8Array {
  const body = deflateBomb(prefix, copies);
  const out = new Uint8Array(10 + body.length + 8);
  out.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
  out.set(body, 10);
  return out;
}

/** A newc cpio header (070701) of a regular file. */
export function cpioHeader(name: string, size: number, nameSize = name.length + 1): Uint8Array {
  const h = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
  const s = '070701' + [1, 0o100644, 0, 0, 1, 0, size, 0, 0, 0, 0, nameSize, 0].map(h).join('');
  const pad = (4 - ((110 + nameSize) % 4)) % 4;
  return new TextEncoder().encode(s + name + '\0' + '\0'.repeat(pad));
}
