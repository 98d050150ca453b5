// SPDX-License-Identifier: Apache-2.0
// MBR partition type bytes and the names fdisk (util-linux) shows for them.

export const MBR_TYPE_EMPTY: u32 = 0x00;
export const MBR_TYPE_EXTENDED_CHS: u32 = 0x05;
export const MBR_TYPE_EXTENDED_LBA: u32 = 0x0f;
export const MBR_TYPE_LINUX_EXTENDED: u32 = 0x85;
export const MBR_TYPE_GPT_PROTECTIVE: u32 = 0xee;

export function isExtendedType(t: u32): bool {
  return t == MBR_TYPE_EXTENDED_CHS || t == MBR_TYPE_EXTENDED_LBA || t == MBR_TYPE_LINUX_EXTENDED;
}

export function mbrTypeName(t: u32): string {
  switch (t) {
    case 0x01: return "FAT12";
    case 0x04: return "FAT16 <32M";
    case 0x05: return "Extended";
    case 0x06: return "FAT16";
    case 0x07: return "HPFS/NTFS/exFAT";
    case 0x0b: return "W95 FAT32";
    case 0x0c: return "W95 FAT32 (LBA)";
    case 0x0e: return "W95 FAT16 (LBA)";
    case 0x0f: return "W95 Ext'd (LBA)";
    case 0x11: return "Hidden FAT12";
    case 0x12: return "Compaq diagnostics";
    case 0x14: return "Hidden FAT16 <32M";
    case 0x16: return "Hidden FAT16";
    case 0x17: return "Hidden HPFS/NTFS";
    case 0x1b: return "Hidden W95 FAT32";
    case 0x1c: return "Hidden W95 FAT32 (LBA)";
    case 0x1e: return "Hidden W95 FAT16 (LBA)";
    case 0x27: return "Hidden NTFS WinRE";
    case 0x42: return "SFS";
    case 0x82: return "Linux swap / Solaris";
    case 0x83: return "Linux";
    case 0x85: return "Linux extended";
    case 0x8e: return "Linux LVM";
    case 0xa5: return "FreeBSD";
    case 0xa6: return "OpenBSD";
    case 0xa8: return "Darwin UFS";
    case 0xa9: return "NetBSD";
    case 0xaf: return "HFS / HFS+";
    case 0xbe: return "Solaris boot";
    case 0xbf: return "Solaris";
    case 0xde: return "Dell Utility";
    case 0xee: return "GPT";
    case 0xef: return "EFI (FAT-12/16/32)";
    case 0xfb: return "VMware VMFS";
    case 0xfc: return "VMware VMKCORE";
    case 0xfd: return "Linux raid autodetect";
    default: return "";
  }
}
