// SPDX-License-Identifier: Apache-2.0
// A registry hive (regf): base block, key nodes reached from the root cell
// through lf/lh/li/ri subkey lists, values with resident, cell and big-data
// (db) storage, and case-insensitive lookup by path. A dirty hive is read
// with its transaction logs applied in memory when they are given
// (Windows registry file format specification by M. Suhanov).

import { Device } from "../io/device";
import { corrupt, limit } from "../util/error";
import { u16le, u32le, asciiAt, hex64 } from "../util/bytes";
import { BaseBlock, BASE_BLOCK_SIZE, HBIN_START, FILE_TYPE_PRIMARY } from "./base-block";
import { HiveBytes } from "./hive-bytes";
import { Cells, KeyNode, ValueKey, NO_CELL } from "./cells";
import { replayLogs, ReplayResult } from "./hive-log";

/** Subkeys or values one key may have (Windows allows far fewer in practice). */
const MAX_LIST: u32 = 1 << 20;
/** Components of a key path (Windows limits key depth to 512). */
const MAX_DEPTH: i32 = 512;
/** Largest value data returned (REG_BINARY blobs of a few MiB exist; more is not configuration). */
export const MAX_VALUE_DATA: u32 = 64 << 20;
/** Big data segments hold at most this much each. */
const DB_SEGMENT: u32 = 16344;

export class Hive {
  cells: Cells;
  replay: ReplayResult | null = null;
  logNames: string[] = [];
  constructor(public bytes: HiveBytes, public base: BaseBlock, public rootCell: u32, binsSize: u32, public where: string) {
    this.cells = new Cells(bytes, binsSize, where);
  }

  root(): KeyNode | null { return KeyNode.read(this.cells, this.rootCell); }

  /** Cell offsets of the key's subkeys, in list order; null with the error set. */
  subkeyCells(k: KeyNode): u32[] | null {
    const out: u32[] = [];
    if (k.subkeyCount == 0 || k.subkeyList == NO_CELL) return out;
    if (!this.walkList(k.subkeyList, out, 0, k)) return null;
    return out;
  }

  private walkList(off: u32, out: u32[], depth: i32, k: KeyNode): bool {
    const b = this.cells.cell(off, "subkey list of " + k.name);
    if (b === null) return false;
    const n = <i32>u16le(b, 2);
    let step = 0;
    if (asciiAt(b, 0, "lf") || asciiAt(b, 0, "lh")) step = 8;
    else if (asciiAt(b, 0, "li")) step = 4;
    else if (asciiAt(b, 0, "ri")) {
      if (depth > 0) {
        corrupt("hive.list.nested-ri", this.where + ": index root " + hex64(off) + " of key " + k.name + " lies inside another index root");
        return false;
      }
      if (4 + 4 * n > b.length) { corrupt("hive.list.size", this.where + ": index root " + hex64(off) + " has more entries than its cell holds"); return false; }
      for (let i = 0; i < n; i++) if (!this.walkList(u32le(b, 4 + 4 * i), out, depth + 1, k)) return false;
      return true;
    } else {
      corrupt("hive.list.magic", this.where + ": subkey list " + hex64(off) + " of key " + k.name + " is not lf/lh/li/ri");
      return false;
    }
    if (4 + step * n > b.length) {
      corrupt("hive.list.size", this.where + ": subkey list " + hex64(off) + " claims " + n.toString() + " entries, more than its cell holds");
      return false;
    }
    if (<u32>(out.length + n) > MAX_LIST) { limit("hive.list.count", this.where + ": key " + k.name + " has too many subkeys"); return false; }
    for (let i = 0; i < n; i++) out.push(u32le(b, 4 + step * i));
    return true;
  }

  subkeys(k: KeyNode): KeyNode[] | null {
    const cells = this.subkeyCells(k);
    if (cells === null) return null;
    const out: KeyNode[] = [];
    for (let i = 0; i < cells.length; i++) {
      const c = KeyNode.read(this.cells, cells[i]);
      if (c === null) return null;
      out.push(c);
    }
    return out;
  }

  /** The subkey named `name` (any case); null without an error when absent. */
  child(k: KeyNode, name: string): KeyNode | null {
    const cells = this.subkeyCells(k);
    if (cells === null) return null;
    const want = name.toUpperCase();
    for (let i = 0; i < cells.length; i++) {
      const c = KeyNode.read(this.cells, cells[i]);
      if (c === null) return null;
      if (c.name.length == name.length && c.name.toUpperCase() == want) return c;
    }
    return null;
  }

