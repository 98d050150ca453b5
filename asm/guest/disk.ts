// SPDX-License-Identifier: Apache-2.0
// The disk as the guest sees it: container → partition table → volumes, each
// probed for what it holds. Volumes are named as the report names them
// ("disk" when there is no partition table, else "p<N>" with Linux's numbers).

import { Device, SliceDevice } from "../io/device";
import { HostFile } from "../io/page-cache";
import { Container, openContainer } from "../container/detect";
import { openCompressed } from "../container/compressed";
import { readPartitionTable } from "../volume/detect";
import { Partition, PartitionTable } from "../volume/partition";
import { probe, ProbeResult } from "../fs/probe";
import { clearError, lastError, hasError } from "../util/error";

export class Volume {
  mountedAt: string = "";
  constructor(
    public index: i32,
    public id: string,
    public dev: Device,
    public start: u64,
    public part: Partition | null,
    public probe: ProbeResult,
  ) {}
}

export class Disk {
  table: PartitionTable | null = null;
  /** partition table present but unreadable */
  tableError: string = "";
  tableErrorCode: string = "";
  volumes: Volume[] = [];
  /** the compressor the image was read through ("gzip"), "" when none */
  compression: string = "";
  compressionNotes: string[] = [];
  constructor(public files: HostFile[], public container: Container) {}
  get dev(): Device { return this.container.disk; }
}

/** Opens file 0 as a disk; null with the error set when it cannot be read at all. */
export function openDisk(files: HostFile[]): Disk | null {
  const dc = openCompressed(files[0]);
  if (dc === null) return null;
  const c = openContainer(dc.dev);
  if (c === null) return null;
  const disk = new Disk(files, c);
  disk.compression = dc.compression;
  disk.compressionNotes = dc.notes;
  const dev = c.disk;
  clearError();
  const table = readPartitionTable(dev);
  if (table === null && hasError()) {
    const e = lastError()!;
    disk.tableError = e.message;
    disk.tableErrorCode = e.code;
    clearError();
  }
  disk.table = table;
  if (table !== null) {
    for (let i = 0; i < table.partitions.length; i++) {
      const p = table.partitions[i];
      if (p.isExtended) continue;
      const name = "partition " + p.number.toString();
      const slice = new SliceDevice(dev, p.start, p.size, name);
      disk.volumes.push(new Volume(disk.volumes.length, "p" + p.number.toString(), slice, p.start, p, probe(slice)));
    }
  } else if (disk.tableError.length == 0) {
    disk.volumes.push(new Volume(0, "disk", dev, 0, null, probe(dev)));
  }
  return disk;
}
