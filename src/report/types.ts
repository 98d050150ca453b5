// SPDX-License-Identifier: Apache-2.0
// The report contract (issue 2): what `guestcheck --json` prints and what the
// <image-check> element receives. Later capabilities add fields, never rename.

export type Status = 'pass' | 'warn' | 'fail' | 'info' | 'error';
export type RiskLevel = 'High' | 'Medium' | null;

export interface Evidence {
  /** guest path ("/etc/os-release"), or a structure ("partition table", "volume p2") */
  path: string;
  /** 1-based line number when the evidence is a line of a text file */
  line?: number;
  text: string;
}

export interface Finding {
  /** "GUESTOS.OSVersion" */
  id: string;
  /** "OSVersion" — DetectionOptions Item Name */
  name: string;
  status: Status;
  value: string;
  riskLevel: RiskLevel;
  /** Alibaba's Item.Reason form, e.g. "Virtio.NotInInitramfs"; "" when not at risk */
  riskCode: string;
  evidence: Evidence[];
  /** what to do, "" when nothing is needed */
  solution: string;
}

export interface VolumeInfo {
  /** "disk" (no partition table), "p1", "p5", ... */
  id: string;
  start: number;
  size: number;
  /** partition type ("0x83" or a GPT type GUID), "" for a whole disk */
  type: string;
  typeName: string;
  /** filesystem type as blkid names it, "" when unknown */
  fs: string;
  uuid: string;
  label: string;
  partuuid: string;
  partlabel: string;
  /** where the guest mounts it ("/", "/boot/efi"), "" if not mounted */
  mountedAt: string;
  /** why the filesystem could not be read, when it could not */
  error?: string;
  /** an LVM2 logical volume (id "VG/LV"): how the guest names and lays it out */
  lvm?: LvmVolumeInfo;
}

export interface LvmVolumeInfo {
  vg: string;
  lv: string;
  /** "linear", "striped", or the unsupported segment type ("thin", "raid1", ...) */
  layout: string;
  stripes: number;
  /** /dev/mapper/VG-LV with "-" doubled inside the names, and /dev/VG/LV */
  mapperPath: string;
  vgPath: string;
}

export interface ImageInfo {
  files: string[];
  format: string;
  virtualSize: number;
  partitionTable: 'gpt' | 'mbr' | 'none';
  /** remarks about the layout (e.g. the backup GPT header was used) */
  notes: string[];
  /** a partition table was found but could not be read (then no volumes are listed) */
  tableError?: string;
  volumes: VolumeInfo[];
}

export interface Stats {
  bytesRead: number;
  readCalls: number;
  elapsedMs: number;
  peakWasmBytes: number;
}

export interface DetectionItem {
  Name: string;
  Value: string;
  RiskCode: string;
  RiskLevel: string;
}

export interface Report {
  tool: { name: 'guestcheck'; version: string };
  image: ImageInfo;
  platform: 'Linux' | 'Windows' | null;
  DetectionOptions: { Status: 'Finished'; Items: { Item: DetectionItem[] } };
  Tags: { TagKey: string; TagValue: string }[];
  findings: Finding[];
  stats: Stats;
  /** set when the image could not be read at all; findings are then empty */
  error?: { code: string; message: string };
}

export type Phase = 'opening' | 'partitions' | 'filesystems' | 'mounting' | 'checking' | 'done';

export interface Progress {
  phase: Phase;
  bytesRead: number;
  readCalls: number;
}
