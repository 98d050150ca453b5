// SPDX-License-Identifier: Apache-2.0
// The page cache over the host import: small aligned blocks, bounded LRU, and
// reads sized to what is asked. A browser File read costs ~0.65 ms whatever its
// size up to 64 KiB (DESIGN.md), so calls matter as much as bytes; both are
// counted for the report.
//
// A miss reads the missing blocks the request covers (4 KiB each: the
// filesystem block and host page size almost every image uses), coalesced
// into one host call per missing run, so scattered small items (MFT records,
// hive headers, PE headers, VMDK grain tables) cost 4 KiB, not a 64 KiB page.
// Two things grow a read past the request, as Linux's on-demand readahead
// does (mm/readahead.c): a miss that starts where this file's previous fill
// ended is a stream, and its window doubles from 16 KiB up to the page size
// (1 << pageShift); and a reader that knows its metadata is clustered (ext4
// inode tables and directories, like ext4's inode_readahead_blks) asks for
// read-around with setReadAround, which fills the aligned region around a
// miss. Large reads (file contents such as an initramfs) bypass the cache.

import { Device } from "./device";
import { hostRead, hostSize } from "./host";
import { tick } from "./poll";
import { ioError, corrupt } from "../util/error";
import { hex64 } from "../util/bytes";

class Page {
  prev: Page | null = null;
  next: Page | null = null;
  constructor(public key: u64, public data: Uint8Array) {}
}

export class IoStats {
  bytesRead: f64 = 0;
  readCalls: f64 = 0;
  cacheHits: f64 = 0;
  cacheMisses: f64 = 0;
}

export const stats = new IoStats();

/** The most one fill of small reads grows to (readahead, read-around): 64 KiB. */
let pageShift: u32 = 16;
/** The cache's unit: 4 KiB, or the page when that is smaller. */
let blockShift: u32 = 12;
/** The first window of a stream, in blocks, before it doubles. */
const STREAM_START_BYTES: u64 = 16 << 10;
/** Sequential streams followed per file. */
const STREAMS: i32 = 8;
/** Bytes of aligned region a miss fills around itself (0: none); see setReadAround. */
let readAround: u32 = 0;
/** Whether misses are followed as streams and read ahead; see setReadahead. */
let readahead: bool = true;
let budget: usize = 64 << 20;
let used: usize = 0;
const pages = new Map<u64, Page>();
// LRU list: head = most recently used
let head: Page | null = null;
let tail: Page | null = null;

/**
 * The largest fill of small reads as a power of two (9 = 512 B ... 22 = 4 MiB;
 * 12 or less turns readahead and read-around off); drops every cached block.
 */
export function configureCache(shift: u32, budgetBytes: usize): void {
  pageShift = shift < 9 ? 9 : (shift > 22 ? 22 : shift);
  blockShift = pageShift < 12 ? pageShift : 12;
  budget = budgetBytes < (<usize>4 << pageShift) ? (<usize>4 << pageShift) : budgetBytes;
  pages.clear();
  head = null;
  tail = null;
  used = 0;
}

export function resetStats(): void {
  stats.bytesRead = 0;
  stats.readCalls = 0;
  stats.cacheHits = 0;
  stats.cacheMisses = 0;
}

export function pageSize(): i32 { return 1 << pageShift; }
export function blockSize(): i32 { return 1 << blockShift; }

/**
 * Turns stream readahead off (false) or on for the reads that follow: for a
 * reader that knows each of its reads stands alone (the magic probe's sparse
 * sectors). Returns the previous setting, which the caller restores.
 */
export function setReadahead(on: bool): bool {
  const old = readahead;
  readahead = on;
  return old;
}

/**
 * Until set back, a miss also reads the missing blocks of the `bytes`-aligned
 * region around it (capped at the page size): for readers whose next reads
 * are likely near this one but not next to it. Returns the previous setting,
 * which the caller restores.
 */
export function setReadAround(bytes: u32): u32 {
  const old = readAround;
  readAround = bytes;
  return old;
}

function unlink(p: Page): void {
  const pr = p.prev, nx = p.next;
  if (pr !== null) pr.next = nx; else head = nx;
  if (nx !== null) nx.prev = pr; else tail = pr;
  p.prev = null;
  p.next = null;
}

function pushFront(p: Page): void {
  p.next = head;
  p.prev = null;
  const h = head;
  if (h !== null) h.prev = p;
  head = p;
  if (tail === null) tail = p;
}

function insert(p: Page): void {
  pages.set(p.key, p);
  pushFront(p);
  used += <usize>p.data.length;
  while (used > budget) {
    const t = tail;
    if (t === null || t === p) break;
    unlink(t);
    pages.delete(t.key);
    used -= <usize>t.data.length;
  }
}

/** One host read, looping over short reads; false with an I/O error at end of file. */
export function hostReadFully(fileId: i32, offset: u64, len: i32, dst: usize, name: string): bool {
  let done = 0;
  // A host that keeps returning short reads still ends: each call must make progress.
  while (done < len) {
    const n = hostRead(fileId, <f64>(offset + <u64>done), len - done, <i32>(dst + <usize>done));
    stats.readCalls += 1;
    if (n <= 0) {
      ioError("io.short-read", name + ": could not read " + (len - done).toString() + " bytes at " + hex64(offset + <u64>done));
      return false;
    }
    stats.bytesRead += n;
    done += n;
  }
  return true;
}

