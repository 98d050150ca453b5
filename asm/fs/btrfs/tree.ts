// SPDX-License-Identifier: Apache-2.0
// Btrfs B-trees: node headers, keys, leaf items and key pointers (btrfs docs,
// "On-disk Format" → Tree nodes), and a bounded search for every item whose key
// lies in a range. Each node is checked before use: checksum, its own address,
// fsid, level (a child is exactly one level below its parent, so a walk ends
// within 8 levels even when pointers loop) and strictly ascending keys.

import { u8at, u32le, u64le, hex64 } from "../../util/bytes";
import { corrupt, limit } from "../../util/error";
import { crc32cUpdate } from "../../codec/crc32c";
import { ChunkMap } from "./chunk-map";
import { Superblock, CSUM_SIZE, CSUM_CRC32C } from "./superblock";

export const HEADER_SIZE: i32 = 0x65;
export const KEY_SIZE: i32 = 17;
const ITEM_SIZE: i32 = 25; // key, data offset u32, data size u32
const KEY_PTR_SIZE: i32 = 33; // key, block pointer u64, generation u64
export const MAX_LEVEL: i32 = 8;
/** Nodes one search may visit: a range query visits few; a damaged tree must not run on. */
const MAX_VISITS: i32 = 1 << 16;
/** Bytes of nodes kept: the walk of a guest keeps revisiting the same upper nodes. */
const NODE_CACHE_BYTES: i32 = 8 << 20;

export const U64_MAX: u64 = 0xffffffffffffffff;

/** Compares keys (objectid, type, offset) as the trees order them. */
export function keyCmp(ao: u64, at: u32, aoff: u64, bo: u64, bt: u32, boff: u64): i32 {
  if (ao != bo) return ao < bo ? -1 : 1;
  if (at != bt) return at < bt ? -1 : 1;
  if (aoff == boff) return 0;
  return aoff < boff ? -1 : 1;
}

export class Key {
  constructor(public objectid: u64, public type: u32, public offset: u64) {}
  toString(): string { return "(" + this.objectid.toString() + " " + this.type.toString() + " " + this.offset.toString() + ")"; }
}

export function keyAt(b: Uint8Array, off: i32): Key {
  return new Key(u64le(b, off), u8at(b, off + 8), u64le(b, off + 9));
}

/** One leaf item: its key and a copy of its data. */
export class Item {
  constructor(public objectid: u64, public type: u32, public offset: u64, public data: Uint8Array) {}
}

export class Node {
  constructor(public raw: Uint8Array, public bytenr: u64, public level: i32, public nritems: i32, public owner: u64) {}
  get isLeaf(): bool { return this.level == 0; }
  private keyOff(i: i32): i32 { return HEADER_SIZE + i * (this.level == 0 ? ITEM_SIZE : KEY_PTR_SIZE); }
  objectid(i: i32): u64 { return u64le(this.raw, this.keyOff(i)); }
  type(i: i32): u32 { return u8at(this.raw, this.keyOff(i) + 8); }
  offset(i: i32): u64 { return u64le(this.raw, this.keyOff(i) + 9); }
  cmp(i: i32, o: u64, t: u32, off: u64): i32 {
    return keyCmp(this.objectid(i), this.type(i), this.offset(i), o, t, off);
  }
  /** leaf: data of item i (bounds checked when the node was read) */
  dataOff(i: i32): i32 { return HEADER_SIZE + <i32>u32le(this.raw, this.keyOff(i) + 17); }
  dataSize(i: i32): i32 { return <i32>u32le(this.raw, this.keyOff(i) + 21); }
  data(i: i32): Uint8Array { const o = this.dataOff(i); return this.raw.slice(o, o + this.dataSize(i)); }
  /** internal: child pointer i */
  child(i: i32): u64 { return u64le(this.raw, this.keyOff(i) + 17); }
}

class Range {
  constructor(public lo: Key, public hi: Key, public max: i32) {}
}

export class TreeReader {
  private cache: Map<u64, Node> = new Map<u64, Node>();
  private order: u64[] = [];
  private cacheMax: i32;
  private visits: i32 = 0;
  /** nodes read and verified (for describe()) */
  nodesRead: i32 = 0;

