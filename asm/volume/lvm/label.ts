// SPDX-License-Identifier: Apache-2.0
// The LVM2 physical volume label (one of sectors 0-3: "LABELONE", then the
// "LVM2 001" PV header with its data and metadata area lists) and the metadata
// area header ("\x20LVM2\x20x[5A%r0N*>") whose raw location points at the
// current metadata text (lib/format_text/layout.h, lib/label/label.c).

import { Device } from "../../io/device";
import { u32le, u64le, asciiAt, utf8 } from "../../util/bytes";
import { corrupt, unsupported } from "../../util/error";
import { crc32Update } from "../../codec/crc32";

const SECTOR: i32 = 512;
const LABEL_SCAN_SECTORS: i32 = 4;
const MDA_HEADER_SIZE: i32 = 512;
const MDA_MAGIC = " LVM2 x[5A%r0N*>";
/** lvm2's calc_crc starts from this value and applies no final inversion */
const LVM_INITIAL_CRC: u32 = 0xf597a6cf;
const RAW_LOCN_IGNORED: u32 = 1;
/** area list entries read at most (the label sector holds fewer) */
const MAX_AREAS: i32 = 16;
/** metadata text larger than this is refused (it is bounded by the area, 1 MiB by default) */
const MAX_METADATA: u64 = 16 << 20;

/** lvm2's calc_crc: CRC-32 (0xEDB88320) from `initial`, without the final inversion. */
export function lvmCrc(initial: u32, b: Uint8Array, off: i32, len: i32): u32 {
  if (off < 0 || len <= 0 || off + len > b.length) return initial;
  return ~crc32Update(~initial, b.dataStart + <usize>off, <usize>len);
}

export class DiskArea {
  constructor(public offset: u64, public size: u64) {}
}

export class PvLabel {
  /** 32 characters, no dashes, as the PV header stores it */
  uuid: string = "";
  deviceSize: u64 = 0;
  labelSector: i32 = 0;
  dataAreas: DiskArea[] = [];
  metadataAreas: DiskArea[] = [];

  /** The UUID as lvm2 prints it: 6-4-4-4-4-4-6. */
  get uuidDashed(): string { return dashUuid(this.uuid); }
}

export function dashUuid(u: string): string {
  if (u.length != 32) return u;
  return u.substring(0, 6) + "-" + u.substring(6, 10) + "-" + u.substring(10, 14) + "-" + u.substring(14, 18) + "-" +
    u.substring(18, 22) + "-" + u.substring(22, 26) + "-" + u.substring(26, 32);
}

/** Finds and checks the label in sectors 0-3; null with the error set. */
export function readPvLabel(dev: Device, where: string): PvLabel | null {
  const n = <i32>min(<u64>(LABEL_SCAN_SECTORS * SECTOR), dev.size);
  const b = dev.read(0, n);
  if (b === null) return null;
  for (let s = 0; s + SECTOR <= n; s += SECTOR) {
    if (!asciiAt(b, s, "LABELONE")) continue;
    const at = where + ": LVM label in sector " + (s / SECTOR).toString();
    const sector_xl = u64le(b, s + 8);
    const crc_xl = u32le(b, s + 16);
    const offset_xl = <i32>u32le(b, s + 20);
    if (sector_xl != <u64>(s / SECTOR)) {
      corrupt("lvm.label.sector", at + " says it is in sector " + sector_xl.toString());
      return null;
    }
    if (lvmCrc(LVM_INITIAL_CRC, b, s + 20, SECTOR - 20) != crc_xl) {
      corrupt("lvm.label.crc", at + ": checksum does not match");
      return null;
    }
    if (!asciiAt(b, s + 24, "LVM2 001")) {
      unsupported("lvm.label.type", at + ": label type \"" + utf8(b, s + 24, 8) + "\" (only LVM2 001 is read)");
      return null;
    }
    if (offset_xl < 32 || offset_xl + 40 > SECTOR) {
      corrupt("lvm.label.offset", at + ": PV header offset " + offset_xl.toString() + " lies outside the sector");
      return null;
    }
    const l = new PvLabel();
    l.labelSector = s / SECTOR;
    let p = s + offset_xl;
    l.uuid = utf8(b, p, 32);
    l.deviceSize = u64le(b, p + 32);
    p += 40;
    // two zero-terminated lists: data areas, then metadata areas
    for (let list = 0; list < 2; list++) {
      let count = 0;
      while (true) {
        if (p + 16 > s + SECTOR || count >= MAX_AREAS) {
          corrupt("lvm.pvheader.areas", at + ": the PV header's area list is not terminated");
          return null;
        }
        const off = u64le(b, p), size = u64le(b, p + 8);
        p += 16;
        if (off == 0) break;
        if (list == 0) l.dataAreas.push(new DiskArea(off, size)); else l.metadataAreas.push(new DiskArea(off, size));
        count++;
      }
    }
    return l;
  }
  corrupt("lvm.label.missing", where + ": no LVM label (LABELONE) in sectors 0-3");
  return null;
}

