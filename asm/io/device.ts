// SPDX-License-Identifier: Apache-2.0
// A block device: the one interface every container, volume and filesystem
// reads through. A short read is an error (STYLE.md, ext4-view's Ext4Read).

import { corrupt, ioError, limit } from "../util/error";
import { hex64 } from "../util/bytes";
import { tick } from "./poll";

/**
 * The most one read may allocate: every on-disk table guestcheck reads whole
 * (qcow2 L1, VHDX BAT, a directory) is far smaller, so a length past this
 * comes from a damaged or hostile field and must not exhaust wasm memory.
 */
export const MAX_READ: i32 = 256 << 20;

export abstract class Device {
  /** What this device is, for error messages ("partition 2", "raw image"). */
  name: string = "";

  abstract get size(): u64;

  /** Reads exactly `len` bytes at `offset` into `dst`; false with the error set otherwise. */
  abstract readInto(offset: u64, len: i32, dst: usize): bool;

  /** Reads exactly `len` bytes; null with the error set otherwise. */
  read(offset: u64, len: i32): Uint8Array | null {
    if (len < 0) {
      ioError("io.length", this.name + ": negative read length");
      return null;
    }
    if (len > MAX_READ) {
      limit("io.read-limit", this.name + ": a read of " + len.toString() + " bytes at " + hex64(offset) +
        " is more than the " + MAX_READ.toString() + " bytes guestcheck reads at once");
      return null;
    }
    if (offset > this.size || <u64>len > this.size - offset) {
      corrupt("io.past-end", this.name + ": read of " + len.toString() + " bytes at " + hex64(offset) +
        " goes past the end (" + this.size.toString() + " bytes)");
      return null;
    }
    const b = new Uint8Array(len);
    if (len == 0) return b;
    if (!this.readInto(offset, len, b.dataStart)) return null;
    return b;
  }
}

/** A window [start, start+length) of another device: a partition or an extent. */
export class SliceDevice extends Device {
  constructor(public parent: Device, public start: u64, public length: u64, name: string) {
    super();
    this.name = name;
  }
  get size(): u64 { return this.length; }
  readInto(offset: u64, len: i32, dst: usize): bool {
    if (offset > this.length || <u64>len > this.length - offset) {
      corrupt("io.past-end", this.name + ": read at " + hex64(offset) + " goes past the end (" + this.length.toString() + " bytes)");
      return false;
    }
    return this.parent.readInto(this.start + offset, len, dst);
  }
}

/** A device backed by bytes already in memory (tests, decoded data). */
export class MemoryDevice extends Device {
  constructor(public data: Uint8Array, name: string) {
    super();
    this.name = name;
  }
  get size(): u64 { return <u64>this.data.length; }
  readInto(offset: u64, len: i32, dst: usize): bool {
    tick();
    if (offset > <u64>this.data.length || <u64>len > <u64>this.data.length - offset) {
      corrupt("io.past-end", this.name + ": read past the end");
      return false;
    }
    memory.copy(dst, this.data.dataStart + <usize>offset, <usize>len);
    return true;
  }
}
