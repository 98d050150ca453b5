// SPDX-License-Identifier: Apache-2.0
// The VHDX log ([MS-VHDX] §2.3): a circular buffer of entries, each a header,
// zero and data descriptors, and 4 KiB data sectors. After an unclean close
// the writes from the tail to the head (highest sequence number) must be
// applied before the file is consistent; here they are applied in memory, over
// the file, and the file itself is never changed.

import { Device } from "../io/device";
import { corrupt, limit } from "../util/error";
import { asciiAt, guidLE, hex64, u32le, u64le } from "../util/bytes";
import { crc32cUpdate } from "../codec/crc32c";

const SECTOR: u64 = 4096;
const ENTRY_HEADER: i32 = 64;
const DESCRIPTOR: i32 = 32;
/** More than any log a writer keeps (Hyper-V uses 1 MiB); bounds the memory replay takes. */
export const MAX_LOG_BYTES: u64 = 64 << 20;

class LogEntry {
  constructor(public at: u64, public seq: u64, public tail: u64, public bytes: Uint8Array,
    public flushedOffset: u64, public lastOffset: u64) {}
}

class ZeroRange {
  constructor(public start: u64, public end: u64) {}
}

/** A file with the log's writes laid over it. */
export class ReplayedFile extends Device {
  pages: Map<u64, Uint8Array> = new Map();
  zeros: ZeroRange[] = [];
  length: u64;
  entries: i32 = 0;
  firstSeq: u64 = 0;
  lastSeq: u64 = 0;

  constructor(public file: Device) {
    super();
    this.name = file.name;
    this.length = file.size;
  }

  get size(): u64 { return this.length; }

  readInto(offset: u64, len: i32, dst: usize): bool {
    if (len < 0 || offset > this.length || <u64>len > this.length - offset) {
      corrupt("io.past-end", this.name + ": read at " + hex64(offset) + " goes past the end of the file");
      return false;
    }
    const end = offset + <u64>len;
    // the file's own bytes first (zeros past its end: the log may extend the file)
    const have = offset < this.file.size ? min(end, this.file.size) - offset : 0;
    if (have > 0 && !this.file.readInto(offset, <i32>have, dst)) return false;
    if (have < <u64>len) memory.fill(dst + <usize>have, 0, <usize>(<u64>len - have));
    // then the log's writes, in the order they were logged: zero ranges and pages
    // are kept already merged (a later write replaces an earlier one when recorded)
    for (let i = 0; i < this.zeros.length; i++) {
      const z = this.zeros[i];
      const a = max(z.start, offset), b = min(z.end, end);
      if (a < b) memory.fill(dst + <usize>(a - offset), 0, <usize>(b - a));
    }
    if (this.pages.size > 0) {
      for (let p = offset & ~(SECTOR - 1); p < end; p += SECTOR) {
        if (!this.pages.has(p)) continue;
        const page = this.pages.get(p);
        const a = max(p, offset), b = min(p + SECTOR, end);
        memory.copy(dst + <usize>(a - offset), page.dataStart + <usize>(a - p), <usize>(b - a));
      }
    }
    return true;
  }

  private dropPage(start: u64, end: u64): void {
    for (let p = start & ~(SECTOR - 1); p < end; p += SECTOR) if (this.pages.has(p)) this.pages.delete(p);
  }

  applyZero(start: u64, len: u64): void {
    // pages wholly inside the range are superseded; the range itself is recorded
    this.dropPage(start, start + len);
    this.zeros.push(new ZeroRange(start, start + len));
  }

  applyPage(at: u64, data: Uint8Array): void {
    // a later page write over an earlier zero range: cut the page out of the ranges
    const keep: ZeroRange[] = [];
    for (let i = 0; i < this.zeros.length; i++) {
      const z = this.zeros[i];
      if (z.end <= at || z.start >= at + SECTOR) { keep.push(z); continue; }
      if (z.start < at) keep.push(new ZeroRange(z.start, at));
      if (z.end > at + SECTOR) keep.push(new ZeroRange(at + SECTOR, z.end));
    }
    this.zeros = keep;
    this.pages.set(at, data);
  }
}

/** `len` bytes of the circular log from `pos`, wrapping at its end. */
function logBytes(log: Uint8Array, pos: u64, len: i32): Uint8Array {
  const out = new Uint8Array(len);
  const n = <u64>log.length;
  for (let i = 0; i < len;) {
    const p = <i32>((pos + <u64>i) % n);
    const k = min(len - i, log.length - p);
    memory.copy(out.dataStart + <usize>i, log.dataStart + <usize>p, <usize>k);
    i += k;
  }
  return out;
}

