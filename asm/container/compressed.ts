// SPDX-License-Identifier: Apache-2.0
// A disk image inside a compressed file (.raw.gz, .qcow2.xz, .img.zst): named
// by its content, and for gzip, xz and zstd opened in place as a decompressing Device so
// container detection, partitions and filesystems read the image through it.
// Compressors this build does not decode are named in a clear error.

import { Device } from "../io/device";
import { HostFile } from "../io/page-cache";
import { asciiAt } from "../util/bytes";
import { unsupported } from "../util/error";
import { GzipInfo, openGzip } from "./gzip";
import { openDeflateMember } from "./deflate-member";
import { XzDevice } from "../codec/xz";
import { ZstdDevice } from "./zstd-file";

/** Encodings the host declares for its files (a deflated zip member: raw deflate). */
export const ENCODING_DEFLATE_RAW: i32 = 1;

class FileEncoding {
  constructor(public kind: i32, public size: u64, public crc: i64) {}
}

const encodings = new Map<i32, FileEncoding>();

/** The host says file `id` holds `kind`-encoded bytes of `size` bytes (crc < 0: no CRC-32 known). */
export function setFileEncoding(id: i32, kind: i32, size: u64, crc: i64): void {
  encodings.set(id, new FileEncoding(kind, size, crc));
}

export class Decompressed {
  constructor(
    /** the bytes to read the image from (the file itself when not compressed) */
    public dev: Device,
    /** "gzip", "xz", "deflate" (a zip member), or "" when the file is not compressed */
    public compression: string,
    public notes: string[],
  ) {}
}

/** The compressor whose magic starts `b`, or "". */
function compressorOf(b: Uint8Array): string {
  if (asciiAt(b, 0, "\x1f\x8b")) return "gzip";
  if (asciiAt(b, 0, "\xfd7zXZ\x00")) return "xz";
  if (asciiAt(b, 0, "\x28\xb5\x2f\xfd")) return "zstd";
  // pzstd starts with a skippable frame (magic 0x184D2A50..5F) holding its frame sizes
  if (asciiAt(b, 1, "\x2a\x4d\x18") && (b[0] & 0xf0) == 0x50) return "zstd";
  if (asciiAt(b, 0, "BZh") && b.length >= 4 && b[3] >= 0x31 && b[3] <= 0x39) return "bzip2";
  return "";
}

/** Unwraps a compressed file; null with the error set when it cannot be read. */
export function openCompressed(file: Device): Decompressed | null {
  if (file instanceof HostFile) {
    const id = (<HostFile>file).fileId;
    if (encodings.has(id)) {
      const e = encodings.get(id);
      const dev = openDeflateMember(file, e.size, e.crc);
      if (dev === null) return null;
      return new Decompressed(dev, "deflate", []);
    }
  }
  if (file.size < 6) return new Decompressed(file, "", []);
  const head = file.read(0, 6);
  if (head === null) return null;
  const kind = compressorOf(head);
  if (kind.length == 0) return new Decompressed(file, "", []);
  if (kind == "gzip") {
    const info = new GzipInfo();
    const dev = openGzip(file, info);
    if (dev === null) return null;
    return new Decompressed(dev, kind, info.notes);
  }
  if (kind == "xz") {
    const xz = new XzDevice(file);
    if (!xz.open()) return null;
    return new Decompressed(xz, kind, xz.notes);
  }
  if (kind == "zstd") {
    const z = new ZstdDevice(file);
    if (!z.open()) return null;
    return new Decompressed(z, kind, z.notes);
  }
  unsupported("compressed.unsupported", file.name + " is " + kind + "-compressed; this build reads gzip-, xz- and zstd-compressed images in place — " +
    "decompress it first (bunzip2 -k FILE) or recompress it with gzip");
  return null;
}
