// SPDX-License-Identifier: Apache-2.0
// A hive file's bytes as the reader sees them: the file on its device, read
// in cached blocks, with 4 KiB pages replaced by those a transaction log
// carries (an in-memory log replay never touches the image).

import { Device } from "../io/device";
import { corrupt } from "../util/error";
import { hex64 } from "../util/bytes";

const BLOCK_SHIFT: u64 = 16;
const BLOCK: i32 = 1 << 16;
const MAX_BLOCKS: i32 = 256; // 16 MiB of hive kept
export const PAGE: i32 = 4096;

export class HiveBytes {
  private blocks: Map<u64, Uint8Array> = new Map();
  private order: u64[] = [];
  /** page index (file offset / 4096) → replacement bytes */
  overlay: Map<u64, Uint8Array> = new Map();
  /** logical size: the file's, or more when a log grew the hive */
  size: u64;

  constructor(public dev: Device, public where: string) {
    this.size = dev.size;
  }

  private block(i: u64): Uint8Array | null {
    if (this.blocks.has(i)) return this.blocks.get(i);
    const off = i << BLOCK_SHIFT;
    const n = <i32>min(<u64>BLOCK, this.dev.size - off);
    const b = this.dev.read(off, n);
    if (b === null) return null;
    if (this.order.length >= MAX_BLOCKS) this.blocks.delete(this.order.shift());
    this.blocks.set(i, b);
    this.order.push(i);
    return b;
  }

  /** Bytes [off, off+len) of the (replayed) file; null with the error set. */
  read(off: u64, len: i32): Uint8Array | null {
    if (len < 0 || off > this.size || <u64>len > this.size - off) {
      corrupt("hive.past-end", this.where + ": " + len.toString() + " bytes at " + hex64(off) + " lie past the end of the hive (" +
        this.size.toString() + " bytes)");
      return null;
    }
    const out = new Uint8Array(len);
    let pos = off;
    const end = off + <u64>len;
    while (pos < end) {
      const page = pos / <u64>PAGE;
      const pageEnd = min((page + 1) * <u64>PAGE, end);
      const k = <i32>(pageEnd - pos);
      if (this.overlay.has(page)) {
        const p = this.overlay.get(page);
        memory.copy(out.dataStart + <usize>(pos - off), p.dataStart + <usize>(pos - page * <u64>PAGE), <usize>k);
      } else if (pos >= this.dev.size || pageEnd > this.dev.size) {
        corrupt("hive.past-end", this.where + ": offset " + hex64(pos) + " lies past the end of the hive file");
        return null;
      } else {
        const bi = pos >> BLOCK_SHIFT;
        const b = this.block(bi);
        if (b === null) return null;
        const within = <i32>(pos - (bi << BLOCK_SHIFT));
        const kk = min(k, b.length - within);
        memory.copy(out.dataStart + <usize>(pos - off), b.dataStart + <usize>within, <usize>kk);
        if (kk < k) { pos += <u64>kk; continue; }
      }
      pos = pageEnd;
    }
    return out;
  }

  /** Replaces bytes [off, off+len) of the file (any alignment) with data[dOff...]; pages past the file's end start as zeros. */
  patchBytes(off: u64, data: Uint8Array, dOff: i32, len: i32): bool {
    let done = 0;
    while (done < len) {
      const pos = off + <u64>done;
      const page = pos / <u64>PAGE;
      const within = <i32>(pos - page * <u64>PAGE);
      const k = min(PAGE - within, len - done);
      let p: Uint8Array;
      if (this.overlay.has(page)) p = this.overlay.get(page);
      else {
        p = new Uint8Array(PAGE);
        const start = page * <u64>PAGE;
        if (start < this.dev.size) {
          const have = <i32>min(<u64>PAGE, this.dev.size - start);
          if (!this.dev.readInto(start, have, p.dataStart)) return false;
        }
        this.overlay.set(page, p);
      }
      memory.copy(p.dataStart + <usize>within, data.dataStart + <usize>(dOff + done), <usize>k);
      done += k;
    }
    if (off + <u64>len > this.size) this.size = off + <u64>len;
    return true;
  }

  /** Replaces bytes of the file from `off` (a whole number of pages) with `data`. */
  patch(off: u64, data: Uint8Array, dOff: i32, len: i32): bool {
    if ((off & <u64>(PAGE - 1)) != 0 || (len & (PAGE - 1)) != 0) {
      corrupt("hive.log.page", this.where + ": a log page at " + hex64(off) + " (" + len.toString() + " bytes) is not 4 KiB aligned");
      return false;
    }
    for (let k = 0; k < len; k += PAGE) {
      this.overlay.set((off + <u64>k) / <u64>PAGE, data.slice(dOff + k, dOff + k + PAGE));
    }
    if (off + <u64>len > this.size) this.size = off + <u64>len;
    return true;
  }
}