  constructor(public chunks: ChunkMap, public sb: Superblock, public where: string) {
    this.cacheMax = max(16, NODE_CACHE_BYTES / <i32>sb.nodeSize);
  }

  /** Reads and verifies the node at `bytenr`, which must sit at `level` (-1: any). */
  readNode(bytenr: u64, level: i32, what: string): Node | null {
    if (this.cache.has(bytenr)) {
      const n = this.cache.get(bytenr);
      if (level >= 0 && n.level != level) return this.badLevel(bytenr, n.level, level, what);
      return n;
    }
    const ns = <i32>this.sb.nodeSize;
    const w = this.where + ": " + what + " node at " + hex64(bytenr);
    if ((bytenr & <u64>(this.sb.sectorSize - 1)) != 0 || bytenr == 0) {
      corrupt("btrfs.node.align", w + " is not aligned to the sector size");
      return null;
    }
    const b = this.chunks.read(bytenr, ns);
    if (b === null) return null;
    if (this.sb.csumType == CSUM_CRC32C) {
      const want = u32le(b, 0);
      const got = ~crc32cUpdate(0xffffffff, b, CSUM_SIZE, ns - CSUM_SIZE);
      if (want != got) {
        corrupt("btrfs.node.csum", w + ": checksum mismatch (stored 0x" + want.toString(16) + ", computed 0x" + got.toString(16) + ")");
        return null;
      }
    }
    for (let i = 0; i < 16; i++) {
      if (b[0x20 + i] != this.sb.metadataUuid[i]) {
        corrupt("btrfs.node.fsid", w + " belongs to another filesystem (fsid differs)");
        return null;
      }
    }
    const self = u64le(b, 0x30);
    if (self != bytenr) {
      corrupt("btrfs.node.bytenr", w + " says it is at " + hex64(self));
      return null;
    }
    const lvl = <i32>u8at(b, 0x64);
    const n = <i32>u32le(b, 0x60);
    if (lvl >= MAX_LEVEL) {
      corrupt("btrfs.node.level", w + " has level " + lvl.toString() + " (at most 7)");
      return null;
    }
    if (level >= 0 && lvl != level) return this.badLevel(bytenr, lvl, level, what);
    const node = new Node(b, bytenr, lvl, n, u64le(b, 0x58));
    const itemSize = lvl == 0 ? ITEM_SIZE : KEY_PTR_SIZE;
    if (n < 0 || HEADER_SIZE + n * itemSize > ns || (lvl > 0 && n == 0)) {
      corrupt("btrfs.node.nritems", w + " claims " + (n < 0 ? "more than 2^31" : n.toString()) + " items, which do not fit (" +
        ns.toString() + "-byte nodes)");
      return null;
    }
    const itemsEnd = HEADER_SIZE + n * itemSize;
    for (let i = 0; i < n; i++) {
      if (i > 0 && node.cmp(i - 1, node.objectid(i), node.type(i), node.offset(i)) >= 0) {
        corrupt("btrfs.node.key-order", w + ": key " + i.toString() + " " + keyAt(b, HEADER_SIZE + i * itemSize).toString() +
          " does not follow key " + (i - 1).toString() + " in ascending order");
        return null;
      }
      if (lvl == 0) {
        const o = node.dataOff(i), sz = node.dataSize(i);
        if (o < itemsEnd || sz < 0 || o + sz > ns || o + sz < o) {
          corrupt("btrfs.leaf.item", w + ": item " + i.toString() + " data (" + (o - HEADER_SIZE).toString() + "+" +
            sz.toString() + ") lies outside the leaf's data area");
          return null;
        }
      }
    }
    this.nodesRead++;
    if (this.order.length >= this.cacheMax) this.cache.delete(this.order.shift());
    this.cache.set(bytenr, node);
    this.order.push(bytenr);
    return node;
  }

  private badLevel(bytenr: u64, got: i32, want: i32, what: string): Node | null {
    corrupt("btrfs.node.level", this.where + ": " + what + " node at " + hex64(bytenr) + " has level " + got.toString() +
      ", expected " + want.toString() + " (a pointer loop or a misdirected pointer)");
    return null;
  }

