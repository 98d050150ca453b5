// SPDX-License-Identifier: Apache-2.0
// What a partition table yields, whatever its kind (MBR, GPT): partitions as
// Linux numbers and names them, so that fstab's PARTUUID= and /dev/sdXN resolve.

export class Partition {
  /** Linux partition number: 1-4 primary, 5+ logical (MBR); entry index + 1 (GPT) */
  number: i32 = 0;
  /** byte offset and length on the disk */
  start: u64 = 0;
  size: u64 = 0;
  /** "0x83" (MBR) or the lower-case type GUID (GPT) */
  type: string = "";
  /** "Linux filesystem", "EFI System", "Linux swap", "extended", ... */
  typeName: string = "";
  /** GPT unique partition GUID; MBR "<disk id hex>-<NN>" as blkid forms it */
  partuuid: string = "";
  /** GPT partition name (PARTLABEL) */
  partlabel: string = "";
  /** MBR active flag; GPT legacy BIOS bootable attribute */
  bootable: bool = false;
  /** MBR: "primary" | "logical"; GPT: "gpt" */
  scheme: string = "";
  /** MBR extended partition (0x05, 0x0F, 0x85): a container of logical partitions, not a volume */
  isExtended: bool = false;
  /** GPT attribute bits (bit 0 required, bit 2 legacy BIOS bootable, 48-63 type-specific) */
  attributes: u64 = 0;
}

export class PartitionTable {
  /** "mbr" | "gpt" */
  kind: string = "";
  /** MBR disk signature as 8 hex digits; GPT disk GUID */
  diskId: string = "";
  sectorSize: i32 = 512;
  partitions: Partition[] = [];
  /** Things worth telling the person that did not stop the read (e.g. "primary GPT header damaged; backup used"). */
  notes: string[] = [];
  /** MBR boot code present (first 440 bytes not all zero), and what it looks like ("GRUB", "SYSLINUX", "Windows", "") */
  bootCode: string = "";
  hasBootCode: bool = false;
}