/**
 * The committed metadata text of one metadata area, or "" when the area holds
 * none (a PV not in a volume group); null with the error set when damaged.
 */
export function readMetadataArea(dev: Device, area: DiskArea, where: string): string | null {
  const at = where + ": metadata area at " + area.offset.toString();
  if (area.size < <u64>(MDA_HEADER_SIZE * 2) || area.offset > dev.size || area.size > dev.size - area.offset) {
    corrupt("lvm.mda.bounds", at + " (" + area.size.toString() + " bytes) does not fit the device");
    return null;
  }
  const h = dev.read(area.offset, MDA_HEADER_SIZE);
  if (h === null) return null;
  if (!asciiAt(h, 4, MDA_MAGIC)) {
    corrupt("lvm.mda.magic", at + ": no metadata area header magic");
    return null;
  }
  if (lvmCrc(LVM_INITIAL_CRC, h, 4, MDA_HEADER_SIZE - 4) != u32le(h, 0)) {
    corrupt("lvm.mda.crc", at + ": metadata area header checksum does not match");
    return null;
  }
  const version = u32le(h, 20);
  if (version != 1) {
    unsupported("lvm.mda.version", at + ": metadata area header version " + version.toString());
    return null;
  }
  const start = u64le(h, 24);
  const size = u64le(h, 32);
  if (start != area.offset || size != area.size) {
    corrupt("lvm.mda.header", at + ": header says the area is at " + start.toString() + " (" + size.toString() + " bytes)");
    return null;
  }
  // raw_locns[0]: the committed metadata
  const off = u64le(h, 40);
  const len = u64le(h, 48);
  const checksum = u32le(h, 56);
  const flags = u32le(h, 60);
  if (off == 0 || len == 0 || (flags & RAW_LOCN_IGNORED) != 0) return "";
  if (off < <u64>MDA_HEADER_SIZE || off >= size || len > MAX_METADATA || len > size - <u64>MDA_HEADER_SIZE) {
    corrupt("lvm.metadata.location", at + ": metadata text at " + off.toString() + " (" + len.toString() +
      " bytes) lies outside the area");
    return null;
  }
  // the area is a ring: text that reaches its end continues after the header
  const first = min(len, size - off);
  const text = new Uint8Array(<i32>len);
  if (!dev.readInto(area.offset + off, <i32>first, text.dataStart)) return null;
  if (first < len && !dev.readInto(area.offset + <u64>MDA_HEADER_SIZE, <i32>(len - first), text.dataStart + <usize>first)) return null;
  if (lvmCrc(LVM_INITIAL_CRC, text, 0, text.length) != checksum) {
    corrupt("lvm.metadata.checksum", at + ": metadata text checksum does not match (the metadata is damaged)");
    return null;
  }
  let n = text.length;
  while (n > 0 && text[n - 1] == 0) n--;
  return String.UTF8.decodeUnsafe(text.dataStart, <usize>n, false);
}
