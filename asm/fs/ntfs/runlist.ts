// SPDX-License-Identifier: Apache-2.0
// Runlists ("mapping pairs") of non-resident attributes: a header byte gives
// the sizes of a length and a signed, relative LCN field; no LCN field marks
// a sparse run (flatcap NTFS documentation, "Data Runs").

import { corrupt, limit } from "../../util/error";

/** LCN of a sparse run (reads as zeros). */
export const SPARSE: i64 = -1;
/** Runs one attribute may hold; a 4 GiB file fragmented into 4 KiB pieces has 2^20. */
export const MAX_RUNS: i32 = 1 << 21;
/** Highest VCN end accepted: 2^42 clusters of up to 2 MiB keep every byte offset inside 63 bits. */
const MAX_VCN: u64 = <u64>1 << 42;

export class Run {
  constructor(public vcn: u64, public len: u64, public lcn: i64) {}
}

/**
 * Decodes the mapping pairs at b[off, end) for VCNs [lowVcn, highVcn] and
 * appends them to `out`. Every run must lie inside the volume's clusters.
 */
export function decodeRuns(b: Uint8Array, off: i32, end: i32, lowVcn: u64, highVcn: u64, totalClusters: u64,
  out: Run[], where: string): bool {
  let vcn = lowVcn;
  let lcn: i64 = 0;
  let p = off;
  while (p < end) {
    const h = <i32>b[p];
    if (h == 0) break;
    const lenSize = h & 15;
    const lcnSize = h >> 4;
    if (lenSize == 0 || lenSize > 8 || lcnSize > 8 || p + 1 + lenSize + lcnSize > end) {
      corrupt("ntfs.runlist.header", where + ": runlist header byte 0x" + h.toString(16) + " at +" + (p - off).toString() + " is invalid or runs past the attribute");
      return false;
    }
    let len: u64 = 0;
    for (let i = lenSize - 1; i >= 0; i--) len = (len << 8) | <u64>b[p + 1 + i];
    if (len == 0 || len > MAX_VCN || vcn + len > MAX_VCN) {
      corrupt("ntfs.runlist.length", where + ": run of " + len.toString() + " clusters at VCN " + vcn.toString());
      return false;
    }
    if (lcnSize == 0) {
      out.push(new Run(vcn, len, SPARSE));
    } else {
      let delta: i64 = 0;
      for (let i = lcnSize - 1; i >= 0; i--) delta = (delta << 8) | <i64>b[p + 1 + lenSize + i];
      // sign-extend the top byte
      const sh = <i64>(64 - 8 * lcnSize);
      delta = (delta << sh) >> sh;
      lcn += delta;
      if (lcn < 0 || <u64>lcn > totalClusters || len > totalClusters - <u64>lcn) {
        corrupt("ntfs.runlist.range", where + ": run at VCN " + vcn.toString() + " (clusters " + lcn.toString() + "+" + len.toString() +
          ") lies outside the volume's " + totalClusters.toString() + " clusters");
        return false;
      }
      out.push(new Run(vcn, len, lcn));
    }
    if (out.length > MAX_RUNS) {
      limit("ntfs.runlist.runs", where + ": more than " + MAX_RUNS.toString() + " runs");
      return false;
    }
    vcn += len;
    p += 1 + lenSize + lcnSize;
  }
  // an empty attribute has highVcn = lowVcn - 1 (0xffff... for 0)
  if (vcn != highVcn + 1 && !(vcn == lowVcn && highVcn + 1 == lowVcn)) {
    corrupt("ntfs.runlist.span", where + ": runlist covers VCNs " + lowVcn.toString() + ".." + (vcn - 1).toString() +
      " but the attribute header says " + lowVcn.toString() + ".." + highVcn.toString());
    return false;
  }
  return true;
}

/** Index of the run holding `vcn` in runs sorted by VCN, or -1 (a hole past the runlist). */
export function findRun(runs: Run[], vcn: u64): i32 {
  let lo = 0;
  let hi = runs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const r = unchecked(runs[mid]);
    if (vcn < r.vcn) hi = mid - 1;
    else if (vcn >= r.vcn + r.len) lo = mid + 1;
    else return mid;
  }
  return -1;
}
