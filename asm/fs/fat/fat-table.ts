// SPDX-License-Identifier: Apache-2.0
// The File Allocation Table (fatgen103 §4): one 12-, 16- or 28-bit entry per
// cluster naming the next cluster of the chain, an end-of-chain mark, free (0)
// or bad. Read in large chunks, and chains walked with cycle detection.

import { Device } from "../../io/device";
import { FatGeometry } from "./boot-sector";
import { corrupt, limit } from "../../util/error";
import { u16le, u32le } from "../../util/bytes";

/** FATs up to this size are read whole, larger ones in chunks of CHUNK bytes. */
const WHOLE_FAT_MAX: u64 = 1 << 20;
const CHUNK: i32 = 256 << 10;
const MAX_CHUNKS: i32 = 32;
/** The value entry() returns when the FAT could not be read (the error is set). */
export const READ_FAILED: u32 = 0xffffffff;

/** Contiguous runs of clusters: a chain in the form reads want it. */
export class ClusterChain {
  runStart: u32[] = [];
  runLength: u32[] = [];
  /** clusters in all runs */
  clusters: u32 = 0;
  /** the chain ended with an end-of-chain mark (not cut at a length limit) */
  complete: bool = false;

  push(c: u32): void {
    const n = this.runStart.length;
    if (n > 0 && this.runStart[n - 1] + this.runLength[n - 1] == c) {
      this.runLength[n - 1] = this.runLength[n - 1] + 1;
    } else {
      this.runStart.push(c);
      this.runLength.push(1);
    }
    this.clusters++;
  }
}

export class FatTable {
  private whole: Uint8Array | null = null;
  private chunks: Map<u32, Uint8Array> = new Map();
  private chunkOrder: u32[] = [];
  private visited: Uint8Array | null = null;
  /** bytes of the FAT that map clusters 0 .. clusterCount+1 */
  private bytes: u64;
  private eocMin: u32;
  private bad: u32;

  constructor(private dev: Device, private g: FatGeometry) {
    this.bytes = (<u64>(g.clusterCount + 2) * <u64>g.fatBits + 7) / 8;
    this.eocMin = g.fatBits == 12 ? 0xff8 : (g.fatBits == 16 ? 0xfff8 : 0x0ffffff8);
    this.bad = this.eocMin - 1;
  }

  get fatStart(): u64 {
    return this.g.fatOffset + <u64>this.g.activeFat * <u64>this.g.fatSectors * <u64>this.g.bytesPerSector;
  }

  /** Bytes [off, off+n) of the active FAT, read whole or by chunk; null with the error set. */
  private chunkFor(byteOff: u64): Uint8Array | null {
    if (this.bytes <= WHOLE_FAT_MAX) {
      let w = this.whole;
      if (w === null) {
        w = this.dev.read(this.fatStart, <i32>this.bytes);
        if (w === null) return null;
        this.whole = w;
      }
      return w;
    }
    const idx = <u32>(byteOff / <u64>CHUNK);
    if (this.chunks.has(idx)) return this.chunks.get(idx);
    const start = <u64>idx * <u64>CHUNK;
    const len = <i32>min(<u64>CHUNK, this.bytes - start);
    const c = this.dev.read(this.fatStart + start, len);
    if (c === null) return null;
    if (this.chunkOrder.length >= MAX_CHUNKS) {
      const old = this.chunkOrder.shift();
      this.chunks.delete(old);
    }
    this.chunks.set(idx, c);
    this.chunkOrder.push(idx);
    return c;
  }

  /** The FAT entry of cluster `c` (0 .. clusterCount+1), or READ_FAILED. */
  entry(c: u32): u32 {
    const bits = this.g.fatBits;
    if (bits == 32) {
      const off = <u64>c * 4;
      const b = this.chunkFor(off);
      if (b === null) return READ_FAILED;
      const base = this.whole !== null ? off : off % <u64>CHUNK;
      return u32le(b, <i32>base) & 0x0fffffff;
    }
    // FAT12 and FAT16 tables are at most 6 KiB and 128 KiB: always read whole.
    const b = this.chunkFor(0);
    if (b === null) return READ_FAILED;
    if (bits == 16) return u16le(b, <i32>c * 2);
    const v = u16le(b, <i32>(c + (c >> 1)));
    return (c & 1) != 0 ? v >> 4 : v & 0xfff;
  }

  isEndOfChain(v: u32): bool { return v >= this.eocMin; }

  inRange(c: u32): bool { return c >= 2 && c <= this.g.clusterCount + 1; }

  /**
   * Follows the chain from `first` for at most `maxClusters` clusters (the
   * length the file's size needs), stopping early at the end-of-chain mark.
   * A chain that comes back to a cluster it holds is an error, whatever its length.
   * `what` names the chain's owner in messages.
   */
  walk(first: u32, maxClusters: u32, what: string): ClusterChain | null {
    const chain = new ClusterChain();
    if (!this.inRange(first)) {
      corrupt("fat.chain.out-of-range", what + ": first cluster " + first.toString() + " is outside 2.." +
        (this.g.clusterCount + 1).toString());
      return null;
    }
    let seen = this.visited;
    if (seen === null) {
      seen = new Uint8Array(<i32>((this.g.clusterCount + 2 + 7) >> 3));
      this.visited = seen;
    }
    let c = first;
    let ok = true;
    // The bound holds even for a FAT that never loops back: no chain is longer than the clusters there are.
    while (true) {
      const byte = <i32>(c >> 3), bit = <u8>(<u32>1 << (c & 7));
      if ((seen[byte] & bit) != 0) {
        corrupt("fat.chain.loop", what + ": the cluster chain from " + first.toString() + " comes back to cluster " +
          c.toString() + " after " + chain.clusters.toString() + " clusters");
        ok = false;
        break;
      }
      seen[byte] |= bit;
      chain.push(c);
      if (chain.clusters >= maxClusters) break;
      const next = this.entry(c);
      if (next == READ_FAILED) { ok = false; break; }
      if (this.isEndOfChain(next)) { chain.complete = true; break; }
      if (next == this.bad) {
        corrupt("fat.chain.bad-cluster", what + ": cluster " + c.toString() + " leads to a cluster marked bad");
        ok = false;
        break;
      }
      if (next == 0) {
        corrupt("fat.chain.free", what + ": cluster " + c.toString() + " leads to a free cluster (the chain is broken)");
        ok = false;
        break;
      }
      if (!this.inRange(next)) {
        corrupt("fat.chain.out-of-range", what + ": cluster " + c.toString() + " leads to cluster " + next.toString() +
          ", outside 2.." + (this.g.clusterCount + 1).toString());
        ok = false;
        break;
      }
      if (chain.clusters > this.g.clusterCount) {
        limit("fat.chain.too-long", what + ": cluster chain longer than the volume's " + this.g.clusterCount.toString() + " clusters");
        ok = false;
        break;
      }
      c = next;
    }
    // Clear only the bits this walk set: the bitmap is reused.
    for (let r = 0; r < chain.runStart.length; r++) {
      const s = chain.runStart[r], n = chain.runLength[r];
      for (let k: u32 = 0; k < n; k++) {
        const x = s + k;
        seen[<i32>(x >> 3)] &= <u8>~(<u32>1 << (x & 7));
      }
    }
    return ok ? chain : null;
  }
}
