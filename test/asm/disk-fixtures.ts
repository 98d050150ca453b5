// SPDX-License-Identifier: Apache-2.0
// Shared by the MBR, GPT and FAT tests: fixture loading, the corpus folder,
// CRC-32 for re-sealing edited GPT headers, and the FAT geometry read from a
// boot sector's named BPB offsets (fatgen103 §3) so that tests can find the
// one field they overwrite.
import { readFileSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const CORPUS = process.env.GUESTCHECK_CORPUS
  ? process.env.GUESTCHECK_CORPUS.replace(/\/?$/, '/')
  : fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));

/** A committed fixture, decompressed (a fresh copy each call: tests may edit it). */
export function fixture(rel: string): Uint8Array {
  const raw = readFileSync(FIXTURES + rel);
  return new Uint8Array(rel.endsWith('.gz') ? gunzipSync(raw) : raw);
}

/** A corpus file read in place, or null when the corpus folder is absent. */
export function corpus(rel: string): Uint8Array | null {
  const p = CORPUS + rel;
  if (!existsSync(p)) return null;
  return new Uint8Array(readFileSync(p));
}

export const corpusPresent = existsSync(CORPUS + 'dissect.volume') && existsSync(CORPUS + 'dissect.fat');
export const CORPUS_ABSENT = `corpus folder ${CORPUS} is absent: corpus tests skipped`;

export function hasTool(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

export function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** The fixture recipes' pattern: byte i = (i*7+3) % 251. */
export function pattern(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + 3) % 251;
  return b;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

// ---- GPT header fields (UEFI spec table 5-5), relative to the header's LBA

export const GPT = {
  HeaderSize: 12,
  HeaderCRC32: 16,
  MyLBA: 24,
  AlternateLBA: 32,
  PartitionEntryLBA: 72,
  NumberOfPartitionEntries: 80,
  SizeOfPartitionEntry: 84,
  PartitionEntryArrayCRC32: 88,
} as const;

/** Recomputes the header CRC of the GPT header at byte offset `at`. */
export function resealGptHeader(img: Uint8Array, at: number): void {
  const v = dv(img);
  const size = v.getUint32(at + GPT.HeaderSize, true);
  v.setUint32(at + GPT.HeaderCRC32, 0, true);
  v.setUint32(at + GPT.HeaderCRC32, crc32(img.subarray(at, at + size)), true);
}

/** Recomputes the entry-array CRC in the header at `at`, then the header's own CRC. */
export function resealGptEntries(img: Uint8Array, at: number, sectorSize: number): void {
  const v = dv(img);
  const lba = Number(v.getBigUint64(at + GPT.PartitionEntryLBA, true));
  const n = v.getUint32(at + GPT.NumberOfPartitionEntries, true);
  const size = v.getUint32(at + GPT.SizeOfPartitionEntry, true);
  const arr = img.subarray(lba * sectorSize, lba * sectorSize + n * size);
  v.setUint32(at + GPT.PartitionEntryArrayCRC32, crc32(arr), true);
  resealGptHeader(img, at);
}

// ---- FAT boot sector (fatgen103 §3.1-3.3)

export interface FatGeom {
  bytesPerSector: number;
  sectorsPerCluster: number;
  reservedSectors: number;
  numFats: number;
  fatBytes: number;
  fatBits: 12 | 16 | 32;
  rootDirOffset: number;
  dataOffset: number;
  clusterSize: number;
}

export function fatGeom(img: Uint8Array): FatGeom {
  const v = dv(img);
  const BPB_BytsPerSec = v.getUint16(11, true);
  const BPB_SecPerClus = img[13];
  const BPB_RsvdSecCnt = v.getUint16(14, true);
  const BPB_NumFATs = img[16];
  const BPB_RootEntCnt = v.getUint16(17, true);
  const BPB_TotSec16 = v.getUint16(19, true);
  const BPB_FATSz16 = v.getUint16(22, true);
  const BPB_TotSec32 = v.getUint32(32, true);
  const BPB_FATSz32 = v.getUint32(36, true);
  const fatSz = BPB_FATSz16 || BPB_FATSz32;
  const tot = BPB_TotSec16 || BPB_TotSec32;
  const rootDirSectors = Math.ceil((BPB_RootEntCnt * 32) / BPB_BytsPerSec);
  const dataSec = tot - (BPB_RsvdSecCnt + BPB_NumFATs * fatSz + rootDirSectors);
  const clusters = Math.floor(dataSec / BPB_SecPerClus);
  const fatBits = BPB_FATSz16 === 0 ? 32 : clusters < 4085 ? 12 : 16;
  const rootDirOffset = (BPB_RsvdSecCnt + BPB_NumFATs * fatSz) * BPB_BytsPerSec;
  return {
    bytesPerSector: BPB_BytsPerSec,
    sectorsPerCluster: BPB_SecPerClus,
    reservedSectors: BPB_RsvdSecCnt,
    numFats: BPB_NumFATs,
    fatBytes: fatSz * BPB_BytsPerSec,
    fatBits,
    rootDirOffset,
    dataOffset: rootDirOffset + rootDirSectors * BPB_BytsPerSec,
    clusterSize: BPB_BytsPerSec * BPB_SecPerClus,
  };
}

/** Sets FAT entry `cluster` to `value` in every FAT copy. */
export function setFatEntry(img: Uint8Array, g: FatGeom, cluster: number, value: number): void {
  const v = dv(img);
  for (let f = 0; f < g.numFats; f++) {
    const base = g.reservedSectors * g.bytesPerSector + f * g.fatBytes;
    if (g.fatBits === 32) {
      const old = v.getUint32(base + cluster * 4, true);
      v.setUint32(base + cluster * 4, ((old & 0xf0000000) | (value & 0x0fffffff)) >>> 0, true);
    } else if (g.fatBits === 16) {
      v.setUint16(base + cluster * 2, value, true);
    } else {
      const off = base + cluster + (cluster >> 1);
      const old = v.getUint16(off, true);
      const nv = cluster & 1 ? (old & 0x000f) | (value << 4) : (old & 0xf000) | (value & 0xfff);
      v.setUint16(off, nv, true);
    }
  }
}

export function getFatEntry(img: Uint8Array, g: FatGeom, cluster: number): number {
  const v = dv(img);
  const base = g.reservedSectors * g.bytesPerSector;
  if (g.fatBits === 32) return v.getUint32(base + cluster * 4, true) & 0x0fffffff;
  if (g.fatBits === 16) return v.getUint16(base + cluster * 2, true);
  const w = v.getUint16(base + cluster + (cluster >> 1), true);
  return cluster & 1 ? w >> 4 : w & 0xfff;
}

/** First cluster of the short directory entry at byte offset `node` (DIR_FstClusHI/LO). */
export function firstCluster(img: Uint8Array, node: number, g: FatGeom): number {
  const v = dv(img);
  const hi = g.fatBits === 32 ? v.getUint16(node + 20, true) : 0;
  return (hi << 16) | v.getUint16(node + 26, true);
}
