// SPDX-License-Identifier: Apache-2.0
// The File Allocation Table (fatgen103 §4): one 12-, 16- or 28-bit entry per
// cluster naming the next cluster of the chain, an end-of-chain mark, free (0)
// or bad. Read on demand, a 4 KiB window at a time: a check follows a few
// short chains (directories, a boot loader, a BCD hive), so reading the whole
// FAT (hundreds of KiB on an ESP) would cost more than everything else on it.
// A chain walked through consecutive windows reads them as a stream, which the
// page cache turns into larger host reads. Chains are walked with cycle detection.

import { Device } from "../../io/device";
import { FatGeometry } from "./boot-sector";
import { corrupt, limit } from "../../util/error";
import { u16le, u32le } from "../../util/bytes";

/** Bytes of FAT per window; windows kept at most (256 KiB in all). */
const WINDOW: i32 = 4096;
const MAX_WINDOWS: i32 = 64;
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
  private windows: Map<u32, Uint8Array> = new Map();
  private windowOrder: u32[] = [];
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

  /** Windows of the active FAT read so far (for tests: the FAT is read on demand). */
  get windowsRead(): i32 { return this.windows.size; }

  /**
   * The window holding FAT byte `byteOff`; null with the error set. A window
   * carries one byte past its end, so a 12-bit entry that straddles two
   * windows is read whole from the first.
   */
  private windowFor(byteOff: u64): Uint8Array | null {
    const idx = <u32>(byteOff / <u64>WINDOW);
    if (this.windows.has(idx)) return this.windows.get(idx);
    const start = <u64>idx * <u64>WINDOW;
    const len = <i32>min(<u64>(WINDOW + 1), this.bytes - start);
    const w = this.dev.read(this.fatStart + start, len);
    if (w === null) return null;
    if (this.windowOrder.length >= MAX_WINDOWS) {
      const old = this.windowOrder.shift();
      this.windows.delete(old);
    }
    this.windows.set(idx, w);
    this.windowOrder.push(idx);
    return w;
  }

  /** The FAT entry of cluster `c` (0 .. clusterCount+1), or READ_FAILED. */
  entry(c: u32): u32 {
    const bits = this.g.fatBits;
    const off: u64 = bits == 32 ? <u64>c * 4 : (bits == 16 ? <u64>c * 2 : <u64>c + <u64>(c >> 1));
    const b = this.windowFor(off);
    if (b === null) return READ_FAILED;
    const at = <i32>(off % <u64>WINDOW);
    if (bits == 32) return u32le(b, at) & 0x0fffffff;
    if (bits == 16) return u16le(b, at);
    const v = u16le(b, at);
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
