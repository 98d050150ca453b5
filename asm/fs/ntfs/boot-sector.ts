// SPDX-License-Identifier: Apache-2.0
// The NTFS boot sector (BPB): geometry and where the MFT lies (flatcap NTFS
// documentation, "$Boot"; libfsntfs "Volume header"). Cluster and record
// sizes use the signed encodings: a negative byte n means 2^-n.

import { corrupt, unsupported } from "../../util/error";
import { u16le, u64le, asciiAt, hex64 } from "../../util/bytes";

export const BOOT_SECTOR_SIZE: i32 = 512;

export class BootSector {
  bytesPerSector: u32 = 0;
  clusterSize: u32 = 0;
  totalSectors: u64 = 0;
  totalClusters: u64 = 0;
  mftLcn: u64 = 0;
  mftMirrLcn: u64 = 0;
  mftRecordSize: u32 = 0;
  indexRecordSize: u32 = 0;
  serial: u64 = 0;

  /** blkid's UUID form: the 64-bit serial in 16 upper-case hex digits. */
  get uuid(): string {
    let s = "";
    const HEX = "0123456789ABCDEF";
    for (let i = 60; i >= 0; i -= 4) s += HEX.charAt(<i32>((this.serial >> <u64>i) & 15));
    return s;
  }

  static parse(b: Uint8Array, devSize: u64, where: string): BootSector | null {
    if (!asciiAt(b, 3, "NTFS    ")) {
      corrupt("ntfs.boot.magic", where + ": no \"NTFS    \" signature at offset 3 of the boot sector");
      return null;
    }
    const bs = new BootSector();
    bs.bytesPerSector = u16le(b, 0x0b);
    const bps = bs.bytesPerSector;
    if (bps < 256 || bps > 4096 || (bps & (bps - 1)) != 0) {
      corrupt("ntfs.boot.sector-size", where + ": bytes per sector " + bps.toString() + " (offset 0x0b) is not a power of two in 256..4096");
      return null;
    }
    const spcRaw = <u32>b[0x0d];
    let spc: u32;
    if (spcRaw <= 0x80) spc = spcRaw;
    else {
      // Windows 10 writes clusters above 64 KiB as a negative power of two
      const sh = 256 - spcRaw;
      if (sh > 12) { corrupt("ntfs.boot.cluster-size", where + ": sectors per cluster byte 0x" + spcRaw.toString(16) + " is out of range"); return null; }
      spc = <u32>1 << sh;
    }
    if (spc == 0 || (spc & (spc - 1)) != 0) {
      corrupt("ntfs.boot.cluster-size", where + ": sectors per cluster " + spc.toString() + " (offset 0x0d) is not a power of two");
      return null;
    }
    const cs = <u64>bps * <u64>spc;
    if (cs > (<u64>2 << 20)) {
      unsupported("ntfs.boot.cluster-size", where + ": cluster size " + cs.toString() + " is above NTFS's 2 MiB");
      return null;
    }
    bs.clusterSize = <u32>cs;
    bs.totalSectors = u64le(b, 0x28);
    bs.totalClusters = bs.totalSectors / <u64>spc;
    bs.mftLcn = u64le(b, 0x30);
    bs.mftMirrLcn = u64le(b, 0x38);
    bs.serial = u64le(b, 0x48);
    const rs = recordSize(<i8>b[0x40], bs.clusterSize);
    const is = recordSize(<i8>b[0x44], bs.clusterSize);
    if (rs < 512 || rs > 65536 || (rs & (rs - 1)) != 0) {
      corrupt("ntfs.boot.record-size", where + ": MFT record size " + rs.toString() + " (byte 0x40 = " + (<i32><i8>b[0x40]).toString() + ") is not a power of two in 512..65536");
      return null;
    }
    if (is < 512 || is > 65536 || (is & (is - 1)) != 0) {
      corrupt("ntfs.boot.index-size", where + ": index record size " + is.toString() + " (byte 0x44) is not a power of two in 512..65536");
      return null;
    }
    bs.mftRecordSize = <u32>rs;
    bs.indexRecordSize = <u32>is;
    if (bs.totalSectors == 0 || bs.mftLcn == 0 || bs.mftLcn >= bs.totalClusters + 1) {
      corrupt("ntfs.boot.mft-lcn", where + ": MFT cluster " + bs.mftLcn.toString() + " (offset 0x30) is outside the volume's " +
        bs.totalClusters.toString() + " clusters");
      return null;
    }
    if (bs.mftLcn * cs + <u64>rs > devSize) {
      corrupt("ntfs.boot.mft-past-end", where + ": the MFT at " + hex64(bs.mftLcn * cs) + " lies past the end of the volume (" +
        devSize.toString() + " bytes): truncated image?");
      return null;
    }
    return bs;
  }
}

/** Positive: clusters; negative n: 2^-n bytes. */
function recordSize(v: i8, clusterSize: u32): u64 {
  if (v > 0) return <u64>v * <u64>clusterSize;
  const sh = -<i32>v;
  if (sh < 9 || sh > 16) return 0;
  return <u64>1 << <u64>sh;
}
