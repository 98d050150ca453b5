// SPDX-License-Identifier: Apache-2.0
// The MBR's boot code area (bytes 0..439, before the disk signature): present
// or not, and which boot loader wrote it, recognised by the messages each one
// carries (GRUB boot.img, SYSLINUX mbr.bin/gptmbr.bin, Microsoft's MBRs).

import { allZero } from "../util/bytes";

export const BOOT_CODE_LEN: i32 = 440;

/** True when the bytes `s` (ASCII) occur in b[0, end). */
function contains(b: Uint8Array, end: i32, s: string): bool {
  const n = s.length;
  const last = min(end, b.length) - n;
  for (let i = 0; i <= last; i++) {
    let j = 0;
    while (j < n && <i32>unchecked(b[i + j]) == s.charCodeAt(j)) j++;
    if (j == n) return true;
  }
  return false;
}

export function hasBootCode(sector: Uint8Array): bool {
  return !allZero(sector, 0, BOOT_CODE_LEN);
}

/** "GRUB", "SYSLINUX", "Windows", "LILO", or "" when absent or not recognised. */
export function bootCodeName(sector: Uint8Array): string {
  if (!hasBootCode(sector)) return "";
  const end = BOOT_CODE_LEN;
  // GRUB 2 boot.img and GRUB Legacy stage1 both end with these messages
  if (contains(sector, end, "GRUB ") &&
    (contains(sector, end, "Geom") || contains(sector, end, "Hard Disk") ||
      contains(sector, end, "Read") || contains(sector, end, " Error"))) return "GRUB";
  // SYSLINUX mbr.bin / gptmbr.bin / altmbr.bin, and isohybrid's isohdpfx
  if (contains(sector, end, "Operating system load error") ||
    contains(sector, end, "Multiple active partitions") ||
    contains(sector, end, "isolinux.bin missing")) return "SYSLINUX";
  // Microsoft MBRs from MS-DOS to Windows 11 carry these three messages
  if (contains(sector, end, "Invalid partition table") &&
    (contains(sector, end, "Missing operating system") || contains(sector, end, "Error loading operating system"))) return "Windows";
  if (contains(sector, end, "LILO")) return "LILO";
  return "";
}