  /**
   * Every item with lo <= key <= hi in the tree rooted at (root, level), in
   * key order, at most `max` (more → a limit error unless stopEarly). False with the error set.
   */
  collect(root: u64, level: i32, lo: Key, hi: Key, max: i32, out: Item[], what: string, stopEarly: bool = false): bool {
    this.visits = 0;
    const r = new Range(lo, hi, max);
    const res = this.walk(root, level, r, out, what, stopEarly, null, null);
    return res >= 0;
  }

  /** First item with key >= k (and <= hi), or null (error set when the walk failed). */
  first(root: u64, level: i32, k: Key, hi: Key, what: string): Item | null {
    const out: Item[] = [];
    if (!this.collect(root, level, k, hi, 1, out, what, true)) return null;
    return out.length > 0 ? out[0] : null;
  }

  /** Exact item with key k, or null (error set when the walk failed). */
  exact(root: u64, level: i32, k: Key, what: string): Item | null {
    return this.first(root, level, k, k, what);
  }

  // returns 1 when done (max reached, stopEarly), 0 to go on, -1 on error
  private walk(bytenr: u64, level: i32, r: Range, out: Item[], what: string, stopEarly: bool,
               parentLo: Key | null, parentHi: Key | null): i32 {
    if (++this.visits > MAX_VISITS) {
      limit("btrfs.tree.visits", this.where + ": " + what + " search visited more than " + MAX_VISITS.toString() + " nodes");
      return -1;
    }
    const node = this.readNode(bytenr, level, what);
    if (node === null) return -1;
    const n = node.nritems;
    // the node's keys must lie within what its parent's pointer promised
    if (n > 0 && parentLo !== null && node.cmp(0, parentLo.objectid, parentLo.type, parentLo.offset) < 0) {
      corrupt("btrfs.node.key-order", this.where + ": " + what + " node at " + hex64(bytenr) + " starts with a key below its parent's pointer key " +
        parentLo.toString());
      return -1;
    }
    if (n > 0 && parentHi !== null && node.cmp(n - 1, parentHi.objectid, parentHi.type, parentHi.offset) >= 0) {
      corrupt("btrfs.node.key-order", this.where + ": " + what + " node at " + hex64(bytenr) + " ends with a key at or above the next pointer key " +
        parentHi.toString());
      return -1;
    }
    const lo = r.lo, hi = r.hi;
    if (node.isLeaf) {
      // binary search for the first key >= lo
      let a = 0, b = n;
      while (a < b) {
        const m = (a + b) >>> 1;
        if (node.cmp(m, lo.objectid, lo.type, lo.offset) < 0) a = m + 1; else b = m;
      }
      for (let i = a; i < n; i++) {
        if (node.cmp(i, hi.objectid, hi.type, hi.offset) > 0) return 1;
        if (out.length >= r.max) {
          if (stopEarly) return 1;
          limit("btrfs.tree.items", this.where + ": " + what + ": more than " + r.max.toString() + " items in one range");
          return -1;
        }
        out.push(new Item(node.objectid(i), node.type(i), node.offset(i), node.data(i)));
      }
      return 0;
    }
    // the last child whose first key <= lo, then onwards while keys <= hi
    let a = 0, b = n;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (node.cmp(m, lo.objectid, lo.type, lo.offset) <= 0) a = m + 1; else b = m;
    }
    let start = a > 0 ? a - 1 : 0;
    for (let i = start; i < n; i++) {
      if (i > start && node.cmp(i, hi.objectid, hi.type, hi.offset) > 0) return 1;
      const cLo = new Key(node.objectid(i), node.type(i), node.offset(i));
      const cHi = i + 1 < n ? new Key(node.objectid(i + 1), node.type(i + 1), node.offset(i + 1)) : parentHi;
      const res = this.walk(node.child(i), level - 1, r, out, what, stopEarly, cLo, cHi);
      if (res != 0) return res;
    }
    return 0;
  }
}
