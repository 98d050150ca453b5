// SPDX-License-Identifier: Apache-2.0
// Keys and values as the JSON the hosts read: names, types, the data as hex,
// and the decoded form of strings, string lists and numbers.

import { JsonWriter } from "../util/json";
import { lastError, clearError } from "../util/error";
import { u32le, u32be, u64le } from "../util/bytes";
import { Hive } from "./hive";
import { KeyNode, ValueKey } from "./cells";

export const REG_NONE: u32 = 0;
export const REG_SZ: u32 = 1;
export const REG_EXPAND_SZ: u32 = 2;
export const REG_BINARY: u32 = 3;
export const REG_DWORD: u32 = 4;
export const REG_DWORD_BIG_ENDIAN: u32 = 5;
export const REG_LINK: u32 = 6;
export const REG_MULTI_SZ: u32 = 7;
export const REG_QWORD: u32 = 11;
/** Hex of at most this many data bytes crosses to the host. */
const MAX_HEX: i32 = 1 << 20;

export function typeName(t: u32): string {
  switch (t) {
    case 0: return "REG_NONE";
    case 1: return "REG_SZ";
    case 2: return "REG_EXPAND_SZ";
    case 3: return "REG_BINARY";
    case 4: return "REG_DWORD";
    case 5: return "REG_DWORD_BIG_ENDIAN";
    case 6: return "REG_LINK";
    case 7: return "REG_MULTI_SZ";
    case 8: return "REG_RESOURCE_LIST";
    case 9: return "REG_FULL_RESOURCE_DESCRIPTOR";
    case 10: return "REG_RESOURCE_REQUIREMENTS_LIST";
    case 11: return "REG_QWORD";
    default: return "0x" + t.toString(16);
  }
}

/** Lower-case hex of d[0, n), built in one buffer (string += per byte is quadratic). */
export function fastHex(d: Uint8Array, n: i32): string {
  if (n <= 0) return "";
  const out = new Uint16Array(2 * n);
  for (let i = 0; i < n; i++) {
    const b = <u32>unchecked(d[i]);
    const hi = b >> 4, lo = b & 15;
    unchecked(out[2 * i] = <u16>(hi < 10 ? 48 + hi : 87 + hi));
    unchecked(out[2 * i + 1] = <u16>(lo < 10 ? 48 + lo : 87 + lo));
  }
  return String.UTF16.decodeUnsafe(out.dataStart, <usize>(4 * n));
}

/** UTF-16LE text up to the first NUL (an odd last byte is dropped). */
export function regString(d: Uint8Array): string {
  let n = 0;
  while (2 * n + 1 < d.length && (d[2 * n] | d[2 * n + 1]) != 0) n++;
  return n == 0 ? "" : String.UTF16.decodeUnsafe(d.dataStart, <usize>(2 * n));
}

export function regMultiString(d: Uint8Array): string[] {
  const out: string[] = [];
  let start = 0;
  const units = d.length >> 1;
  for (let i = 0; i < units; i++) {
    if ((d[2 * i] | d[2 * i + 1]) == 0) {
      if (i == start) break; // the empty string ends the list
      out.push(String.UTF16.decodeUnsafe(d.dataStart + <usize>(2 * start), <usize>(2 * (i - start))));
      start = i + 1;
    }
  }
  if (start < units && out.length >= 0) {
    let tail = true;
    for (let i = start; i < units; i++) if ((d[2 * i] | d[2 * i + 1]) == 0) { tail = false; break; }
    if (tail && units > start) out.push(String.UTF16.decodeUnsafe(d.dataStart + <usize>(2 * start), <usize>(2 * (units - start))));
  }
  return out;
}

export function valueJson(w: JsonWriter, v: ValueKey, d: Uint8Array): void {
  w.beginObject();
  w.prop("name", v.name).propNum("type", v.type).prop("typeName", typeName(v.type)).propNum("size", d.length);
  w.prop("hex", fastHex(d, min(d.length, MAX_HEX)));
  if (d.length > MAX_HEX) w.propBool("hexTruncated", true);
  const t = v.type;
  if (t == REG_SZ || t == REG_EXPAND_SZ || t == REG_LINK) w.prop("string", regString(d));
  else if (t == REG_MULTI_SZ) {
    w.arrKey("strings");
    const l = regMultiString(d);
    for (let i = 0; i < l.length; i++) w.str(l[i]);
    w.endArray();
  } else if (t == REG_DWORD && d.length >= 4) w.propNum("number", <f64>u32le(d, 0));
  else if (t == REG_DWORD_BIG_ENDIAN && d.length >= 4) w.propNum("number", <f64>u32be(d, 0));
  else if (t == REG_QWORD && d.length >= 8) w.prop("qword", u64le(d, 0).toString());
  w.endObject();
}

/** The key's JSON: name, path, offsets, subkey names and values; "" with the error set. */
export function keyJson(h: Hive, k: KeyNode, path: string): string {
  const subs = h.subkeys(k);
  if (subs === null) return "";
  const vals = h.values(k);
  if (vals === null) return "";
  const w = new JsonWriter().beginObject();
  w.prop("name", k.name).prop("path", path).propNum("offset", k.offset).propNum("lastWritten", <f64>k.lastWritten);
  w.arrKey("subkeys");
  for (let i = 0; i < subs.length; i++) w.beginObject().prop("name", subs[i].name).propNum("offset", subs[i].offset).endObject();
  w.endArray();
  w.arrKey("values");
  for (let i = 0; i < vals.length; i++) {
    const d = h.data(vals[i]);
    if (d !== null) { valueJson(w, vals[i], d); continue; }
    // one damaged value does not hide the key's others: it carries its error instead
    const e = lastError();
    w.beginObject().prop("name", vals[i].name).propNum("type", vals[i].type).prop("typeName", typeName(vals[i].type)).propNum("size", vals[i].size)
      .prop("hex", "").prop("error", e !== null ? e.message : "unreadable").prop("errorCode", e !== null ? e.code : "").endObject();
    clearError();
  }
  w.endArray();
  w.endObject();
  return w.toString();
}

export function hiveInfoJson(h: Hive): string {
  const b = h.base;
  const w = new JsonWriter().beginObject();
  w.prop("path", h.where);
  w.prop("version", b.major.toString() + "." + b.minor.toString());
  w.propNum("primarySequence", b.primarySeq).propNum("secondarySequence", b.secondarySeq);
  w.propBool("checksumOk", b.checksumOk).propBool("dirty", b.dirty);
  w.propNum("lastWritten", <f64>b.lastWritten).prop("fileName", b.fileName);
  w.propNum("binsSize", h.cells.binsSize);
  w.arrKey("logs");
  for (let i = 0; i < h.logNames.length; i++) w.str(h.logNames[i]);
  w.endArray();
  const r = h.replay;
  w.propBool("logsApplied", r !== null && r.entriesApplied > 0);
  if (r !== null) {
    w.propNum("logEntriesApplied", r.entriesApplied).propNum("logFirstSequence", r.firstSeq).propNum("logLastSequence", r.lastSeq);
    w.propBool("baseBlockFromLog", r.baseFromLog !== null);
    w.prop("logFormat", r.entriesApplied == 0 ? "" : (r.oldFormat ? "old (DIRT pages)" : "new (HvLE entries)"));
    w.arrKey("logNotes");
    for (let i = 0; i < r.notes.length; i++) w.str(r.notes[i]);
    w.endArray();
  }
  const root = h.root();
  w.prop("rootName", root !== null ? root.name : "");
  w.endObject();
  return w.toString();
}
