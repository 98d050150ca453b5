// SPDX-License-Identifier: Apache-2.0
// Decoding one compressed cluster or grain (qcow2 -c, VMDK streamOptimized)
// with the codec's one-shot inflate (asm/codec/inflate.ts). zstd has no
// decoder in this build: such a read says so plainly.

import { corrupt, unsupported, addContext } from "../util/error";
import { inflateRaw, inflateZlib } from "../codec/inflate";

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

/**
 * Decodes src into out; false with the error set. A qcow2 cluster must fill
 * `out` exactly; a VMDK grain may stop short (the disk's last grain), the rest
 * reading as zeros.
 */
export function decodeInto(codec: Codec, src: Uint8Array, out: Uint8Array, what: string): bool {
  if (codec == Codec.Zstd) {
    unsupported("container.compressed", what + " is compressed with zstd, which this build does not decode yet; " +
      "convert it first: qemu-img convert -O qcow2 -o compression_type=zlib <in> <out>");
    return false;
  }
  const n = codec == Codec.Zlib ? inflateZlib(src, out) : inflateRaw(src, out);
  if (n < 0) {
    addContext(what + " (" + codecName(codec) + ")");
    return false;
  }
  if (n < out.length) {
    if (codec == Codec.Deflate) {
      corrupt("container.compressed.short", what + ": its deflate data holds " + n.toString() + " bytes, a cluster is " + out.length.toString());
      return false;
    }
    memory.fill(out.dataStart + <usize>n, 0, <usize>(out.length - n));
  }
  return true;
}
