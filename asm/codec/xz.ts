// SPDX-License-Identifier: Apache-2.0
// .xz files (the .xz file format 1.2.0) read in place: the stream footers and
// indexes at the end give every block's position and size without decoding
// anything, so a read decodes just the block it lands in (blocks are the
// natural checkpoints), checks its CRC-32 / CRC-64, and keeps a few decoded
// blocks cached. When a block is too large to hold — plain single-threaded
// `xz` writes one block for the whole file — every block is read through a
// checkpoint index inside the blocks instead (window-index.ts, xz-stream.ts),
// built in one sequential pass.

import { Device } from "../io/device";
import { corrupt, unsupported, limit } from "../util/error";
import { hex64, u32le } from "../util/bytes";
import { crc32Fast } from "./inflate-crc32";
import { Lzma2Decoder } from "./xz-lzma2";
import { WindowIndex } from "./window-index";
import { XzStreamDecoder } from "./xz-stream";
import { lastAtOrBefore } from "../util/search";

/** Largest block decoded whole; a larger one is read through the checkpoint index. */
const MAX_BLOCK: u64 = 64 << 20;
/** Largest dictionary the checkpoint index holds. */
const MAX_DICT: u64 = 128 << 20;
/** Decoded blocks kept. */
const CACHE_BYTES: i32 = 96 << 20;
const HEADER_MAGIC = "\xfd7zXZ\x00";
/** Streams concatenated in one file (xz allows any number; bound the walk). */
const MAX_STREAMS: i32 = 4096;
const MAX_BLOCKS: i32 = 1 << 22;

/** CRC-64 (ECMA-182, reflected) tables for slicing by 8: a whole disk image goes through it in the index pass. */
let crc64Tables: StaticArray<u64> | null = null;

function crc64Init(): StaticArray<u64> {
  const t = new StaticArray<u64>(256 * 8);
  for (let i = 0; i < 256; i++) {
    let c = <u64>i;
    for (let k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >> 1) ^ 0xc96c5795d7870f42 : c >> 1;
    t[i] = c;
  }
  for (let k = 1; k < 8; k++) {
    for (let i = 0; i < 256; i++) {
      const prev = t[(k - 1) * 256 + i];
      t[k * 256 + i] = (prev >> 8) ^ t[<i32>(prev & 0xff)];
    }
  }
  crc64Tables = t;
  return t;
}

export function crc64(crc: u64, ptr: usize, len: usize): u64 {
  let t = crc64Tables;
  if (t === null) t = crc64Init();
  const tp = changetype<usize>(t);
  let c = ~crc;
  let i: usize = 0;
  for (; i + 8 <= len; i += 8) {
    c ^= load<u64>(ptr + i);
    c = load<u64>(tp + (((7 << 8) + <usize>(c & 0xff)) << 3)) ^
      load<u64>(tp + (((6 << 8) + <usize>((c >> 8) & 0xff)) << 3)) ^
      load<u64>(tp + (((5 << 8) + <usize>((c >> 16) & 0xff)) << 3)) ^
      load<u64>(tp + (((4 << 8) + <usize>((c >> 24) & 0xff)) << 3)) ^
      load<u64>(tp + (((3 << 8) + <usize>((c >> 32) & 0xff)) << 3)) ^
      load<u64>(tp + (((2 << 8) + <usize>((c >> 40) & 0xff)) << 3)) ^
      load<u64>(tp + (((1 << 8) + <usize>((c >> 48) & 0xff)) << 3)) ^
      load<u64>(tp + (<usize>(c >> 56) << 3));
  }
  for (; i < len; i++) c = load<u64>(tp + (<usize>((c ^ <u64>load<u8>(ptr + i)) & 0xff) << 3)) ^ (c >> 8);
  return ~c;
}

export class Block {
  constructor(
    public inOffset: u64, // block header position in the file
    public unpadded: u64, // header + compressed data + check
    public outOffset: u64,
    public size: u64,
    public check: i32, // stream's check type
  ) {}
}

class Cached {
  constructor(public index: i32, public data: Uint8Array) {}
}

/** Reads a multibyte integer (xz's VLI: 7 bits per byte, at most 9 bytes) from b at *pos. */
export class Vli {
  value: u64 = 0;
  ok: bool = false;
  read(b: Uint8Array, pos: i32): i32 {
    let v: u64 = 0;
    for (let i = 0; i < 9; i++) {
      if (pos + i >= b.length) { this.ok = false; return pos; }
      const x = <u64>b[pos + i];
      v |= (x & 0x7f) << (<u64>(7 * i));
      if ((x & 0x80) == 0) {
        if (i > 0 && x == 0) { this.ok = false; return pos; } // not minimally encoded
        this.value = v;
        this.ok = true;
        return pos + i + 1;
      }
    }
    this.ok = false;
    return pos;
  }
}

