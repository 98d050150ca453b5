// SPDX-License-Identifier: Apache-2.0
// WOF (Windows Overlay Filter) "system compression", as CompactOS and
// `compact /exe` leave files: reparse tag IO_REPARSE_TAG_WOF, the unnamed
// $DATA sparse with the real size, and the data in the `WofCompressedData`
// stream: a table of chunk end offsets, then chunks compressed with XPRESS
// Huffman (4, 8 or 16 KiB) or LZX (32 KiB); a chunk as long as its output is
// stored ([MS-FSCC] 2.1.2.1 WOF_EXTERNAL_INFO; wimlib's documentation of the
// format in src/wof.c).

import { corrupt, unsupported, limit } from "../../util/error";
import { u32le, u64le } from "../../util/bytes";
import { AT_DATA } from "./attribute";
import { Stream } from "./stream";
import { xpressHuffmanDecompress } from "../../codec/xpress-huffman";
import { lzxDecompress } from "../../codec/lzx";
import { NtfsFileSystem, NtfsFile } from "./ntfs";

export const WOF_PROVIDER_WIM: u32 = 1;
export const WOF_PROVIDER_FILE: u32 = 2;
export const FILE_PROVIDER_XPRESS4K: u32 = 0;
export const FILE_PROVIDER_LZX: u32 = 1;
export const FILE_PROVIDER_XPRESS8K: u32 = 2;
export const FILE_PROVIDER_XPRESS16K: u32 = 3;
/** Chunks one file may have: a 4 GiB file in 4 KiB chunks. */
const MAX_CHUNKS: u64 = 1 << 20;

export function wofAlgorithmName(a: u32): string {
  switch (a) {
    case FILE_PROVIDER_XPRESS4K: return "XPRESS4K";
    case FILE_PROVIDER_LZX: return "LZX";
    case FILE_PROVIDER_XPRESS8K: return "XPRESS8K";
    case FILE_PROVIDER_XPRESS16K: return "XPRESS16K";
    default: return "algorithm " + a.toString();
  }
}

export class WofReader {
  /** start of chunk i inside the stream (i = 0..n; entry n = stream end) */
  starts: u64[] = [];
  private cached: i64 = -1;
  private buf: Uint8Array;

  constructor(public fs: NtfsFileSystem, public data: Stream, public size: u64, public chunkSize: i32,
    public algorithm: u32, public where: string) {
    this.buf = new Uint8Array(chunkSize);
  }

  private chunk(i: u64): Uint8Array | null {
    if (this.cached == <i64>i) return this.buf;
    const outLen = <i32>min(<u64>this.chunkSize, this.size - i * <u64>this.chunkSize);
    const s = this.starts[<i32>i];
    const e = this.starts[<i32>i + 1];
    if (e < s || e - s > <u64>this.chunkSize) {
      corrupt("ntfs.wof.chunk", this.where + ": WOF chunk " + i.toString() + " spans " + s.toString() + ".." + e.toString() +
        ", not inside one " + this.chunkSize.toString() + "-byte chunk");
      return null;
    }
    const inLen = <i32>(e - s);
    const src = new Uint8Array(inLen);
    if (!this.data.read(this.fs.dev, this.fs.clusterSize, s, inLen, src.dataStart, this.where + ": WofCompressedData")) return null;
    this.cached = -1;
    if (inLen == outLen) {
      memory.copy(this.buf.dataStart, src.dataStart, <usize>inLen);
    } else {
      const lzx = this.algorithm == FILE_PROVIDER_LZX;
      const got = lzx ? lzxDecompress(src.dataStart, inLen, this.buf.dataStart, outLen)
        : xpressHuffmanDecompress(src.dataStart, inLen, this.buf.dataStart, outLen);
      if (got != outLen) {
        corrupt(lzx ? "ntfs.wof.lzx" : "ntfs.wof.xpress", this.where + ": " + (lzx ? "LZX" : "XPRESS Huffman") + " data of WOF chunk " +
          i.toString() + " is corrupt");
        return null;
      }
    }
    this.cached = <i64>i;
    return this.buf;
  }

