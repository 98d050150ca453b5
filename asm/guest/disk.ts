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
import { LogicalVolume, VolumeGroup, PvCandidate, LvDevice, assembleVolumeGroups, dashUuid } from "../volume/lvm/lvm";

export class Volume {
  mountedAt: string = "";
  /** the LVM2 logical volume this volume is (part is then null) */
  lv: LogicalVolume | null = null;
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
  /** LVM2 volume groups whose physical volumes are on this disk */
  vgs: VolumeGroup[] = [];
  constructor(public files: HostFile[], public container: Container) {}
  get dev(): Device { return this.container.disk; }
}

/** Opens the files as one disk (the top image and what it refers to); null with the error set when it cannot be read at all. */
export function openDisk(files: HostFile[]): Disk | null {
  // A compressed first file (.qcow2.gz) is read through its decompressing device.
  const dc = openCompressed(files[0]);
  if (dc === null) return null;
  const devs: Device[] = [dc.dev];
  for (let i = 1; i < files.length; i++) devs.push(files[i]);
  const c = openContainer(devs);
  if (c === null) return null;
  if (dc.dev !== files[0]) {
    // The container facts name the file the person gave, at its own size.
    if (c.topFile == dc.dev.name) c.topFile = files[0].name;
    for (let i = 0; i < c.fileNames.length; i++) if (c.fileNames[i] == dc.dev.name) c.fileNames[i] = files[0].name;
    c.fileSize = c.fileSize - dc.dev.size + files[0].size;
  }
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
  addLogicalVolumes(disk);
  return disk;
}

/**
 * Assembles the volume groups of the LVM2 physical volumes found, and adds
 * each visible logical volume as a volume named "VG/LV", probed like a partition.
 */
function addLogicalVolumes(disk: Disk): void {
  const cands: PvCandidate[] = [];
  for (let i = 0; i < disk.volumes.length; i++) {
    const v = disk.volumes[i];
    if (v.probe.type == "LVM2_member") cands.push(new PvCandidate(i, v.dev));
  }
  if (cands.length == 0) return;
  disk.vgs = assembleVolumeGroups(cands);
  for (let i = 0; i < cands.length; i++) {
    const c = cands[i];
    const v = disk.volumes[c.volIndex];
    const l = c.label;
    if (l !== null) v.probe.uuid = dashUuid(l.uuid);
    if (c.error.length > 0) { v.probe.error = c.error; v.probe.errorCode = c.errorCode; }
  }
  for (let g = 0; g < disk.vgs.length; g++) {
    const vg = disk.vgs[g];
    for (let k = 0; k < vg.lvs.length; k++) {
      const lv = vg.lvs[k];
      if (!lv.visible) continue; // pieces of another LV (thin pool data, raid images, ...)
      const dev = new LvDevice(lv);
      let pr: ProbeResult;
      if (lv.error.length > 0) {
        pr = new ProbeResult();
        pr.error = lv.error;
        pr.errorCode = lv.errorCode;
      } else {
        clearError();
        pr = probe(dev);
      }
      const vol = new Volume(disk.volumes.length, lv.vg + "/" + lv.name, dev, 0, null, pr);
      vol.lv = lv;
      disk.volumes.push(vol);
    }
  }
  clearError();
}
