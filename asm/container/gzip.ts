// SPDX-License-Identifier: Apache-2.0
// A gzip file (RFC 1952) read in place as the bytes it decompresses to: one
// pass walks every member — header (FEXTRA, FNAME, FCOMMENT, FHCRC), deflate
// data, CRC-32 and ISIZE trailer — building the checkpoint index (zran.ts)
// and verifying each member's CRC-32 and length on the way.

import { Device } from "../io/device";
import { DeflateIndex, InflatedDevice, OutputSink } from "../codec/zran";
import { crc32Update } from "../codec/crc32";
import { crc32Fast } from "../codec/inflate-crc32";
import { corrupt, addContext } from "../util/error";
import { allZero, hex64, u16le, u32le } from "../util/bytes";

const FHCRC: u8 = 2;
const FEXTRA: u8 = 4;
const FNAME: u8 = 8;
const FCOMMENT: u8 = 16;
const FRESERVED: u8 = 0xe0;
/** Longest FNAME / FCOMMENT read (the format sets none; 64 KiB is far past any real name). */
const MAX_TEXT: i32 = 65536;

class CrcSink extends OutputSink {
  crc: u32 = 0;
  take(ptr: usize, len: i32): void {
    this.crc = crc32Fast(this.crc, ptr, <usize>len);
  }
}

export class GzipInfo {
  members: i32 = 0;
  notes: string[] = [];
}

/** Reads up to `len` bytes at `at`, fewer at the end of the file. */
function readSome(dev: Device, at: u64, len: i32): Uint8Array | null {
  if (at >= dev.size) return new Uint8Array(0);
  const n = <i32>min(<u64>len, dev.size - at);
  return dev.read(at, n);
}

/** Parses the member header at `at`; returns the offset of its deflate data, or -1 with the error set. */
function memberHeader(dev: Device, at: u64, member: i32): i64 {
  const where = "gzip member " + (member + 1).toString() + " at " + hex64(at);
  const h = readSome(dev, at, 10);
  if (h === null) return -1;
  if (h.length < 10) { corrupt("gzip.truncated", where + ": the file ends inside the member header"); return -1; }
  if (h[0] != 0x1f || h[1] != 0x8b) { corrupt("gzip.magic", where + ": not a gzip header (0x" + h[0].toString(16) + " 0x" + h[1].toString(16) + ")"); return -1; }
  if (h[2] != 8) { corrupt("gzip.method", where + ": compression method " + h[2].toString() + " is not deflate (8)"); return -1; }
  const flg = h[3];
  if ((flg & FRESERVED) != 0) { corrupt("gzip.flags", where + ": reserved flag bits are set (0x" + flg.toString(16) + ")"); return -1; }
  let pos = at + 10;
  let crc = crc32Update(0, h.dataStart, 10);
  if ((flg & FEXTRA) != 0) {
    const x = readSome(dev, pos, 2);
    if (x === null) return -1;
    if (x.length < 2) { corrupt("gzip.truncated", where + ": the file ends inside the extra field"); return -1; }
    const xlen = <i32>u16le(x, 0);
    const extra = readSome(dev, pos + 2, xlen);
    if (extra === null) return -1;
    if (extra.length < xlen) { corrupt("gzip.truncated", where + ": the file ends inside the " + xlen.toString() + "-byte extra field"); return -1; }
    crc = crc32Update(crc, x.dataStart, 2);
    crc = crc32Update(crc, extra.dataStart, <usize>xlen);
    pos += 2 + <u64>xlen;
  }
  for (let f = 0; f < 2; f++) {
    const flag = f == 0 ? FNAME : FCOMMENT;
    if ((flg & flag) == 0) continue;
    const t = readSome(dev, pos, MAX_TEXT);
    if (t === null) return -1;
    let n = 0;
    while (n < t.length && t[n] != 0) n++;
    if (n == t.length) {
      corrupt(t.length < MAX_TEXT ? "gzip.truncated" : "gzip.text-length", where + ": the " + (f == 0 ? "file name" : "comment") +
        (t.length < MAX_TEXT ? " runs to the end of the file" : " is longer than 64 KiB"));
      return -1;
    }
    crc = crc32Update(crc, t.dataStart, <usize>(n + 1));
    pos += <u64>(n + 1);
  }
  if ((flg & FHCRC) != 0) {
    const c = readSome(dev, pos, 2);
    if (c === null) return -1;
    if (c.length < 2) { corrupt("gzip.truncated", where + ": the file ends inside the header CRC"); return -1; }
    if (<u32>u16le(c, 0) != (crc & 0xffff)) {
      corrupt("gzip.header-crc", where + ": header CRC16 is 0x" + u16le(c, 0).toString(16) + ", the header's CRC-32 gives 0x" + (crc & 0xffff).toString(16));
      return -1;
    }
    pos += 2;
  }
  return <i64>pos;
}

/**
 * Indexes the gzip file `file`; returns the decompressed device, or null with
 * the error set. `info` receives the member count and remarks.
 */
export function openGzip(file: Device, info: GzipInfo): Device | null {
  const index = new DeflateIndex(file, file.name + " (gzip)");
  index.progressTotal = <f64>file.size;
  const sink = new CrcSink();
  let at: u64 = 0;
  let member = 0;
  while (true) {
    const data = memberHeader(file, at, member);
    if (data < 0) return null;
    const outStart = index.size;
    sink.crc = 0;
    const end = index.indexStream(<u64>data, sink);
    const where = "gzip member " + (member + 1).toString() + " at " + hex64(at);
    if (end < 0) { addContext(where); return null; }
    const t = readSome(file, <u64>end, 8);
    if (t === null) return null;
    if (t.length < 8) { corrupt("gzip.truncated", where + ": the file ends inside the CRC-32/size trailer at " + hex64(<u64>end)); return null; }
    const wantCrc = u32le(t, 0), wantSize = u32le(t, 4);
    const got = index.size - outStart;
    if (sink.crc != wantCrc) {
      corrupt("gzip.crc", where + ": CRC-32 of the decompressed data is 0x" + sink.crc.toString(16) + ", the trailer says 0x" + wantCrc.toString(16));
      return null;
    }
    if (<u32>got != wantSize) {
      corrupt("gzip.isize", where + ": decompressed " + got.toString() + " bytes, the trailer's size (mod 2^32) is " + wantSize.toString());
      return null;
    }
    member++;
    at = <u64>end + 8;
    if (at >= file.size) break;
    const next = readSome(file, at, 2);
    if (next === null) return null;
    if (next.length == 2 && next[0] == 0x1f && next[1] == 0x8b) continue;
    // What follows the last member: zero padding (tape blocks, dd) is harmless; anything else is named.
    const rest = file.size - at;
    const tail = readSome(file, at, <i32>min(rest, <u64>(1 << 20)));
    if (tail === null) return null;
    if (rest <= (1 << 20) && allZero(tail, 0, tail.length)) {
      info.notes.push("gzip: " + rest.toString() + " zero bytes after the last member were ignored");
      break;
    }
    corrupt("gzip.trailing-garbage", file.name + ": " + rest.toString() + " bytes after gzip member " + member.toString() + " at " + hex64(at) + " are neither another member nor padding");
    return null;
  }
  info.members = member;
  return new InflatedDevice(index, file.name + " (decompressed)");
}
