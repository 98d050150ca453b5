// SPDX-License-Identifier: Apache-2.0
// Which partition table a disk carries: GPT (behind its protective MBR), MBR, or
// none (a bare filesystem, whose boot sector may also end in 55AA).

import { Device } from "../io/device";
import { Partition, PartitionTable } from "./partition";
import { classifySectorZero, readMbr, SectorZero, MBR_SECTOR_SIZE } from "./mbr";
import { readGpt, hasGptSignature } from "./gpt";

/** Sector 0 plus LBA 1 for every logical sector size up to 4 KiB, in one read. */
const HEAD_LEN: u64 = 8192;

/** The disk's partition table, or null with no error when there is none, or null with the error set when it is broken. */
export function readPartitionTable(dev: Device): PartitionTable | null {
  if (dev.size < <u64>MBR_SECTOR_SIZE) return null;
  const head = dev.read(0, <i32>min(dev.size, HEAD_LEN));
  if (head === null) return null;
  const kind = classifySectorZero(head);
  let t: PartitionTable | null = null;
  if (kind == SectorZero.Protective) {
    t = readGpt(dev, head);
  } else if (kind == SectorZero.Mbr) {
    t = readMbr(dev, head);
    if (t !== null && hasGptSignature(head, 512)) {
      t.notes.push("a GPT header at LBA 1 is ignored: the MBR has no protective (0xEE) entry");
    }
  }
  if (t !== null) noteOverlaps(t);
  return t;
}

/** Partitions that share sectors (extended containers aside, which hold their logicals by design). */
function noteOverlaps(t: PartitionTable): void {
  const parts: Partition[] = [];
  for (let i = 0; i < t.partitions.length; i++) {
    const p = t.partitions[i];
    if (!p.isExtended && p.size > 0) parts.push(p);
  }
  parts.sort((a: Partition, b: Partition): i32 => (a.start < b.start ? -1 : (a.start > b.start ? 1 : 0)));
  // after sorting by start, an overlap always shows between a partition and the furthest-reaching one before it
  let reach: Partition | null = null;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (reach !== null && p.start < reach.start + reach.size) {
      t.notes.push("partitions " + reach.number.toString() + " and " + p.number.toString() + " overlap");
    }
    if (reach === null || p.start + p.size > reach.start + reach.size) reach = p;
  }
}
