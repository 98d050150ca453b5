// SPDX-License-Identifier: Apache-2.0
// GPT partition type GUIDs (UEFI spec table 5-7, the Discoverable Partitions
// Specification, vendors' own) and the names fdisk (util-linux) shows for them.

export const GPT_TYPE_EFI_SYSTEM = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b";
export const GPT_TYPE_BIOS_BOOT = "21686148-6449-6e6f-744e-656564454649";

export function gptTypeName(guid: string): string {
  if (guid == GPT_TYPE_EFI_SYSTEM) return "EFI System";
  if (guid == GPT_TYPE_BIOS_BOOT) return "BIOS boot";
  if (guid == "024dee41-33e7-11d3-9d69-0008c781f39f") return "MBR partition scheme";
  if (guid == "d3bfe2de-3daf-11df-ba40-e3a556d89593") return "Intel Fast Flash";
  // Linux
  if (guid == "0fc63daf-8483-4772-8e79-3d69d8477de4") return "Linux filesystem";
  if (guid == "0657fd6d-a4ab-43c4-84e5-0933c84b4f4f") return "Linux swap";
  if (guid == "e6d6d379-f507-44c2-a23c-238f2a3df928") return "Linux LVM";
  if (guid == "a19d880f-05fc-4d3b-a006-743f0f84911e") return "Linux RAID";
  if (guid == "4f68bce3-e8cd-4db1-96e7-fbcaf984b709") return "Linux root (x86-64)";
  if (guid == "44479540-f297-41b2-9af7-d131d5f0458a") return "Linux root (x86)";
  if (guid == "b921b045-1df0-41c3-af44-4c6f280d3fae") return "Linux root (ARM-64)";
  if (guid == "69dad710-2ce4-4e3c-b16c-21a1d49abed3") return "Linux root (ARM)";
  if (guid == "8484680c-9521-48c6-9c11-b0720656f69e") return "Linux /usr (x86-64)";
  if (guid == "b0e01050-ee5f-4390-949a-9101b17104e9") return "Linux /usr (ARM-64)";
  if (guid == "bc13c2ff-59e6-4262-a352-b275fd6f7172") return "Linux extended boot";
  if (guid == "933ac7e1-2eb4-4f13-b844-0e14e2aef915") return "Linux home";
  if (guid == "3b8f8425-20e0-4f3b-907f-1a25a76f98e8") return "Linux server data";
  if (guid == "4d21b016-b534-45c2-a9fb-5c16e091fd2d") return "Linux variable data";
  if (guid == "7ec6f557-3bc5-4aca-b293-16ef5df639d1") return "Linux temporary data";
  if (guid == "8da63339-0007-60c0-c436-083ac8230908") return "Linux reserved";
  if (guid == "ca7d7ccb-63ed-4c53-861c-1742536059cc") return "Linux LUKS";
  if (guid == "7ffec5c9-2d00-49b7-8941-3ea10a5586b7") return "Linux dm-crypt";
  // Microsoft
  if (guid == "ebd0a0a2-b9e5-4433-87c0-68b6b72699c7") return "Microsoft basic data";
  if (guid == "e3c9e316-0b5c-4db8-817d-f92df00215ae") return "Microsoft reserved";
  if (guid == "de94bba4-06d1-4d40-a16a-bfd50179d6ac") return "Windows recovery environment";
  if (guid == "5808c8aa-7e8f-42e0-85d2-e1e90434cfb3") return "Microsoft LDM metadata";
  if (guid == "af9b60a0-1431-4f62-bc68-3311714a69ad") return "Microsoft LDM data";
  if (guid == "e75caf8f-f680-4cee-afa3-b001e56efc2d") return "Microsoft Storage Spaces";
  // others met in VM images
  if (guid == "9e1a2d38-c612-4316-aa26-8b49521e5a8b") return "PowerPC PReP boot";
  if (guid == "48465300-0000-11aa-aa11-00306543ecac") return "Apple HFS/HFS+";
  if (guid == "7c3457ef-0000-11aa-aa11-00306543ecac") return "Apple APFS";
  if (guid == "516e7cb4-6ecf-11d6-8ff8-00022d09712b") return "FreeBSD data";
  if (guid == "83bd6b9d-7f41-11dc-be0b-001560b84f0f") return "FreeBSD boot";
  if (guid == "516e7cb5-6ecf-11d6-8ff8-00022d09712b") return "FreeBSD swap";
  if (guid == "516e7cb6-6ecf-11d6-8ff8-00022d09712b") return "FreeBSD UFS";
  if (guid == "516e7cba-6ecf-11d6-8ff8-00022d09712b") return "FreeBSD ZFS";
  if (guid == "6a898cc3-1dd2-11b2-99a6-080020736631") return "Solaris /usr & Apple ZFS";
  if (guid == "aa31e02a-400f-11db-9590-000c2911d1b8") return "VMware VMFS";
  if (guid == "9198effc-31c0-11db-8f78-000c2911d1b8") return "VMware Reserved";
  return "";
}