/** A valid entry at `pos` (signature, GUID, length, CRC-32C), or null. */
function readEntry(log: Uint8Array, pos: u64, guid: string): LogEntry | null {
  const h = logBytes(log, pos, ENTRY_HEADER);
  if (!asciiAt(h, 0, "loge") || guidLE(h, 32) != guid) return null;
  const len = u32le(h, 8);
  if (len < <u32>SECTOR || (len & <u32>(SECTOR - 1)) != 0 || <u64>len > <u64>log.length) return null;
  const count = u32le(h, 24);
  if (<u64>ENTRY_HEADER + <u64>count * <u64>DESCRIPTOR > <u64>len) return null;
  const e = logBytes(log, pos, <i32>len);
  const want = u32le(e, 4);
  e[4] = 0; e[5] = 0; e[6] = 0; e[7] = 0;
  if (~crc32cUpdate(0xffffffff, e, 0, e.length) != want) return null;
  return new LogEntry(pos, u64le(h, 16), <u64>u32le(h, 12), e, u64le(h, 48), u64le(h, 56));
}

/**
 * Applies the active log sequence over `file`; null with the error set when the
 * log cannot be replayed. `empty` is set when no valid entry exists (nothing to do).
 */
export function replayLog(file: Device, logOffset: u64, logLength: u32, guid: string): ReplayedFile | null {
  const n = file.name;
  const len = <u64>logLength;
  if (len == 0 || (len & (SECTOR - 1)) != 0 || len > MAX_LOG_BYTES) {
    limit("vhdx.log.size", n + ": VHDX log of " + len.toString() + " bytes is not a multiple of 4 KiB up to 64 MiB");
    return null;
  }
  if (logOffset > file.size || file.size - logOffset < len) {
    corrupt("vhdx.log.out-of-range", n + ": the VHDX log at " + hex64(logOffset) + " runs past the end of the file");
    return null;
  }
  const log = file.read(logOffset, <i32>len);
  if (log === null) return null;
  // The head is the valid entry with the highest sequence number.
  let head: LogEntry | null = null;
  for (let p: u64 = 0; p < len; p += SECTOR) {
    const e = readEntry(log, p, guid);
    if (e !== null && (head === null || e.seq > head.seq)) head = e;
  }
  const out = new ReplayedFile(file);
  if (head === null) return out;
  // From the head's tail, entries must follow with consecutive sequence numbers up to the head.
  const seqEntries: LogEntry[] = [];
  let pos = head.tail;
  for (let guard: u64 = 0; guard <= len / SECTOR; guard++) {
    const e = readEntry(log, pos % len, guid);
    if (e === null || (seqEntries.length > 0 && e.seq != seqEntries[seqEntries.length - 1].seq + 1)) {
      corrupt("vhdx.log.sequence", n + ": the VHDX log's active sequence is broken at " + hex64(logOffset + pos % len) +
        " (tail " + hex64(head.tail) + ", head sequence " + head.seq.toString() + "): the log cannot be replayed");
      return null;
    }
    seqEntries.push(e);
    if (e.seq == head.seq) break;
    pos = (pos + <u64>e.bytes.length) % len;
  }
  if (seqEntries[seqEntries.length - 1].seq != head.seq) {
    corrupt("vhdx.log.sequence", n + ": the VHDX log's sequence from its tail never reaches its head");
    return null;
  }
  if (head.flushedOffset > file.size) {
    corrupt("vhdx.log.flushed", n + ": the VHDX log says the file held " + head.flushedOffset.toString() + " bytes, it holds " + file.size.toString() + " (the file was cut short)");
    return null;
  }
  for (let i = 0; i < seqEntries.length; i++) {
    const e = seqEntries[i].bytes;
    const count = <i32>u32le(e, 24);
    let data = (<i32>ENTRY_HEADER + count * DESCRIPTOR + <i32>SECTOR - 1) & ~(<i32>SECTOR - 1);
    for (let d = 0; d < count; d++) {
      const at = ENTRY_HEADER + d * DESCRIPTOR;
      const fileOff = u64le(e, at + 16);
      if (asciiAt(e, at, "zero")) {
        out.applyZero(fileOff, u64le(e, at + 8));
      } else if (asciiAt(e, at, "desc")) {
        if (data + <i32>SECTOR > e.length || !asciiAt(e, data, "data") || (fileOff & (SECTOR - 1)) != 0) {
          corrupt("vhdx.log.descriptor", n + ": VHDX log data descriptor " + d.toString() + " has no valid data sector");
          return null;
        }
        // leading 8 bytes and trailing 4 live in the descriptor; the sector carries the 4084 between
        const page = new Uint8Array(<i32>SECTOR);
        memory.copy(page.dataStart, e.dataStart + <usize>(at + 8), 8);
        memory.copy(page.dataStart + 8, e.dataStart + <usize>(data + 8), 4084);
        memory.copy(page.dataStart + 4092, e.dataStart + <usize>(at + 4), 4);
        out.applyPage(fileOff, page);
        data += <i32>SECTOR;
      } else {
        corrupt("vhdx.log.descriptor", n + ": VHDX log descriptor " + d.toString() + " has an unknown signature");
        return null;
      }
    }
    if (seqEntries[i].lastOffset > out.length) out.length = seqEntries[i].lastOffset;
  }
  out.entries = seqEntries.length;
  out.firstSeq = seqEntries[0].seq;
  out.lastSeq = head.seq;
  return out;
}
