// SPDX-License-Identifier: Apache-2.0
// A FAT directory (fatgen103 §6-7): 32-byte entries up to the first free-and-last
// (0x00) one; long-name entries precede the short entry they name. Each file's
// node id is the byte offset of its short entry within the volume.

import { u8at } from "../../util/bytes";
import {
  ShortEntry, parseShortEntry, DIR_ENTRY_SIZE, ATTR_LONG_NAME, ATTR_VOLUME_ID, ATTR_DIRECTORY,
  ENTRY_END, ENTRY_FREE,
} from "./dir-entry";
import { LfnCollector } from "./lfn";
import { labelText } from "./boot-sector";

/** fatgen103 §6: a directory holds at most 65,536 entries (2 MiB). */
export const MAX_DIR_BYTES: u32 = 65536 * 32;

export class FatDirEntry {
  constructor(
    /** the long name when there is a valid one, else the 8.3 name */
    public name: string,
    public shortName: string,
    public node: u64,
    public entry: ShortEntry,
  ) {}
}

export class Directory {
  entries: FatDirEntry[] = [];
  /** lower-cased long and short names → index in entries */
  byName: Map<string, i32> = new Map();
  /** the volume label entry's text (root directory only); hasLabel when one exists */
  label: string = "";
  hasLabel: bool = false;

  find(name: string): FatDirEntry | null {
    const key = name.toLowerCase();
    if (!this.byName.has(key)) return null;
    return this.entries[this.byName.get(key)];
  }
}

/**
 * Where the directory's bytes came from: buffer bytes [segBuf[i], segBuf[i+1])
 * were read from volume offset segVol[i] on.
 */
export class Segments {
  segBuf: i32[] = [];
  segVol: u64[] = [];
  add(bufPos: i32, volOffset: u64): void {
    this.segBuf.push(bufPos);
    this.segVol.push(volOffset);
  }
}

export function parseDirectory(b: Uint8Array, segs: Segments, fat32: bool, isRoot: bool): Directory {
  const dir = new Directory();
  const lfn = new LfnCollector();
  let seg = 0;
  for (let off = 0; off + DIR_ENTRY_SIZE <= b.length; off += DIR_ENTRY_SIZE) {
    const first = u8at(b, off);
    if (first == ENTRY_END) break;
    if (first == ENTRY_FREE) { lfn.reset(); continue; }
    const attr = u8at(b, off + 11);
    if ((attr & 0x3f) == ATTR_LONG_NAME) { lfn.add(b, off); continue; }
    if ((attr & (ATTR_VOLUME_ID | ATTR_DIRECTORY)) == ATTR_VOLUME_ID) {
      // a volume label (root directory only), never a file
      if (isRoot && !dir.hasLabel) { dir.label = labelText(b, off); dir.hasLabel = true; }
      lfn.reset();
      continue;
    }
    if ((attr & ATTR_VOLUME_ID) != 0) { lfn.reset(); continue; } // label + directory: invalid, skip as Linux does
    const e = parseShortEntry(b, off, fat32);
    const longName = lfn.take(e.checksum);
    if (e.isDotEntry) continue;
    while (seg + 1 < segs.segBuf.length && segs.segBuf[seg + 1] <= off) seg++;
    const node = segs.segVol[seg] + <u64>(off - segs.segBuf[seg]);
    const name = longName.length > 0 ? longName : e.name;
    const idx = dir.entries.length;
    dir.entries.push(new FatDirEntry(name, e.name, node, e));
    const key = name.toLowerCase();
    if (!dir.byName.has(key)) dir.byName.set(key, idx);
    const skey = e.name.toLowerCase();
    if (!dir.byName.has(skey)) dir.byName.set(skey, idx);
  }
  return dir;
}
