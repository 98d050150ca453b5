// SPDX-License-Identifier: Apache-2.0
// Names what a volume holds from its magic numbers (as blkid does), and opens
// it when a reader exists. Probing reads the first 68 KiB once: every magic
// checked here lies inside it, so detection costs one cached read.

import { Device } from "../io/device";
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

function fatLike(b: Uint8Array): bool {
  if (b.length < 512 || u16le(b, 510) != 0xaa55) return false;
  const bps = u16le(b, 11);
  const spc = <u32>b[13];
  if (bps != 512 && bps != 1024 && bps != 2048 && bps != 4096) return false;
  if (spc == 0 || (spc & (spc - 1)) != 0) return false;
  if (u16le(b, 14) == 0 || b[16] == 0) return false; // reserved sectors, FAT count
  return asciiAt(b, 54, "FAT") || asciiAt(b, 82, "FAT32") || asciiAt(b, 3, "MSDOS") || asciiAt(b, 3, "mkfs.fat") || asciiAt(b, 3, "MSWIN");
}

export function probe(dev: Device): ProbeResult {
  const r = new ProbeResult();
  const n = <i32>min(<u64>PROBE_LEN, dev.size);
  if (n < 512) { r.error = "too small to hold a filesystem"; return r; }
  const b = dev.read(0, n);
  if (b === null) { const e = lastError(); r.error = e !== null ? e.message : "read failed"; clearError(); return r; }

  const luks = probeLuks(b);
  const optical = probeOptical(dev, b);
  let opener: i32 = 0; // 1 ext, 2 fat, 3 ntfs, 4 xfs, 6 btrfs
  if (u16le(b, 1024 + 56) == 0xef53) {
    opener = 1;
    // named as blkid names it, even when the reader then refuses the volume
    r.type = extBlkidTypeAt(b, 1024);
  } else if (asciiAt(b, 0, "XFSB")) {
    opener = 4;
    r.type = "xfs"; r.uuid = uuidBE(b, 32); r.label = asciiz(b, 108, 12);
  } else if (asciiAt(b, 65536 + 64, "_BHRfS_M")) {
    opener = 6;
    r.type = "btrfs"; r.uuid = uuidBE(b, 65536 + 32); r.label = asciiz(b, 65536 + 0x12b, 256);
  } else if (asciiAt(b, 3, "NTFS    ")) {
    opener = 3;
    r.type = "ntfs";
  } else if (luks !== null) {
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
  if (opener != 0) {
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
  }
  return r;
}
