// SPDX-License-Identifier: Apache-2.0
// The 32-byte short directory entry (fatgen103 §6): an 8.3 name, attributes,
// first cluster, size and DOS timestamps; byte 12 carries Windows NT's
// lower-case flags for the base and the extension.

import { u8at, u16le, u32le } from "../../util/bytes";
import { cp437 } from "./code-page";

export const DIR_ENTRY_SIZE: i32 = 32;
export const ATTR_READ_ONLY: u32 = 0x01;
export const ATTR_HIDDEN: u32 = 0x02;
export const ATTR_SYSTEM: u32 = 0x04;
export const ATTR_VOLUME_ID: u32 = 0x08;
export const ATTR_DIRECTORY: u32 = 0x10;
export const ATTR_ARCHIVE: u32 = 0x20;
export const ATTR_LONG_NAME: u32 = 0x0f;
/** DIR_Name[0] values */
export const ENTRY_END: u32 = 0x00;
export const ENTRY_FREE: u32 = 0xe5;
export const ENTRY_KANJI_E5: u32 = 0x05;
/** DIR_NTRes bits (Windows NT, honoured by Linux vfat) */
const NT_LOWER_BASE: u32 = 0x08;
const NT_LOWER_EXT: u32 = 0x10;

export class ShortEntry {
  /** the name as shown: 8.3 with NT lower-case flags applied */
  name: string = "";
  attr: u32 = 0;
  firstCluster: u32 = 0;
  size: u32 = 0;
  /** seconds since the epoch (timestamps are local time; read as UTC) */
  mtime: i64 = 0;
  /** the raw 11 name bytes' LFN checksum */
  checksum: u32 = 0;

  get isDir(): bool { return (this.attr & ATTR_DIRECTORY) != 0; }
  get isDotEntry(): bool { return this.name == "." || this.name == ".."; }
}

/** The LFN checksum of the 11 raw name bytes at b[off] (fatgen103 §7). */
export function shortNameChecksum(b: Uint8Array, off: i32): u32 {
  let sum: u32 = 0;
  for (let i = 0; i < 11; i++) {
    sum = (((sum & 1) << 7) + (sum >> 1) + u8at(b, off + i)) & 0xff;
  }
  return sum;
}

function namePart(b: Uint8Array, off: i32, len: i32, lower: bool, first: bool): string {
  let end = off + len;
  while (end > off && u8at(b, end - 1) == 0x20) end--;
  let s = "";
  for (let i = off; i < end; i++) {
    let c = u8at(b, i);
    if (first && i == off && c == ENTRY_KANJI_E5) c = 0xe5;
    if (lower && c >= 0x41 && c <= 0x5a) c += 0x20;
    s += cp437(c);
  }
  return s;
}

/** Seconds since the epoch for a DOS date and time (0 for a zero date). */
export function dosTime(date: u32, time: u32): i64 {
  if (date == 0) return 0;
  const day = <i64>(date & 0x1f);
  const month = <i64>((date >> 5) & 0xf);
  const year = <i64>((date >> 9) & 0x7f) + 1980;
  const sec = <i64>((time & 0x1f) * 2);
  const min = <i64>((time >> 5) & 0x3f);
  const hour = <i64>((time >> 11) & 0x1f);
  return daysFromCivil(year, month < 1 ? 1 : (month > 12 ? 12 : month), day < 1 ? 1 : day) * 86400 +
    hour * 3600 + min * 60 + sec;
}

/** Days since 1970-01-01 of a proleptic Gregorian date. */
function daysFromCivil(y: i64, m: i64, d: i64): i64 {
  if (m <= 2) y -= 1;
  const era = (y >= 0 ? y : y - 399) / 400;
  const yoe = y - era * 400;
  const mp = (m + 9) % 12;
  const doy = (153 * mp + 2) / 5 + d - 1;
  const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/** Parses the short entry at b[off]; the caller has ruled out free, end and LFN entries. */
export function parseShortEntry(b: Uint8Array, off: i32, fat32: bool): ShortEntry {
  const DIR_Name = off;
  const DIR_Attr = u8at(b, off + 11);
  const DIR_NTRes = u8at(b, off + 12);
  const DIR_FstClusHI = u16le(b, off + 20);
  const DIR_WrtTime = u16le(b, off + 22);
  const DIR_WrtDate = u16le(b, off + 24);
  const DIR_FstClusLO = u16le(b, off + 26);
  const DIR_FileSize = u32le(b, off + 28);
  const e = new ShortEntry();
  const base = namePart(b, DIR_Name, 8, (DIR_NTRes & NT_LOWER_BASE) != 0, true);
  const ext = namePart(b, DIR_Name + 8, 3, (DIR_NTRes & NT_LOWER_EXT) != 0, false);
  e.name = ext.length > 0 ? base + "." + ext : base;
  e.attr = DIR_Attr;
  // FAT12/16 have no high word; some tools leave junk there (OS/2 EA handles)
  e.firstCluster = (fat32 ? DIR_FstClusHI << 16 : 0) | DIR_FstClusLO;
  e.size = DIR_FileSize;
  e.mtime = dosTime(DIR_WrtDate, DIR_WrtTime);
  e.checksum = shortNameChecksum(b, DIR_Name);
  return e;
}
