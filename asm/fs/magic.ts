// SPDX-License-Identifier: Apache-2.0
// Filesystems and volume formats this project has no reader for, named by
// their magic numbers as blkid names them (util-linux libblkid/src/superblocks),
// so a report can say what a volume holds instead of "unknown".

import { u16le, u32le, asciiAt } from "../util/bytes";

/** blkid type name of the magic in b (the first 68 KiB of a volume), or "". */
export function otherMagic(b: Uint8Array): string {
  if (asciiAt(b, 3, "-FVE-FS-")) return "BitLocker";
  if (u32le(b, 1024) == 0xf2f52010) return "f2fs";
  if (u32le(b, 1024) == 0xe0f5e1e2) return "erofs";
  if (u16le(b, 1024 + 6) == 0x3434) return "nilfs2";
  if (asciiAt(b, 1024, "H+") || asciiAt(b, 1024, "HX")) return "hfsplus";
  if (asciiAt(b, 32768, "JFS1")) return "jfs";
  if (asciiAt(b, 65536 + 52, "ReIsErFs") || asciiAt(b, 65536 + 52, "ReIsEr2Fs") || asciiAt(b, 65536 + 52, "ReIsEr3Fs")) return "reiserfs";
  // Linux MD RAID superblock 1.1 (at 0) and 1.2 (at 4 KiB); 0.90 and 1.0 sit at the end
  if (u32le(b, 0) == 0xa92b4efc || u32le(b, 4096) == 0xa92b4efc) return "linux_raid_member";
  if (asciiAt(b, 4096 + 24, "\xc6\x85\x73\xf6\x4e\x1a\x45\xca\x82\x65\xf5\x7f\x48\xba\x6d\x81")) return "bcache";
  if (asciiAt(b, 4096 + 24, "\xc6\x85\x73\xf6\x66\xce\x90\xa9\xd9\x6a\x60\xcf\x80\x3d\xf7\xef")) return "bcachefs";
  return "";
}
