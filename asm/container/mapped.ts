// SPDX-License-Identifier: Apache-2.0
// The shape every sparse container shares: the virtual disk is a sequence of
// runs (data at a host offset, zeros, the backing file's bytes, or a
// compressed cluster). A read asks the format for the run at each position and
// merges neighbouring runs that are contiguous in the same host file, so a read
// spanning many clusters costs as few host reads as the layout allows.

import { Device } from "../io/device";
import { corrupt } from "../util/error";
import { hex64 } from "../util/bytes";

export const enum RunKind {
  /** reads as zeros */
  Zero = 0,
  /** bytes at runHost in runFile */
  Data = 1,
  /** the same offset of the backing device (zeros when there is none) */
  Backing = 2,
  /** the format decodes it itself (readSpecial): a compressed cluster or grain */
  Special = 3,
}

export abstract class MappedDevice extends Device {
  protected virtualSize: u64 = 0;
  /** the image below this one, or null (unallocated then reads as zeros) */
  backing: Device | null = null;

  // The run at the position map() was asked about; runLen > 0 bytes from there.
  runKind: RunKind = RunKind.Zero;
  runFile: Device | null = null;
  runHost: u64 = 0;
  runLen: u64 = 0;

  get size(): u64 { return this.virtualSize; }

  /** Describes the run that starts at vOff (vOff < size); false with the error set. */
  abstract map(vOff: u64): bool;

  /** Reads len bytes of the Special run map() just described, from vOff. */
  readSpecial(vOff: u64, len: i32, dst: usize): bool {
    corrupt("container.run", this.name + ": no decoder for the run at " + hex64(vOff));
    return false;
  }

  readInto(offset: u64, len: i32, dst: usize): bool {
    if (len < 0 || offset > this.virtualSize || <u64>len > this.virtualSize - offset) {
      corrupt("io.past-end", this.name + ": read of " + len.toString() + " bytes at " + hex64(offset) +
        " goes past the end of the virtual disk (" + this.virtualSize.toString() + " bytes)");
      return false;
    }
    let pos = offset;
    let out = dst;
    let rem = <u64>len;
    while (rem > 0) {
      if (!this.map(pos)) return false;
      const kind = this.runKind;
      const file = this.runFile;
      const host = this.runHost;
      if (this.runLen == 0) {
        corrupt("container.run", this.name + ": empty run at " + hex64(pos));
        return false;
      }
      let n = min(this.runLen, rem);
      if (kind == RunKind.Special) {
        if (!this.readSpecial(pos, <i32>n, out)) return false;
      } else {
        // Extend over following runs of the same kind that continue this one.
        while (n < rem) {
          if (!this.map(pos + n)) return false;
          if (this.runKind != kind || this.runLen == 0) break;
          if (kind == RunKind.Data && (this.runFile !== file || this.runHost != host + n)) break;
          n += min(this.runLen, rem - n);
        }
        if (kind == RunKind.Zero) {
          memory.fill(out, 0, <usize>n);
        } else if (kind == RunKind.Data) {
          if (!file!.readInto(host, <i32>n, out)) return false;
        } else if (!this.readBacking(pos, <i32>n, out)) {
          return false;
        }
      }
      pos += n;
      out += <usize>n;
      rem -= n;
    }
    return true;
  }

  /** The backing device's bytes; past its end (a smaller base image) they are zeros. */
  private readBacking(pos: u64, n: i32, out: usize): bool {
    const b = this.backing;
    if (b === null) {
      memory.fill(out, 0, <usize>n);
      return true;
    }
    const bs = b.size;
    let have: i32 = 0;
    if (pos < bs) have = <i32>min(<u64>n, bs - pos);
    if (have > 0 && !b.readInto(pos, have, out)) return false;
    if (have < n) memory.fill(out + <usize>have, 0, <usize>(n - have));
    return true;
  }
}

class CachedTable {
  constructor(public key: u64, public data: Uint8Array) {}
}

/**
 * A few recently used tables (L2 tables, grain tables, bitmaps), keyed by their
 * host offset: a filesystem walk returns to the same tables again and again.
 */
export class TableCache {
  private items: CachedTable[] = [];
  constructor(private capacity: i32) {}

  get(key: u64): Uint8Array | null {
    for (let i = 0; i < this.items.length; i++) {
      const t = unchecked(this.items[i]);
      if (t.key == key) {
        if (i > 0) {
          // move to front
          for (let j = i; j > 0; j--) unchecked(this.items[j] = this.items[j - 1]);
          unchecked(this.items[0] = t);
        }
        return t.data;
      }
    }
    return null;
  }

  put(key: u64, data: Uint8Array): void {
    if (this.items.length >= this.capacity) this.items.pop();
    this.items.unshift(new CachedTable(key, data));
  }

  /**
   * The `slice`-byte piece (a power of two) of the table at `base` of `file`,
   * `tableBytes` long, that holds the table's byte `byteOff`, read once and
   * kept; the byte is at `byteOff & (slice - 1)` of it. Tables that grow with
   * the disk (qcow2 L1 and L2, BATs, a grain directory, a block map) are read
   * where a lookup needs them, not whole.
   */
  piece(file: Device, base: u64, tableBytes: u64, byteOff: u64, slice: u64 = 4096): Uint8Array | null {
    const start = byteOff & ~(slice - 1);
    return this.load(file, base + start, <i32>min(slice, tableBytes - start));
  }

  /** The table at `off` of `file` (`len` bytes), read once and kept. */
  load(file: Device, off: u64, len: i32): Uint8Array | null {
    const hit = this.get(off);
    if (hit !== null) return hit;
    const b = file.read(off, len);
    if (b === null) return null;
    this.put(off, b);
    return b;
  }
}