export function checkSize(t: i32): i32 {
  if (t == 0) return 0;
  if (t <= 3) return 4;
  if (t <= 6) return 8;
  if (t <= 9) return 16;
  if (t <= 12) return 32;
  return 64;
}

export class XzDevice extends Device {
  blocks: Block[] = [];
  total: u64 = 0;
  private cache: Cached[] = [];
  private cached: i32 = 0;
  private lzma: Lzma2Decoder = new Lzma2Decoder();
  /** set when the blocks are read through the checkpoint index */
  private index: WindowIndex | null = null;
  notes: string[] = [];

  constructor(public file: Device) {
    super();
    this.name = file.name + " (xz)";
  }

  get size(): u64 { return this.total; }

  private err(code: string, what: string): bool {
    corrupt(code, this.file.name + ": " + what);
    return false;
  }

  /** Walks the streams from the end of the file; false with the error set. */
  open(): bool {
    const f = this.file;
    let end = f.size;
    const end0 = f.size;
    const streams: Block[][] = [];
    let sha = false;
    for (let s = 0; end > 0; s++) {
      if (s >= MAX_STREAMS) { limit("xz.streams", f.name + ": more than " + MAX_STREAMS.toString() + " xz streams"); return false; }
      // stream padding: zero bytes in multiples of four between and after streams
      while (end >= 4) {
        const p = f.read(end - 4, 4);
        if (p === null) return false;
        if (u32le(p, 0) != 0) break;
        end -= 4;
      }
      if (end < 24) return this.err("xz.truncated", "the file ends where an xz stream footer should be (at " + hex64(end) + ")");
      const foot = f.read(end - 12, 12);
      if (foot === null) return false;
      if (foot[10] != 0x59 || foot[11] != 0x5a) return this.err("xz.footer", "no xz stream footer before " + hex64(end) + " (truncated or trailing garbage)");
      if (crc32Fast(0, foot.dataStart + 4, 6) != u32le(foot, 0)) return this.err("xz.footer-crc", "the stream footer before " + hex64(end) + " fails its CRC-32");
      const check = <i32>(foot[9] & 15);
      if (foot[8] != 0 || (foot[9] & 0xf0) != 0) return this.err("xz.flags", "reserved stream flags are set");
      if (check == 10) sha = true;
      const indexSize = (<u64>u32le(foot, 4) + 1) * 4;
      if (indexSize + 12 + 12 > end) return this.err("xz.index", "the index size " + indexSize.toString() + " runs past the start of the file");
      if (indexSize > (64 << 20)) { limit("xz.index", f.name + ": an xz index of " + indexSize.toString() + " bytes"); return false; }
      const indexAt = end - 12 - indexSize;
      const idx = f.read(indexAt, <i32>indexSize);
      if (idx === null) return false;
      if (idx[0] != 0) return this.err("xz.index", "no index at " + hex64(indexAt));
      if (crc32Fast(0, idx.dataStart, <usize>(indexSize - 4)) != u32le(idx, <i32>indexSize - 4)) return this.err("xz.index-crc", "the index at " + hex64(indexAt) + " fails its CRC-32");
      const v = new Vli();
      let pos = v.read(idx, 1);
      if (!v.ok || v.value > <u64>MAX_BLOCKS) return this.err("xz.index", "bad record count in the index at " + hex64(indexAt));
      const count = <i32>v.value;
      const list: Block[] = [];
      let blocksBytes: u64 = 0;
      for (let i = 0; i < count; i++) {
        pos = v.read(idx, pos);
        if (!v.ok || v.value == 0) return this.err("xz.index", "bad record " + i.toString() + " in the index at " + hex64(indexAt));
        const unpadded = v.value;
        pos = v.read(idx, pos);
        if (!v.ok) return this.err("xz.index", "bad record " + i.toString() + " in the index at " + hex64(indexAt));
        list.push(new Block(blocksBytes, unpadded, 0, v.value, check));
        blocksBytes += (unpadded + 3) & ~<u64>3;
      }
      if (pos > <i32>indexSize - 4) return this.err("xz.index", "the index records run past the index");
      const streamStart = <i64>indexAt - <i64>blocksBytes - 12;
      if (streamStart < 0) return this.err("xz.index", "the blocks the index lists run past the start of the file");
      const head = f.read(<u64>streamStart, 12);
      if (head === null) return false;
      for (let i = 0; i < 6; i++) if (head[i] != <u8>HEADER_MAGIC.charCodeAt(i)) return this.err("xz.header", "no xz stream header at " + hex64(<u64>streamStart));
      if (head[6] != foot[8] || head[7] != foot[9]) return this.err("xz.flags", "stream header and footer flags differ");
      if (crc32Fast(0, head.dataStart + 6, 2) != u32le(head, 8)) return this.err("xz.header-crc", "the stream header at " + hex64(<u64>streamStart) + " fails its CRC-32");
      for (let i = 0; i < list.length; i++) list[i].inOffset += <u64>streamStart + 12;
      streams.unshift(list);
      end = <u64>streamStart;
    }
    let out: u64 = 0;
    let big = false;
    for (let s = 0; s < streams.length; s++) {
      for (let i = 0; i < streams[s].length; i++) {
        const b = streams[s][i];
        if (b.size > MAX_BLOCK) big = true;
        // LZMA2 never grows data by more than a few bytes per 64 KiB chunk; a larger record is damage.
        if (b.unpadded > b.size + (b.size >> 10) + 4096) {
          corrupt("xz.index", this.file.name + ": the index gives a block of " + b.size.toString() + " bytes " + b.unpadded.toString() + " compressed bytes");
          return false;
        }
        if (b.inOffset + b.unpadded > end0) {
          corrupt("xz.index", this.file.name + ": the block at " + hex64(b.inOffset) + " runs past its stream");
          return false;
        }
        if (b.size == 0) continue;
        b.outOffset = out;
        out += b.size;
        this.blocks.push(b);
      }
    }
    this.total = out;
    if (sha) this.notes.push("xz: SHA-256 block checks are not verified");
    if (big) return this.openIndexed();
    return true;
  }

