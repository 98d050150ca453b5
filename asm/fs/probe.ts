// SPDX-License-Identifier: Apache-2.0
// Names what a volume holds from its magic numbers (as blkid does), and opens
// it when a reader exists. Every magic checked here lies in the first 68 KiB,
// but most volumes are named by their first sectors, so the probe reads that
// window in stages, each only when the checks before it found nothing, and
// each only the 4 KiB blocks its checks look at:
//   [0,4K)     ext2/3/4 and XFS (opened at once), NTFS, FAT, LUKS1, LVM, squashfs, exFAT
//   [64K,68K)  btrfs (which comes before NTFS and the rest), reiserfs, LUKS2 at 64K
//   then, for a volume its first sector names (FAT, LUKS1, LVM, squashfs,
//   exFAT): [16K,20K) and [32K,36K), for LUKS2 and optical volumes, which
//   come before it; for any other: also [4K,8K) (MD RAID 1.2, bcache, the
//   8K-page swap signature), [12K,16K) and [28K,32K) and [60K,64K) (the
//   16K, 32K and 64K swap signatures), [32K,36K) (ISO 9660, UDF, JFS)
// and the whole 68 KiB only for an optical volume, whose descriptors run on.
// The bytes not read stay zero, and no check looks at them. An ext4 or XFS
// volume costs one 4 KiB read, NTFS two, FAT four (16 KiB), an empty
// partition six (28 KiB), where 68 KiB was rounded to 128 KiB of pages.

import { Device } from "../io/device";
import { setReadahead } from "../io/page-cache";
import { FileSystem } from "./filesystem";
import { openExt } from "./ext4/ext4";
import { openFat } from "./fat/fat";
import { openNtfs } from "./ntfs/ntfs";
import { openXfs } from "./xfs/xfs";
import { openBtrfs } from "./btrfs/btrfs";
import { probeSwap } from "./swap";
import { probeLuks } from "./luks";
import { probeOptical } from "./optical";
import { otherMagic } from "./magic";
import { extBlkidTypeAt } from "./ext4/superblock";
import { u16le, asciiz, asciiAt, uuidBE } from "../util/bytes";
import { clearError, lastError } from "../util/error";

export class ProbeResult {
  /** blkid-style type: "ext4", "vfat", "xfs", "swap", "crypto_LUKS", ... ("" unknown) */
  type: string = "";
  uuid: string = "";
  label: string = "";
  fs: FileSystem | null = null;
  /** why an identified filesystem could not be opened */
  error: string = "";
  errorCode: string = "";
  /** format version where the probe knows one (LUKS 1/2, swap header 1) */
  version: u32 = 0;
}

const PROBE_LEN: i32 = 68 * 1024;
const HEAD_LEN: i32 = 4 * 1024;
const VRS_START: i32 = 32768;

/** The first PROBE_LEN bytes of a volume, read in the stages the file comment lists. */
class ProbeWindow {
  readonly b: Uint8Array;
  constructor(private dev: Device, n: i32) { this.b = new Uint8Array(n); }

  /** Reads [start, end) of the window (clipped to it); false with the error set. */
  fill(start: i32, end: i32): bool {
    const n = this.b.length;
    const e = min(end, n);
    if (start >= e) return true;
    return this.dev.readInto(<u64>start, e - start, this.b.dataStart + <usize>start);
  }
}

function fatLike(b: Uint8Array): bool {
  if (b.length < 512 || u16le(b, 510) != 0xaa55) return false;
  const bps = u16le(b, 11);
  const spc = <u32>b[13];
  if (bps != 512 && bps != 1024 && bps != 2048 && bps != 4096) return false;
  if (spc == 0 || (spc & (spc - 1)) != 0) return false;
  if (u16le(b, 14) == 0 || b[16] == 0) return false; // reserved sectors, FAT count
  return asciiAt(b, 54, "FAT") || asciiAt(b, 82, "FAT32") || asciiAt(b, 3, "MSDOS") || asciiAt(b, 3, "mkfs.fat") || asciiAt(b, 3, "MSWIN");
}

/** Named by its first sector alone, once LUKS2 (16K, 32K) and optical (32K) volumes, which come first, are ruled out. */
function headNamed(b: Uint8Array): bool {
  return asciiAt(b, 0, "LUKS\xba\xbe") || asciiAt(b, 512, "LABELONE") || asciiAt(b, 0, "LABELONE") ||
    asciiAt(b, 0, "hsqs") || asciiAt(b, 3, "EXFAT   ") || fatLike(b);
}

