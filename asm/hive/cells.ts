// SPDX-License-Identifier: Apache-2.0
// Cells of the hive bins: a signed 32-bit size (negative = allocated) and
// the cell's data; cell offsets count from the first hive bin at 4096
// ("Cell", "Key node", "Key value", subkey lists and "Big data" of the
// Windows registry file format specification).

import { corrupt } from "../util/error";
import { u16le, u32le, u64le, asciiAt, hex64 } from "../util/bytes";
import { HiveBytes } from "./hive-bytes";
import { HBIN_START } from "./base-block";

/** No cell (an empty list or an absent class name). */
export const NO_CELL: u32 = 0xffffffff;
/** Largest cell read: a big-data segment or a values list of 1 MiB entries is far past any real one. */
const MAX_CELL: i32 = 4 << 20;

export const KEY_COMP_NAME: u32 = 0x0020;
export const VALUE_COMP_NAME: u32 = 0x0001;

export class Cells {
  constructor(public bytes: HiveBytes, public binsSize: u32, public where: string) {}

  /** The data of the allocated cell at `off` (without its size field); null with the error set. */
  cell(off: u32, what: string): Uint8Array | null {
    if (off == NO_CELL || (off & 7) != 0 || <u64>off + 4 > <u64>this.binsSize) {
      corrupt("hive.cell.offset", this.where + ": " + what + " cell offset " + hex64(off) + " is outside the hive bins (" +
        this.binsSize.toString() + " bytes) or misaligned");
      return null;
    }
    const h = this.bytes.read(HBIN_START + <u64>off, 4);
    if (h === null) return null;
    const raw = <i32>u32le(h, 0);
    if (raw >= 0) {
      corrupt("hive.cell.free", this.where + ": " + what + " at " + hex64(off) + " is a free cell (size " + raw.toString() + ")");
      return null;
    }
    const size = -raw;
    if (size < 8 || <u64>off + <u64>size > <u64>this.binsSize || size > MAX_CELL) {
      corrupt("hive.cell.size", this.where + ": " + what + " cell at " + hex64(off) + " has size " + size.toString() + " that does not fit the hive bins");
      return null;
    }
    return this.bytes.read(HBIN_START + <u64>off + 4, size - 4);
  }
}

/** Key node ("nk"). */
export class KeyNode {
  offset: u32 = 0;
  flags: u32 = 0;
  lastWritten: u64 = 0;
  parent: u32 = 0;
  subkeyCount: u32 = 0;
  subkeyList: u32 = 0;
  valueCount: u32 = 0;
  valueList: u32 = 0;
  security: u32 = 0;
  classCell: u32 = 0;
  classLen: u32 = 0;
  name: string = "";

  static read(cells: Cells, off: u32): KeyNode | null {
    const b = cells.cell(off, "key node");
    if (b === null) return null;
    if (b.length < 0x4c || !asciiAt(b, 0, "nk")) {
      corrupt("hive.nk.magic", cells.where + ": cell " + hex64(off) + " should be a key node (nk)");
      return null;
    }
    const k = new KeyNode();
    k.offset = off;
    k.flags = u16le(b, 2);
    k.lastWritten = u64le(b, 4);
    k.parent = u32le(b, 0x10);
    k.subkeyCount = u32le(b, 0x14);
    k.subkeyList = u32le(b, 0x1c);
    k.valueCount = u32le(b, 0x24);
    k.valueList = u32le(b, 0x28);
    k.security = u32le(b, 0x2c);
    k.classCell = u32le(b, 0x30);
    k.classLen = u16le(b, 0x4a);
    const nameLen = <i32>u16le(b, 0x48);
    if (0x4c + nameLen > b.length) {
      corrupt("hive.nk.name", cells.where + ": name of key node " + hex64(off) + " (" + nameLen.toString() + " bytes) runs past its cell");
      return null;
    }
    k.name = decodeName(b, 0x4c, nameLen, (k.flags & KEY_COMP_NAME) != 0);
    return k;
  }
}

/** Key value ("vk"). */
export class ValueKey {
  offset: u32 = 0;
  name: string = "";
  /** data size with the resident bit cleared */
  size: u32 = 0;
  resident: bool = false;
  dataCell: u32 = 0;
  /** the data-offset field itself: resident data lives here */
  inline: u32 = 0;
  type: u32 = 0;

  static read(cells: Cells, off: u32): ValueKey | null {
    const b = cells.cell(off, "value");
    if (b === null) return null;
    if (b.length < 0x14 || !asciiAt(b, 0, "vk")) {
      corrupt("hive.vk.magic", cells.where + ": cell " + hex64(off) + " should be a key value (vk)");
      return null;
    }
    const v = new ValueKey();
    v.offset = off;
    const nameLen = <i32>u16le(b, 2);
    const rawSize = u32le(b, 4);
    v.resident = (rawSize & 0x80000000) != 0;
    v.size = rawSize & 0x7fffffff;
    v.dataCell = u32le(b, 8);
    v.inline = v.dataCell;
    v.type = u32le(b, 12);
    const flags = u16le(b, 0x10);
    if (0x14 + nameLen > b.length) {
      corrupt("hive.vk.name", cells.where + ": name of value " + hex64(off) + " runs past its cell");
      return null;
    }
    v.name = decodeName(b, 0x14, nameLen, (flags & VALUE_COMP_NAME) != 0);
    return v;
  }
}

/** Names are Latin-1 ("compressed") or UTF-16LE. */
export function decodeName(b: Uint8Array, off: i32, len: i32, latin1: bool): string {
  if (len <= 0) return "";
  if (latin1) {
    const u = new Uint16Array(len);
    for (let i = 0; i < len; i++) unchecked(u[i] = <u16>b[off + i]);
    return String.UTF16.decodeUnsafe(u.dataStart, <usize>(2 * len));
  }
  return String.UTF16.decodeUnsafe(b.dataStart + <usize>off, <usize>(len & ~1));
}
