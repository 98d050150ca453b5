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

/**
 * A catalog message (src/report/messages/): the key and its parameters, so the
 * page and the Markdown report can say a finding's prose in the reader's
 * language. Parameters that are messages themselves are rendered in the same
 * language; a list of messages is joined as clauses ("; "), a `comma` list
 * as words (", "), an `items` list as separate pieces such as fstab lines.
 */
export interface Message {
  key: string;
  params?: Record<string, MessageParam>;
}
export type MessageParam = string | number | Message | Message[] | { comma: Message[] } | { items: Message[] };

/** The catalog messages behind a finding's English `value`, `solution` and `evidence[i].text`. */
export interface FindingMessages {
  value?: Message;
  solution?: Message;
  /** parallel to `evidence`: null where the text is the guest's own (a file line, a registry value) */
  evidence?: (Message | null)[];
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
  /** shell commands for the guest's family that make the fix, run inside the guest (the repair script gathers them) */
  command?: string;
  /** the same prose as catalog messages, for other languages (the strings above stay English) */
  messages?: FindingMessages;
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
  /** the engine's dotted code of that error ("xfs.inode.magic") */
  errorCode?: string;
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

/** A member of the archive an image was found in. */
export interface ArchiveMember {
  name: string;
  /** bytes of the member as stored */
  size: number;
  /** uncompressed bytes */
  uncompressedSize: number;
  /** "stored" or "deflate" */
  method: string;
}

/** The zip or OVA an image was found in (src/engine/locate.ts). */
export interface ArchiveInfo {
  format: 'zip' | 'ova';
  /** the members opened as the image's files, in order */
  disks: ArchiveMember[];
  /** every member's name */
  members: string[];
  /** the OVF descriptor of an OVA (its first 64 KiB) */
  ovf?: string;
}

export interface ImageInfo {
  files: string[];
  format: string;
  /** the compressor the image was read through ("gzip"), absent when not compressed */
  compression?: string;
  archive?: ArchiveInfo;
  virtualSize: number;
  partitionTable: 'gpt' | 'mbr' | 'none';
  /** remarks about the layout (e.g. the backup GPT header was used) */
  notes: string[];
  /** a partition table was found but could not be read (then no volumes are listed) */
  tableError?: string;
  volumes: VolumeInfo[];
  /** what the container itself is and means for the import (absent when the image could not be opened) */
  container?: ContainerInfo;
  /** the boot code of sector 0 (MBR, or GPT's protective MBR) is not all zeros */
  hasBootCode?: boolean;
  /** which loader wrote it ("GRUB", "SYSLINUX", "Windows", "LILO"), "" when absent or unknown */
  bootCode?: string;
}

/** Facts of the container file(s) around the virtual disk (issue 3). */
export interface ContainerInfo {
  /** "v3 (compat 1.1)", "dynamic", "streamOptimized", "fixed", ... ("" for raw) */
  subformat: string;
  /** the file the person opened: the one no other given file refers to */
  topFile: string;
  /** bytes of every file the disk is read from (extents and backing files included) */
  fileSize: number;
  /** bytes of the virtual disk the top image's own tables mark allocated; absent when not counted */
  allocatedSize?: number;
  /** cluster / grain / block size in bytes; absent for raw and fixed formats */
  clusterSize?: number;
  /** compression inside the container ("deflate", "zstd"), absent when none */
  compression?: string;
  /** backing files / parents below the top image, nearest first */
  backingChain: string[];
  /** every file the disk is read from, the top one first */
  files: string[];
  /** whether Alibaba Cloud ECS imports this file as it is, and what to do if not */
  cloudImport: { accepted: boolean; message: string; command?: string };
}

/** One /etc/fstab entry as the engine mounted it (guest JSON `mounts`). */
export interface MountInfo {
  line: number;
  spec: string;
  path: string;
  vfstype: string;
  options: string;
  /** "mounted" | "root" | "unresolved" | "no-reader" | "skipped" | "failed" */
  status: string;
  /** the volume id it resolved to, "" when none */
  volume: string;
  detail: string;
}

/** The repair the report offers; nothing is applied to the image. */
export interface Repair {
  /** a reviewable shell script for the guest's family (PowerShell, repair.ps1, for a Windows guest), "" when nothing needs fixing */
  script: string;
  /** the repairItems value of the ACS-ECS-RepairImage template */
  repairItems: string[];
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
  /** the repair script and ACS-ECS-RepairImage items for the failing findings */
  repair?: Repair;
  /** set when the image could not be read at all; findings are then empty */
  error?: { code: string; message: string };
}

export type Phase = 'opening' | 'decompressing' | 'partitions' | 'filesystems' | 'mounting' | 'checking' | 'done';

export interface Progress {
  phase: Phase;
  bytesRead: number;
  readCalls: number;
  /** bytes the phase will read in all (the compressed file while decompressing) */
  total?: number;
}
