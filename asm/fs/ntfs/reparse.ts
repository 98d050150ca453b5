// SPDX-License-Identifier: Apache-2.0
// $REPARSE_POINT values: the tag and, for symbolic links and junctions, the
// substitute name ([MS-FSCC] 2.1.2 "Reparse Tags", 2.1.2.4 "Symbolic Link
// Reparse Data Buffer", 2.1.2.5 "Mount Point Reparse Data Buffer").

import { u16le, u32le } from "../../util/bytes";

export const IO_REPARSE_TAG_MOUNT_POINT: u32 = 0xa0000003;
export const IO_REPARSE_TAG_SYMLINK: u32 = 0xa000000c;
export const IO_REPARSE_TAG_DEDUP: u32 = 0x80000013;
export const IO_REPARSE_TAG_WOF: u32 = 0x80000017;
export const IO_REPARSE_TAG_WCI: u32 = 0x80000018;
export const IO_REPARSE_TAG_APPEXECLINK: u32 = 0x8000001b;
export const IO_REPARSE_TAG_LX_SYMLINK: u32 = 0xa000001d;
export const SYMLINK_FLAG_RELATIVE: u32 = 1;

export function isLinkTag(tag: u32): bool {
  return tag == IO_REPARSE_TAG_MOUNT_POINT || tag == IO_REPARSE_TAG_SYMLINK;
}

/** Cloud-files placeholders (0x9000X01A) and deduplicated files keep their data elsewhere. */
export function tagHidesData(tag: u32): bool {
  return tag == IO_REPARSE_TAG_DEDUP || (tag & 0xffff0fff) == 0x9000001a;
}

export function tagName(tag: u32): string {
  switch (tag) {
    case IO_REPARSE_TAG_MOUNT_POINT: return "junction";
    case IO_REPARSE_TAG_SYMLINK: return "symlink";
    case IO_REPARSE_TAG_DEDUP: return "dedup";
    case IO_REPARSE_TAG_WOF: return "wof";
    case IO_REPARSE_TAG_WCI: return "wci";
    case IO_REPARSE_TAG_APPEXECLINK: return "appexeclink";
    case IO_REPARSE_TAG_LX_SYMLINK: return "lx-symlink";
    case 0x80000014: return "nfs";
    case 0x80000023: return "af-unix";
    default:
      if ((tag & 0xffff0fff) == 0x9000001a) return "cloud";
      return "0x" + tag.toString(16);
  }
}

export class LinkTarget {
  /** the substitute name as stored ("\??\C:\Users", "..\lib") */
  substitute: string = "";
  printName: string = "";
  relative: bool = false;
}

/** The target of a symlink or junction reparse buffer; null when it does not fit. */
export function parseLink(b: Uint8Array): LinkTarget | null {
  if (b.length < 16) return null;
  const tag = u32le(b, 0);
  const dataLen = <i32>u16le(b, 4);
  if (8 + dataLen > b.length) return null;
  const subOff = <i32>u16le(b, 8);
  const subLen = <i32>u16le(b, 10);
  const prOff = <i32>u16le(b, 12);
  const prLen = <i32>u16le(b, 14);
  let pathStart = 16;
  const t = new LinkTarget();
  if (tag == IO_REPARSE_TAG_SYMLINK) {
    if (b.length < 20) return null;
    t.relative = (u32le(b, 16) & SYMLINK_FLAG_RELATIVE) != 0;
    pathStart = 20;
  } else if (tag != IO_REPARSE_TAG_MOUNT_POINT) return null;
  if ((subLen & 1) != 0 || (prLen & 1) != 0) return null;
  const end = 8 + dataLen;
  if (pathStart + subOff + subLen > end || pathStart + prOff + prLen > end) return null;
  if (subLen > 0) t.substitute = String.UTF16.decodeUnsafe(b.dataStart + <usize>(pathStart + subOff), <usize>subLen);
  if (prLen > 0) t.printName = String.UTF16.decodeUnsafe(b.dataStart + <usize>(pathStart + prOff), <usize>prLen);
  return t;
}

/**
 * The link as a path inside this volume: relative links keep their form with
 * "/" separators; "\??\C:\dir" becomes "/dir" (the Windows volume is the
 * guest's root); other targets (volume GUIDs, UNC) stay as stored.
 */
export function guestPath(t: LinkTarget): string {
  let s = t.substitute.length > 0 ? t.substitute : t.printName;
  if (t.relative) return s.replaceAll("\\", "/");
  if (s.startsWith("\\??\\")) s = s.substring(4);
  if (s.length >= 2 && s.charCodeAt(1) == 0x3a) {
    const c = s.charCodeAt(0) | 0x20;
    if (c >= 0x61 && c <= 0x7a) {
      const rest = s.substring(2).replaceAll("\\", "/");
      return rest.length == 0 ? "/" : (rest.startsWith("/") ? rest : "/" + rest);
    }
  }
  return s;
}
