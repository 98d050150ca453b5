// SPDX-License-Identifier: Apache-2.0
// Whether the XFS journal was cleanly unmounted: find the log head (where the
// cycle number stamped on every 512-byte block drops) and check that the
// record just before it is an unmount record ("XFS Algorithms & Data
// Structures", "Journaling Log"; the kernel's xlog_find_head / xlog_find_tail).
// A dirty log holds metadata changes that a mount would replay and this
// reader does not: recently written files may be missing or stale.

import { Device } from "../../io/device";
import { u32be } from "../../util/bytes";
import { XfsSuperblock } from "./superblock";
import { fsbToByte } from "./bmap";

const BB: i32 = 512;
const XLOG_HEADER_MAGIC: u32 = 0xfeedbabe;
const XLOG_UNMOUNT_TRANS: u32 = 0x20;
const XLOG_HEADER_CYCLE_SIZE: u32 = 32 * 1024;
/** a log record is at most 256 KiB of data plus its headers: search that far back from the head */
const MAX_RECORD_BBS: i32 = (256 * 1024 + 8 * BB) / BB;

export class LogState {
  /** "clean" | "dirty" | "external" | "unknown" */
  state: string = "unknown";
  head: i64 = -1;
  detail: string = "";
}

export function readLogState(dev: Device, sb: XfsSuperblock): LogState {
  const r = new LogState();
  if (sb.logStart == 0) { r.state = "external"; r.detail = "the log is on another device"; return r; }
  const base = fsbToByte(sb, sb.logStart);
  const nBB = <i64>sb.logBlocks * <i64>(sb.blockSize / <u32>BB);
  if (base < 0 || nBB < 2 || <u64>base + <u64>nBB * <u64>BB > dev.size) { r.detail = "the log lies outside the device"; return r; }
  const log = new LogReader(dev, <u64>base, nBB);
  const first = log.cycle(0), last = log.cycle(nBB - 1);
  if (first < 0 || last < 0) { r.detail = "the log could not be read"; return r; }
  if (first == 0) { r.state = "clean"; r.head = 0; r.detail = "the log is empty"; return r; }
  // cycles run first..first up to the head, then first-1 (or the same cycle when it wrapped exactly)
  let head: i64;
  if (first == last) head = nBB;
  else {
    let lo: i64 = 0, hi: i64 = nBB - 1; // cycle(lo) == first, cycle(hi) != first
    let steps = 0;
    while (hi - lo > 1 && steps++ < 64) {
      const mid = lo + (hi - lo) / 2;
      const c = log.cycle(mid);
      if (c < 0) { r.detail = "the log could not be read"; return r; }
      if (c == first) lo = mid; else hi = mid;
    }
    head = hi;
  }
  r.head = head % nBB;
  // the newest record header before the head
  for (let back: i64 = 1; back <= <i64>MAX_RECORD_BBS && back <= nBB; back++) {
    const bb = (head - back + nBB) % nBB;
    const b = log.block(bb);
    if (b === null) { r.detail = "the log could not be read"; return r; }
    if (u32be(b, 0) != XLOG_HEADER_MAGIC) continue;
    const h_version = u32be(b, 8);
    const h_num_logops = u32be(b, 40);
    const h_size = u32be(b, 320);
    const hdrBBs = h_version == 2 && h_size > XLOG_HEADER_CYCLE_SIZE ? <i64>((h_size + XLOG_HEADER_CYCLE_SIZE - 1) / XLOG_HEADER_CYCLE_SIZE) : 1;
    const data = log.block((bb + hdrBBs) % nBB);
    if (data === null) { r.detail = "the log could not be read"; return r; }
    const oh_flags = <u32>data[9];
    if (h_num_logops == 1 && (oh_flags & XLOG_UNMOUNT_TRANS) != 0) {
      r.state = "clean";
      r.detail = "the last log record (block " + bb.toString() + ") is an unmount record";
    } else {
      r.state = "dirty";
      r.detail = "the last log record (block " + bb.toString() + ", " + h_num_logops.toString() +
        " operations) is not an unmount record: the filesystem was not cleanly unmounted, and changes in the log are not applied";
    }
    return r;
  }
  r.detail = "no log record header before the head";
  return r;
}

class LogReader {
  constructor(public dev: Device, public base: u64, public nBB: i64) {}
  block(bb: i64): Uint8Array | null {
    return this.dev.read(this.base + <u64>bb * <u64>BB, BB);
  }
  /** The cycle stamped on block `bb` (a record header keeps it at byte 4), or -1. */
  cycle(bb: i64): i64 {
    const b = this.block(bb);
    if (b === null) return -1;
    const w = u32be(b, 0);
    return <i64>(w == XLOG_HEADER_MAGIC ? u32be(b, 4) : w);
  }
}
