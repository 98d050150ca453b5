// SPDX-License-Identifier: Apache-2.0
// The page cache over the host import: aligned pages, bounded LRU, and reads
// of consecutive missing pages coalesced into one host call. A browser File
// read costs ~0.65 ms whatever its size up to 64 KiB (DESIGN.md), so the number
// of calls matters more than the bytes; both are counted for the report.

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

let pageShift: u32 = 16; // 64 KiB
let budget: usize = 64 << 20;
let used: usize = 0;
const pages = new Map<u64, Page>();
// LRU list: head = most recently used
let head: Page | null = null;
let tail: Page | null = null;

/** Page size as a power of two (9 = 512 B ... 20 = 1 MiB); drops every cached page. */
export function configureCache(shift: u32, budgetBytes: usize): void {
  pageShift = shift < 9 ? 9 : (shift > 22 ? 22 : shift);
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

    const first = offset >> pageShift;
    const last = (offset + <u64>len - 1) >> pageShift;
    // Fetch every missing run of pages with one host call per run.
    let idx = first;
    while (idx <= last) {
      if (pages.has(this.key(idx))) { stats.cacheHits += 1; idx++; continue; }
      let end = idx;
      while (end + 1 <= last && !pages.has(this.key(end + 1))) end++;
      stats.cacheMisses += <f64>(end - idx + 1);
      const runStart = idx << pageShift;
      let runEnd = (end + 1) << pageShift;
      if (runEnd > this.fileSize) runEnd = this.fileSize;
      const runLen = <i32>(runEnd - runStart);
      const buf = new Uint8Array(runLen);
      if (!hostReadFully(this.fileId, runStart, runLen, buf.dataStart, this.name)) return false;
      for (let k = idx; k <= end; k++) {
        const ps0 = <i32>((k - idx) << pageShift);
        const pe = min(runLen, ps0 + <i32>ps);
        insert(new Page(this.key(k), buf.slice(ps0, pe)));
      }
      idx = end + 1;
    }
    // Copy out; every page is present unless the budget is smaller than this read.
    let pos = offset;
    let out = dst;
    let remaining = <u64>len;
    while (remaining > 0) {
      const k = pos >> pageShift;
      const within = <i32>(pos & (ps - 1));
      const n = <i32>min(remaining, ps - <u64>within);
      const key = this.key(k);
      if (pages.has(key)) {
        const p = pages.get(key);
        if (p !== head) { unlink(p); pushFront(p); }
        if (within + n > p.data.length) {
          ioError("io.short-page", this.name + ": page at " + hex64(k << pageShift) + " is short");
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
