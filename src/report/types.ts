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

export type Phase = 'opening' | 'decompressing' | 'partitions' | 'filesystems' | 'mounting' | 'checking' | 'done';

export interface Progress {
  phase: Phase;
  bytesRead: number;
  readCalls: number;
  /** bytes the phase will read in all (the compressed file while decompressing) */
  total?: number;
}