/** A file the host holds, read through the page cache. */
export class HostFile extends Device {
  private fileSize: u64;
  constructor(public fileId: i32, name: string) {
    super();
    this.name = name;
    const s = hostSize(fileId);
    this.fileSize = s > 0 ? <u64>s : 0;
  }

  get size(): u64 { return this.fileSize; }

  private key(index: u64): u64 {
    return (<u64>this.fileId << 52) | index;
  }

  /**
   * Streams in flight over this file: one image file holds many guest files
   * read in turns, so, like ZFS's zfetch, several are followed at once.
   * streamNext[i] is the block after stream i's last fill, streamBlocks[i]
   * its window in blocks (0 until a miss continues it).
   */
  private streamNext: StaticArray<u64> = new StaticArray<u64>(STREAMS);
  private streamBlocks: StaticArray<u64> = new StaticArray<u64>(STREAMS);
  private streamVictim: i32 = 0;

  /** The stream a miss at `idx` continues (at or just past where it ended), or -1. */
  private streamAt(idx: u64): i32 {
    for (let i = 0; i < STREAMS; i++) {
      const n = unchecked(this.streamNext[i]);
      const w = unchecked(this.streamBlocks[i]);
      if (n != 0 && idx >= n && idx - n <= (w > 1 ? w : 1)) return i;
    }
    return -1;
  }

  private cached(index: u64): bool { return pages.has(this.key(index)); }

  readInto(offset: u64, len: i32, dst: usize): bool {
    tick();
    if (len == 0) return true;
    if (offset > this.fileSize || <u64>len > this.fileSize - offset) {
      corrupt("io.past-end", this.name + ": read of " + len.toString() + " bytes at " + hex64(offset) +
        " goes past the end of the file (" + this.fileSize.toString() + " bytes)");
      return false;
    }
    const ps = <u64>1 << pageShift;
    // Large reads (file contents such as an initramfs) bypass the cache rather than flush it.
    if (<u64>len >= ps * 8) return hostReadFully(this.fileId, offset, len, dst, this.name);

    const bshift = blockShift;
    const bs = <u64>1 << bshift;
    const first = offset >> bshift;
    const last = (offset + <u64>len - 1) >> bshift;
    const lastInFile = (this.fileSize - 1) >> bshift;
    const maxFill = ps >> bshift; // at least 1
    // Fetch every missing run of blocks with one host call per run.
    let idx = first;
    while (idx <= last) {
      if (this.cached(idx)) { stats.cacheHits += 1; idx++; continue; }
      let end = idx;
      while (end + 1 <= last && !this.cached(end + 1)) end++;
      stats.cacheMisses += <f64>(end - idx + 1);
      let lo = idx, hi = end;
      let st = readahead ? this.streamAt(idx) : -1;
      if (!readahead) {
        // each read stands alone: neither read ahead nor remembered as a stream
      } else if (st >= 0) {
        // A stream: read ahead by a window that doubles on each miss that continues it.
        let w = unchecked(this.streamBlocks[st]) * 2;
        const start = STREAM_START_BYTES >> bshift;
        if (w < start) w = start;
        if (w > maxFill) w = maxFill;
        unchecked(this.streamBlocks[st] = w);
        if (hi < idx + w - 1) hi = idx + w - 1;
      } else {
        // A new candidate stream replaces the oldest one.
        st = this.streamVictim;
        this.streamVictim = (st + 1) % STREAMS;
        unchecked(this.streamBlocks[st] = 0);
      }
      const around = <u64>min(<u32>ps, readAround) >> bshift;
      if (around > 1) {
        const rs = idx / around * around;
        while (lo > rs && !this.cached(lo - 1)) lo--;
        if (hi < rs + around - 1) hi = rs + around - 1;
      }
      if (hi > lastInFile) hi = lastInFile;
      // Never re-read what is cached: the fill ends before the next cached block.
      let stop = end + 1;
      while (stop <= hi && !this.cached(stop)) stop++;
      hi = stop - 1;
      const runStart = lo << bshift;
      let runEnd = (hi + 1) << bshift;
      if (runEnd > this.fileSize) runEnd = this.fileSize;
      const runLen = <i32>(runEnd - runStart);
      const buf = new Uint8Array(runLen);
      if (!hostReadFully(this.fileId, runStart, runLen, buf.dataStart, this.name)) return false;
      for (let k = lo; k <= hi; k++) {
        const b0 = <i32>((k - lo) << bshift);
        const be = min(runLen, b0 + <i32>bs);
        insert(new Page(this.key(k), buf.slice(b0, be)));
      }
      if (st >= 0) unchecked(this.streamNext[st] = hi + 1);
      idx = end + 1;
    }
    // Copy out; every block is present unless the budget is smaller than this read.
    let pos = offset;
    let out = dst;
    let remaining = <u64>len;
    while (remaining > 0) {
      const k = pos >> bshift;
      const within = <i32>(pos & (bs - 1));
      const n = <i32>min(remaining, bs - <u64>within);
      const key = this.key(k);
      if (pages.has(key)) {
        const p = pages.get(key);
        if (p !== head) { unlink(p); pushFront(p); }
        if (within + n > p.data.length) {
          ioError("io.short-page", this.name + ": block at " + hex64(k << bshift) + " is short");
          return false;
        }
        memory.copy(out, p.data.dataStart + <usize>within, <usize>n);
      } else {
        if (!hostReadFully(this.fileId, pos, n, out, this.name)) return false;
      }
      pos += <u64>n;
      out += <usize>n;
      remaining -= <u64>n;
    }
    return true;
  }
}
