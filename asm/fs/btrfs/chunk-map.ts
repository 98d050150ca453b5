// SPDX-License-Identifier: Apache-2.0
// Btrfs chunks: the map from logical addresses (every tree pointer and extent)
// to device offsets, bootstrapped from the superblock's sys_chunk_array and
// completed from the chunk tree (btrfs docs, "On-disk Format" → CHUNK_ITEM).
// One device is read: single, DUP and RAID1-style profiles read the stripe that
// lives on it; striped profiles are refused by name.

import { Device } from "../../io/device";
import { u16le, u64le, hex64 } from "../../util/bytes";
import { corrupt, unsupported, limit } from "../../util/error";

export const CHUNK_ITEM_SIZE: i32 = 48;
export const STRIPE_SIZE: i32 = 32;

// block group type bits (BTRFS_BLOCK_GROUP_*)
export const BG_DATA: u64 = 0x1;
export const BG_SYSTEM: u64 = 0x2;
export const BG_METADATA: u64 = 0x4;
const BG_RAID0: u64 = 0x8;
const BG_RAID1: u64 = 0x10;
const BG_DUP: u64 = 0x20;
const BG_RAID10: u64 = 0x40;
const BG_RAID5: u64 = 0x80;
const BG_RAID6: u64 = 0x100;
const BG_RAID1C3: u64 = 0x200;
const BG_RAID1C4: u64 = 0x400;
const BG_KNOWN: u64 = 0x7ff;
const BG_STRIPED: u64 = BG_RAID0 | BG_RAID10 | BG_RAID5 | BG_RAID6;
/** Far more chunks than any real filesystem (one per GiB of a 1 PiB volume). */
const MAX_CHUNKS: i32 = 1 << 20;

export function profileName(type: u64): string {
  if ((type & BG_RAID0) != 0) return "raid0";
  if ((type & BG_RAID1) != 0) return "raid1";
  if ((type & BG_DUP) != 0) return "dup";
  if ((type & BG_RAID10) != 0) return "raid10";
  if ((type & BG_RAID5) != 0) return "raid5";
  if ((type & BG_RAID6) != 0) return "raid6";
  if ((type & BG_RAID1C3) != 0) return "raid1c3";
  if ((type & BG_RAID1C4) != 0) return "raid1c4";
  return "single";
}

export class Chunk {
  logical: u64 = 0;
  length: u64 = 0;
  type: u64 = 0;
  stripeLen: u64 = 0;
  numStripes: i32 = 0;
  devids: u64[] = [];
  offsets: u64[] = [];
}

/**
 * Parses one CHUNK_ITEM at b[off, off+avail) for the chunk starting at `logical`;
 * null with the error set. `where` names the place (sys_chunk_array, chunk tree leaf).
 */
export function parseChunk(b: Uint8Array, off: i32, avail: i32, logical: u64, sectorSize: u32, where: string): Chunk | null {
  const w = where + ": chunk at logical " + hex64(logical);
  if (avail < CHUNK_ITEM_SIZE + STRIPE_SIZE) {
    corrupt("btrfs.chunk.short", w + " is cut short (" + avail.toString() + " bytes)");
    return null;
  }
  const c = new Chunk();
  c.logical = logical;
  c.length = u64le(b, off);
  c.stripeLen = u64le(b, off + 16);
  c.type = u64le(b, off + 24);
  c.numStripes = <i32>u16le(b, off + 44);
  if (c.numStripes == 0 || CHUNK_ITEM_SIZE + c.numStripes * STRIPE_SIZE > avail) {
    corrupt("btrfs.chunk.stripes", w + " claims " + c.numStripes.toString() + " stripes, which do not fit its " +
      avail.toString() + " bytes");
    return null;
  }
  const align = <u64>sectorSize - 1;
  if (c.length == 0 || (c.length & align) != 0 || (logical & align) != 0 || logical + c.length < logical) {
    corrupt("btrfs.chunk.length", w + " has length " + hex64(c.length) + ", not a non-zero multiple of the sector size");
    return null;
  }
  if ((c.type & ~BG_KNOWN) != 0 || (c.type & (BG_DATA | BG_SYSTEM | BG_METADATA)) == 0) {
    corrupt("btrfs.chunk.type", w + " has unknown type bits " + hex64(c.type));
    return null;
  }
  for (let i = 0; i < c.numStripes; i++) {
    const s = off + CHUNK_ITEM_SIZE + i * STRIPE_SIZE;
    c.devids.push(u64le(b, s));
    c.offsets.push(u64le(b, s + 8));
  }
  return c;
}

export class ChunkMap {
  /** sorted by logical address, never overlapping */
  chunks: Chunk[] = [];

  constructor(public dev: Device, public devid: u64, public where: string) {}