  read(offset: u64, n: i32, dst: usize): bool {
    const cs = <u64>this.chunkSize;
    let pos = offset;
    const end = offset + <u64>n;
    while (pos < end) {
      const i = pos / cs;
      const c = this.chunk(i);
      if (c === null) return false;
      const within = pos - i * cs;
      const k = min(cs - within, end - pos);
      memory.copy(dst + <usize>(pos - offset), c.dataStart + <usize>within, <usize>k);
      pos += k;
    }
    return true;
  }
}

/** Reads the WOF reparse data and chunk table of file `f` whose real size is `size`. */
export function openWof(fs: NtfsFileSystem, f: NtfsFile, size: u64, where: string): WofReader | null {
  const rp = f.reparse!;
  if (rp.length < 8 + 16) {
    corrupt("ntfs.wof.reparse", where + ": WOF reparse data is " + rp.length.toString() + " bytes, too short");
    return null;
  }
  const provider = u32le(rp, 12);
  if (provider != WOF_PROVIDER_FILE) {
    unsupported("ntfs.wof.provider", where + ": WOF provider " + provider.toString() + (provider == WOF_PROVIDER_WIM ?
      " (WIMBoot: the data lives in a WIM file outside this volume)" : "") + " is not supported");
    return null;
  }
  const algorithm = u32le(rp, 20);
  let chunkSize: i32;
  if (algorithm == FILE_PROVIDER_XPRESS4K) chunkSize = 4096;
  else if (algorithm == FILE_PROVIDER_XPRESS8K) chunkSize = 8192;
  else if (algorithm == FILE_PROVIDER_XPRESS16K) chunkSize = 16384;
  else if (algorithm == FILE_PROVIDER_LZX) chunkSize = 32768;
  else {
    unsupported("ntfs.wof.algorithm", where + ": unknown WOF compression algorithm " + algorithm.toString());
    return null;
  }
  if (!fs.hasAttr(f, AT_DATA, "WofCompressedData")) {
    corrupt("ntfs.wof.stream", where + " is a WOF file without its WofCompressedData stream");
    return null;
  }
  const data = fs.stream(f, AT_DATA, "WofCompressedData");
  if (data === null) return null;
  const n = (size + <u64>chunkSize - 1) / <u64>chunkSize;
  if (n > MAX_CHUNKS) {
    limit("ntfs.wof.chunks", where + ": " + n.toString() + " WOF chunks");
    return null;
  }
  const entry: u64 = size > 0xffffffff ? 8 : 4;
  const tableLen = n == 0 ? <u64>0 : (n - 1) * entry;
  if (tableLen > data.dataSize) {
    corrupt("ntfs.wof.table", where + ": the WOF chunk table (" + tableLen.toString() + " bytes) is longer than the stream");
    return null;
  }
  const t = new Uint8Array(<i32>tableLen);
  if (!data.read(fs.dev, fs.clusterSize, 0, t.length, t.dataStart, where + ": WofCompressedData")) return null;
  const r = new WofReader(fs, data, size, chunkSize, algorithm, where);
  r.starts.push(tableLen);
  for (let i: u64 = 1; i < n; i++) {
    const o = entry == 8 ? u64le(t, <i32>((i - 1) * 8)) : <u64>u32le(t, <i32>((i - 1) * 4));
    const s = tableLen + o;
    if (s < r.starts[r.starts.length - 1] || s > data.dataSize) {
      corrupt("ntfs.wof.table", where + ": WOF chunk " + i.toString() + " starts at " + s.toString() + ", out of order or past the stream");
      return null;
    }
    r.starts.push(s);
  }
  r.starts.push(data.dataSize);
  return r;
}