  /** Reads every block through the checkpoint index (a block is larger than MAX_BLOCK). */
  private openIndexed(): bool {
    const windows: i32[] = [];
    for (let i = 0; i < this.blocks.length; i++) {
      const b = this.blocks[i];
      const raw = this.file.read(b.inOffset, <i32>min<u64>(1024, b.unpadded));
      if (raw === null) return false;
      const h = parseBlockHeader(this.file.name, b, raw);
      if (h === null) return false;
      const w = min<u64>(<u64>h.dict, b.size);
      if (w > MAX_DICT) {
        limit("xz.dict-too-large", this.file.name + ": the xz block at " + hex64(b.inOffset) + " uses a " + (<u64>h.dict >> 20).toString() +
          " MiB dictionary; guestcheck reads a block this large with at most a " + (MAX_DICT >> 20).toString() + " MiB dictionary (xz -9 uses 64 MiB) — " +
          "recompress it with `xz -T0` (independent blocks) or a smaller dictionary, or decompress it first");
        return false;
      }
      windows.push(<i32>w);
    }
    const index = new WindowIndex(new XzStreamDecoder(this.file, this.blocks, windows), this.name, <f64>this.file.size);
    if (!index.build()) return false;
    this.index = index;
    return true;
  }

  private find(offset: u64): i32 {
    return lastAtOrBefore<Block>(this.blocks, offset, (b: Block): u64 => b.outOffset);
  }

  private decodeBlock(i: i32): Uint8Array | null {
    for (let k = this.cache.length - 1; k >= 0; k--) {
      if (this.cache[k].index == i) return this.cache[k].data;
    }
    const b = this.blocks[i];
    const where = "xz block at " + hex64(b.inOffset);
    // block padding (to a multiple of four) sits between the compressed data and the check
    const padded = <i32>((b.unpadded + 3) & ~<u64>3);
    const raw = this.file.read(b.inOffset, padded);
    if (raw === null) return null;
    const h = parseBlockHeader(this.file.name, b, raw);
    if (h === null) return null;
    const hsize = h.size, dict = h.dict;
    const csize = <i32>(b.unpadded - <u64>hsize - <u64>checkSize(b.check));
    if (csize <= 0) { this.err("xz.index", where + ": the index's unpadded size leaves no room for data"); return null; }
    const data = new Uint8Array(<i32>b.size);
    this.lzma.name = this.file.name + ": " + where;
    const used = this.lzma.decode(raw.dataStart + <usize>hsize, csize, data.dataStart, data.length, dict);
    if (used < 0) return null;
    if (used != csize) { this.err("xz.block-size", where + ": LZMA2 data ends " + (csize - used).toString() + " bytes before the size the index gives"); return null; }
    const c = padded - checkSize(b.check);
    for (let k = hsize + csize; k < c; k++) if (raw[k] != 0) { this.err("xz.padding", where + ": block padding is not zero"); return null; }
    if (b.check == 1) {
      if (crc32Fast(0, data.dataStart, <usize>data.length) != u32le(raw, c)) { this.err("xz.check", where + ": CRC-32 of the decoded block does not match"); return null; }
    } else if (b.check == 4) {
      const want = (<u64>u32le(raw, c + 4) << 32) | <u64>u32le(raw, c);
      if (crc64(0, data.dataStart, <usize>data.length) != want) { this.err("xz.check", where + ": CRC-64 of the decoded block does not match"); return null; }
    }
    this.cache.push(new Cached(i, data));
    this.cached += data.length;
    while (this.cached > CACHE_BYTES && this.cache.length > 1) {
      this.cached -= this.cache[0].data.length;
      this.cache.shift();
    }
    return data;
  }

