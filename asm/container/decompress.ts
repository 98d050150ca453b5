// SPDX-License-Identifier: Apache-2.0
// Decoding one compressed cluster or grain (qcow2 -c, VMDK streamOptimized).
// Deflate arrives with the codec helper's asm/codec/inflate.ts; until it is
// merged, such a read says plainly that it is not supported yet.

import { unsupported } from "../util/error";

export const enum Codec {
  /** raw deflate (RFC 1951): qcow2 compression type 0 */
  Deflate = 0,
  /** zlib (RFC 1950): VMDK compressed grains */
  Zlib = 1,
  /** zstd (RFC 8878): qcow2 compression type 1 */
  Zstd = 2,
}

export function codecName(c: Codec): string {
  return c == Codec.Zstd ? "zstd" : (c == Codec.Zlib ? "zlib" : "deflate");
}

/** Decodes src into exactly out.length bytes; false with the error set. */
export function decodeInto(codec: Codec, src: Uint8Array, out: Uint8Array, what: string): bool {
  unsupported("container.compressed", what + " is compressed with " + codecName(codec) +
    ", which this build does not decode yet; convert it first: qemu-img convert -O qcow2 <in> <out>");
  return false;
}