/** The stages after [0,4K) (see the file comment); false with the error set. */
function fillRest(w: ProbeWindow, b: Uint8Array): bool {
  if (!w.fill(64 << 10, PROBE_LEN)) return false;
  if (asciiAt(b, 65536 + 64, "_BHRfS_M") || asciiAt(b, 3, "NTFS    ")) return true;
  if (headNamed(b)) {
    if (!w.fill(16 << 10, 20 << 10) || !w.fill(VRS_START, VRS_START + 4096)) return false;
  } else {
    if (!w.fill(4 << 10, 8 << 10) || !w.fill(12 << 10, 20 << 10) || !w.fill(28 << 10, VRS_START + 4096) ||
      !w.fill(60 << 10, 64 << 10)) return false;
  }
  // ISO 9660 and UDF volume descriptors follow each other past 32K: read them all.
  if (asciiAt(b, VRS_START + 1, "CD001") || asciiAt(b, VRS_START + 1, "BEA01")) return w.fill(VRS_START, PROBE_LEN);
  return true;
}

export function probe(dev: Device): ProbeResult {
  const r = new ProbeResult();
  const n = <i32>min(<u64>PROBE_LEN, dev.size);
  if (n < 512) { r.error = "too small to hold a filesystem"; return r; }
  const w = new ProbeWindow(dev, n);
  const b = w.b;
  if (!w.fill(0, HEAD_LEN)) return readFailed(r);

  let opener: i32 = 0; // 1 ext, 2 fat, 3 ntfs, 4 xfs, 6 btrfs
  if (u16le(b, 1024 + 56) == 0xef53) {
    opener = 1;
    // named as blkid names it, even when the reader then refuses the volume
    r.type = extBlkidTypeAt(b, 1024);
  } else if (asciiAt(b, 0, "XFSB")) {
    opener = 4;
    r.type = "xfs"; r.uuid = uuidBE(b, 32); r.label = asciiz(b, 108, 12);
  }
  if (opener != 0) return open(dev, r, opener);
  // Each stage's sectors stand alone: the page cache must not take them for a stream.
  const ra = setReadahead(false);
  const ok = fillRest(w, b);
  setReadahead(ra);
  if (!ok) return readFailed(r);
  if (asciiAt(b, 65536 + 64, "_BHRfS_M")) {
    opener = 6;
    r.type = "btrfs"; r.uuid = uuidBE(b, 65536 + 32); r.label = asciiz(b, 65536 + 0x12b, 256);
  } else if (asciiAt(b, 3, "NTFS    ")) {
    opener = 3;
    r.type = "ntfs";
  }
  if (opener != 0) return open(dev, r, opener);

  const luks = probeLuks(b);
  const optical = probeOptical(dev, b);
  if (luks !== null) {
    const l = luks;
    r.type = "crypto_LUKS"; r.uuid = l.uuid; r.label = l.label; r.version = l.version;
  } else if (asciiAt(b, 512, "LABELONE") || asciiAt(b, 0, "LABELONE")) {
    r.type = "LVM2_member";
  } else if (optical !== null) {
    const o = optical;
    r.type = o.type; r.uuid = o.uuid; r.label = o.label;
  } else if (asciiAt(b, 0, "hsqs")) {
    r.type = "squashfs";
  } else if (asciiAt(b, 3, "EXFAT   ")) {
    r.type = "exfat";
  } else if (fatLike(b)) {
    opener = 2;
    r.type = "vfat";
  } else {
    const sw = probeSwap(b);
    if (sw !== null) {
      r.type = sw.type; r.uuid = sw.uuid; r.label = sw.label; r.version = sw.version;
    } else {
      r.type = otherMagic(b);
    }
  }
  return opener != 0 ? open(dev, r, opener) : r;
}

function readFailed(r: ProbeResult): ProbeResult {
  const e = lastError();
  r.error = e !== null ? e.message : "read failed";
  clearError();
  return r;
}

/** Opens the volume with the reader `opener` names (1 ext, 2 fat, 3 ntfs, 4 xfs, 6 btrfs). */
function open(dev: Device, r: ProbeResult, opener: i32): ProbeResult {
  clearError();
  let fs: FileSystem | null = null;
  if (opener == 1) fs = openExt(dev);
  else if (opener == 2) fs = openFat(dev);
  else if (opener == 3) fs = openNtfs(dev);
  else if (opener == 4) fs = openXfs(dev);
  else if (opener == 6) fs = openBtrfs(dev);
  if (fs !== null) {
    r.fs = fs;
    r.type = fs.type;
    r.uuid = fs.uuid;
    r.label = fs.label;
  } else {
    const e = lastError();
    r.error = e !== null ? e.message : "could not open";
    r.errorCode = e !== null ? e.code : "";
    clearError();
  }
  return r;
}