  /** The key at `path` ("ControlSet001\\Services", "/" also separates); null when absent or on error. */
  key(path: string): KeyNode | null {
    let k = this.root();
    if (k === null) return null;
    const parts = path.replaceAll("/", "\\").split("\\");
    let depth = 0;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (p.length == 0) continue;
      if (++depth > MAX_DEPTH) { limit("hive.path.depth", this.where + ": key path deeper than " + MAX_DEPTH.toString()); return null; }
      const c = this.child(k!, p);
      if (c === null) return null;
      k = c;
    }
    return k;
  }

  values(k: KeyNode): ValueKey[] | null {
    const out: ValueKey[] = [];
    if (k.valueCount == 0 || k.valueList == NO_CELL) return out;
    if (k.valueCount > MAX_LIST) { limit("hive.values.count", this.where + ": key " + k.name + " claims " + k.valueCount.toString() + " values"); return null; }
    const b = this.cells.cell(k.valueList, "values list of " + k.name);
    if (b === null) return null;
    if (<u64>k.valueCount * 4 > <u64>b.length) {
      corrupt("hive.values.size", this.where + ": values list of key " + k.name + " holds fewer than its " + k.valueCount.toString() + " values");
      return null;
    }
    for (let i: u32 = 0; i < k.valueCount; i++) {
      const v = ValueKey.read(this.cells, u32le(b, <i32>(4 * i)));
      if (v === null) return null;
      out.push(v);
    }
    return out;
  }

  value(k: KeyNode, name: string): ValueKey | null {
    const vs = this.values(k);
    if (vs === null) return null;
    const want = name.toUpperCase();
    for (let i = 0; i < vs.length; i++) if (vs[i].name.length == name.length && vs[i].name.toUpperCase() == want) return vs[i];
    return null;
  }

  /** The value's data bytes; null with the error set. */
  data(v: ValueKey): Uint8Array | null {
    if (v.resident) {
      if (v.size > 4) {
        corrupt("hive.vk.resident", this.where + ": value " + v.name + " claims " + v.size.toString() + " resident bytes (at most 4 fit)");
        return null;
      }
      const out = new Uint8Array(v.size);
      for (let i: u32 = 0; i < v.size; i++) out[i] = <u8>(v.inline >> (8 * i));
      return out;
    }
    if (v.size == 0) return new Uint8Array(0);
    if (v.size > MAX_VALUE_DATA) { limit("hive.vk.size", this.where + ": value " + v.name + " has " + v.size.toString() + " bytes of data"); return null; }
    const c = this.cells.cell(v.dataCell, "data of value " + v.name);
    if (c === null) return null;
    if (v.size > DB_SEGMENT && c.length >= 8 && asciiAt(c, 0, "db") && (this.base.minor >= 4)) return this.bigData(v, c);
    if (<u32>c.length < v.size) {
      corrupt("hive.vk.data", this.where + ": value " + v.name + " claims " + v.size.toString() + " bytes but its data cell holds " + c.length.toString());
      return null;
    }
    return c.slice(0, <i32>v.size);
  }

  private bigData(v: ValueKey, db: Uint8Array): Uint8Array | null {
    const n = <i32>u16le(db, 2);
    const list = this.cells.cell(u32le(db, 4), "big data segments of " + v.name);
    if (list === null) return null;
    if (4 * n > list.length || <u64>n * <u64>DB_SEGMENT < <u64>v.size) {
      corrupt("hive.db.segments", this.where + ": big data of value " + v.name + " has " + n.toString() + " segments, too few for " + v.size.toString() + " bytes");
      return null;
    }
    const out = new Uint8Array(v.size);
    let done: u32 = 0;
    for (let i = 0; i < n && done < v.size; i++) {
      const seg = this.cells.cell(u32le(list, 4 * i), "big data segment " + i.toString() + " of " + v.name);
      if (seg === null) return null;
      const k = min(min(<u32>seg.length, DB_SEGMENT), v.size - done);
      memory.copy(out.dataStart + <usize>done, seg.dataStart, <usize>k);
      done += k;
    }
    if (done < v.size) { corrupt("hive.db.short", this.where + ": big data of value " + v.name + " ends after " + done.toString() + " bytes"); return null; }
    return out;
  }
}

/**
 * Opens the hive on `dev`. When it is dirty and `logs` are given (LOG1 then
 * LOG2), their entries are applied in memory. Null with the error set.
 */
export function openHive(dev: Device, where: string, logs: Device[], logNames: string[]): Hive | null {
  if (dev.size < <u64>BASE_BLOCK_SIZE) {
    corrupt("hive.short", where + ": " + dev.size.toString() + " bytes, too small for a hive");
    return null;
  }
  const bytes = new HiveBytes(dev, where);
  const bb = bytes.read(0, BASE_BLOCK_SIZE);
  if (bb === null) return null;
  const base = BaseBlock.parse(bb, where);
  if (base === null) return null;
  if (base.fileType != FILE_TYPE_PRIMARY) {
    corrupt("hive.base.type", where + ": file type " + base.fileType.toString() + " is a transaction log, not a hive");
    return null;
  }
  let root = base.rootCell;
  let bins = base.binsSize;
  let replay: ReplayResult | null = null;
  if (base.dirty && logs.length > 0) {
    replay = replayLogs(bytes, base, logs, logNames);
    if (replay === null) return null;
    const lb = replay.baseFromLog;
    if (lb !== null) root = lb.rootCell;
    bins = replay.binsSize;
  } else if (!base.checksumOk) {
    corrupt("hive.base.checksum", where + ": base block checksum is " + hex64(base.checksum) + " but its bytes sum to another value, and no transaction log was given to recover it");
    return null;
  }
  if ((bins & 4095) != 0 || bins == 0 || HBIN_START + <u64>bins > bytes.size) {
    corrupt("hive.base.bins-size", where + ": hive bins size " + bins.toString() + " is not a multiple of 4096 inside the file (" + bytes.size.toString() + " bytes)");
    return null;
  }
  const hb = bytes.read(HBIN_START, 32);
  if (hb === null) return null;
  if (!asciiAt(hb, 0, "hbin")) {
    corrupt("hive.hbin.magic", where + ": no hive bin (\"hbin\") at offset 4096");
    return null;
  }
  const h = new Hive(bytes, base, root, bins, where);
  h.replay = replay;
  h.logNames = logNames;
  if (h.root() === null) return null;
  return h;
}
