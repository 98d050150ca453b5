// SPDX-License-Identifier: Apache-2.0
// Decoding one compressed cluster or grain (qcow2 -c, VMDK streamOptimized)
// with the codec's one-shot decoders (asm/codec/inflate.ts, asm/codec/zstd.ts).

import { corrupt, addContext } from "../util/error";
import { inflateRaw, inflateZlib } from "../codec/inflate";
import { zstdDecompressFrame, zstdFrameEnd } from "../codec/zstd";

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
  if (codec == Codec.Zstd) return zstdCluster(src, out, what);
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

/**
 * qemu writes one zstd frame per cluster, but its reader accepts several
 * (qcow2-threads.c), so frames are decoded until the cluster is full; the
 * bytes after it are the rest of the last 512-byte sector and are ignored.
 */
function zstdCluster(src: Uint8Array, out: Uint8Array, what: string): bool {
  let off = 0;
  let got = 0;
  while (got < out.length) {
    if (off >= src.length) {
      corrupt("container.compressed.short", what + ": its zstd data holds " + got.toString() + " bytes, a cluster is " + out.length.toString());
      return false;
    }
    const n = zstdDecompressFrame(src, off, out, got);
    if (n < 0) {
      addContext(what + " (zstd)");
      return false;
    }
    got += n;
    off = zstdFrameEnd();
  }
  return true;
}