  /** Adds a chunk (a chunk tree entry may repeat one from the sys_chunk_array). */
  add(c: Chunk): bool {
    const cs = this.chunks;
    let lo = 0, hi = cs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (unchecked(cs[mid]).logical < c.logical) lo = mid + 1; else hi = mid;
    }
    if (lo < cs.length && cs[lo].logical == c.logical && cs[lo].length == c.length) return true; // known already
    if ((lo > 0 && cs[lo - 1].logical + cs[lo - 1].length > c.logical) ||
        (lo < cs.length && c.logical + c.length > cs[lo].logical)) {
      corrupt("btrfs.chunk.overlap", this.where + ": chunk at logical " + hex64(c.logical) + " overlaps another chunk");
      return false;
    }
    if (cs.length >= MAX_CHUNKS) {
      limit("btrfs.chunk.count", this.where + ": more than " + MAX_CHUNKS.toString() + " chunks");
      return false;
    }
    cs.push(c);
    for (let i = cs.length - 1; i > lo; i--) cs[i] = cs[i - 1];
    cs[lo] = c;
    return true;
  }

  find(logical: u64): Chunk | null {
    const cs = this.chunks;
    let lo = 0, hi = cs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = unchecked(cs[mid]);
      if (logical < c.logical) hi = mid;
      else if (logical >= c.logical + c.length) lo = mid + 1;
      else return c;
    }
    return null;
  }

  /** Device offset of `logical`, the chunk holding it, and how far the chunk goes on; -1 with the error set. */
  private physical(logical: u64, c: Chunk): i64 {
    let stripe = -1;
    if (c.numStripes > 1 && (c.type & BG_STRIPED) != 0) {
      unsupported("btrfs.chunk.profile", this.where + ": chunk at logical " + hex64(c.logical) + " uses the " +
        profileName(c.type) + " profile, which this reader does not support (only single, dup and raid1-style mirrors)");
      return -1;
    }
    // single/dup/raid1*: every stripe holds the whole chunk; take one on this device
    for (let i = 0; i < c.numStripes; i++) if (c.devids[i] == this.devid) { stripe = i; break; }
    if (stripe < 0) {
      unsupported("btrfs.chunk.device", this.where + ": chunk at logical " + hex64(c.logical) + " lives on device " +
        c.devids[0].toString() + ", not on this one (" + this.devid.toString() + "): a multi-device filesystem");
      return -1;
    }
    const phys = c.offsets[stripe] + (logical - c.logical);
    return <i64>phys;
  }

  /** Reads `len` bytes at logical address `logical` into dst; false with the error set. */
  readInto(logical: u64, len: i32, dst: usize): bool {
    let done = 0;
    // a read may cross chunk boundaries; each piece is mapped on its own (bounded by len)
    while (done < len) {
      const at = logical + <u64>done;
      const c = this.find(at);
      if (c === null) {
        corrupt("btrfs.chunk.unmapped", this.where + ": logical address " + hex64(at) + " is in no chunk");
        return false;
      }
      const n = <i32>min(<u64>(len - done), c.logical + c.length - at);
      const p = this.physical(at, c);
      if (p < 0) return false;
      const phys = <u64>p;
      if (phys + <u64>n > this.dev.size || phys + <u64>n < phys) {
        corrupt("btrfs.chunk.past-end", this.where + ": chunk at logical " + hex64(c.logical) + " maps " + hex64(at) +
          " to device offset " + hex64(phys) + ", past the end of the volume (" + this.dev.size.toString() + " bytes)");
        return false;
      }
      if (!this.dev.readInto(phys, n, dst + <usize>done)) return false;
      done += n;
    }
    return true;
  }

  read(logical: u64, len: i32): Uint8Array | null {
    const b = new Uint8Array(len);
    if (!this.readInto(logical, len, b.dataStart)) return null;
    return b;
  }
}

/** Fills the map from the superblock's sys_chunk_array: (key, CHUNK_ITEM) pairs. */
export function loadSysChunks(map: ChunkMap, arr: Uint8Array, sectorSize: u32): bool {
  let off = 0;
  const w = map.where + ": sys_chunk_array";
  while (off < arr.length) {
    if (off + 17 > arr.length) {
      corrupt("btrfs.sys-array.key", w + ": key at byte " + off.toString() + " is cut short");
      return false;
    }
    const type = arr[off + 8];
    const logical = u64le(arr, off + 9);
    if (type != 228) {
      corrupt("btrfs.sys-array.type", w + ": item at byte " + off.toString() + " has key type " + type.toString() +
        ", not CHUNK_ITEM (228)");
      return false;
    }
    off += 17;
    const n = <i32>u16le(arr, off + 44);
    const c = parseChunk(arr, off, arr.length - off, logical, sectorSize, w);
    if (c === null) return false;
    if ((c.type & BG_SYSTEM) == 0) {
      corrupt("btrfs.sys-array.chunk-type", w + ": chunk at logical " + hex64(logical) + " is not a SYSTEM chunk (type " +
        hex64(c.type) + ")");
      return false;
    }
    if (!map.add(c)) return false;
    off += CHUNK_ITEM_SIZE + n * STRIPE_SIZE;
  }
  if (map.chunks.length == 0) {
    corrupt("btrfs.sys-array.empty", w + " holds no chunk");
    return false;
  }
  return true;
}