  readInto(offset: u64, len: i32, dst: usize): bool {
    if (offset > this.total || <u64>len > this.total - offset) {
      corrupt("io.past-end", this.name + ": read at " + hex64(offset) + " goes past the end (" + this.total.toString() + " bytes)");
      return false;
    }
    const index = this.index;
    if (index !== null) return index.readInto(offset, len, dst);
    let pos = offset, out = dst, left = len;
    while (left > 0) {
      const i = this.find(pos);
      const d = this.decodeBlock(i);
      if (d === null) return false;
      const within = <i32>(pos - this.blocks[i].outOffset);
      const n = min(left, d.length - within);
      memory.copy(out, d.dataStart + <usize>within, <usize>n);
      pos += <u64>n;
      out += <usize>n;
      left -= n;
    }
    return true;
  }
}

/** What a block header says: its size and the LZMA2 dictionary size. */
export class BlockHeader {
  constructor(public size: i32, public dict: u32) {}
}

/**
 * Parses block b's header at the start of `raw` (at least the whole header);
 * null with the error set. Only a lone LZMA2 filter is supported.
 */
export function parseBlockHeader(fileName: string, b: Block, raw: Uint8Array): BlockHeader | null {
  const where = "xz block at " + hex64(b.inOffset);
  if (raw.length == 0) { corrupt("xz.block-header", fileName + ": " + where + ": the block header is missing"); return null; }
  const hsize = (<i32>raw[0] + 1) * 4;
  if (raw[0] == 0 || hsize > raw.length) { err(fileName, "xz.block-header", where + ": bad block header size"); return null; }
  if (crc32Fast(0, raw.dataStart, <usize>(hsize - 4)) != u32le(raw, hsize - 4)) { err(fileName, "xz.block-header-crc", where + ": the block header fails its CRC-32"); return null; }
  const flags = raw[1];
  if ((flags & 0x3c) != 0) { err(fileName, "xz.block-header", where + ": reserved block flags are set"); return null; }
  const v = new Vli();
  let pos = 2;
  if ((flags & 0x40) != 0) { pos = v.read(raw, pos); if (!v.ok) { err(fileName, "xz.block-header", where + ": bad compressed size"); return null; } }
  if ((flags & 0x80) != 0) {
    pos = v.read(raw, pos);
    if (!v.ok || v.value != b.size) { err(fileName, "xz.block-header", where + ": the block header's size disagrees with the index"); return null; }
  }
  const filters = <i32>(flags & 3) + 1;
  let dict: u32 = 0;
  for (let k = 0; k < filters; k++) {
    pos = v.read(raw, pos);
    if (!v.ok) { err(fileName, "xz.block-header", where + ": bad filter id"); return null; }
    const id = v.value;
    pos = v.read(raw, pos);
    if (!v.ok || pos + <i32>v.value > hsize - 4) { err(fileName, "xz.block-header", where + ": bad filter properties"); return null; }
    const propsLen = <i32>v.value;
    if (id != 0x21 || k != filters - 1) {
      const what = id == 0x21 ? "LZMA2 before another filter" : id == 3 ? "the delta filter" : (id >= 4 && id <= 9) || id == 0xa || id == 0xb ? "a branch/call/jump (BCJ) filter" : "filter 0x" + id.toString(16);
      unsupported("xz.filter", fileName + ": " + where + " uses " + what + "; this build decodes plain LZMA2 xz files — recompress with `xz -T0`");
      return null;
    }
    if (propsLen != 1) { err(fileName, "xz.block-header", where + ": LZMA2 properties are " + propsLen.toString() + " bytes, not 1"); return null; }
    const d = <u32>raw[pos];
    if (d > 40) { err(fileName, "xz.block-header", where + ": invalid LZMA2 dictionary size code " + d.toString()); return null; }
    dict = d == 40 ? 0xffffffff : (<u32>(2 | (d & 1))) << (d / 2 + 11);
    pos += propsLen;
  }
  return new BlockHeader(hsize, dict);
}

function err(fileName: string, code: string, what: string): bool {
  corrupt(code, fileName + ": " + what);
  return false;
}
