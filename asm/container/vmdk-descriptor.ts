// SPDX-License-Identifier: Apache-2.0
// The VMDK text descriptor (VMware Virtual Disk Format 1.1, §"The Descriptor
// File"): key=value lines (createType, CID, parentCID, parentFileNameHint) and
// extent lines `RW 4192256 SPARSE "disk-s001.vmdk"` [offset for FLAT].

import { corrupt, limit } from "../util/error";

/** Far more extents than a 2 TiB disk split at 2 GiB needs (1024). */
export const MAX_EXTENTS: i32 = 4096;
export const MAX_DESCRIPTOR_BYTES: i32 = 1 << 20;

export class VmdkExtent {
  access: string = "";
  /** in 512-byte sectors */
  sectors: u64 = 0;
  type: string = "";
  fileName: string = "";
  /** start within the extent file, in sectors (FLAT/VMFS) */
  offset: u64 = 0;
}

export class VmdkDescriptor {
  createType: string = "";
  parentHint: string = "";
  parentCid: string = "";
  extents: VmdkExtent[] = [];
}

function unquote(s: string): string {
  const t = s.trim();
  if (t.length >= 2 && t.charCodeAt(0) == 0x22 && t.charCodeAt(t.length - 1) == 0x22) return t.substring(1, t.length - 1);
  return t;
}

function parseU64(s: string): i64 {
  if (s.length == 0 || s.length > 19) return -1;
  let v: i64 = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    v = v * 10 + <i64>(c - 0x30);
  }
  return v;
}

/** Parses descriptor text; null with the error set when an extent line is malformed. */
export function parseDescriptor(text: string, where: string): VmdkDescriptor | null {
  const d = new VmdkDescriptor();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].trim();
    if (line.length == 0 || line.charCodeAt(0) == 0x23) continue;
    const eq = line.indexOf("=");
    const isExtent = line.startsWith("RW ") || line.startsWith("RDONLY ") || line.startsWith("NOACCESS ");
    if (!isExtent && eq > 0) {
      const key = line.substring(0, eq).trim();
      const val = unquote(line.substring(eq + 1));
      if (key == "createType") d.createType = val;
      else if (key == "parentFileNameHint") d.parentHint = val;
      else if (key == "parentCID") d.parentCid = val.toLowerCase();
      continue;
    }
    if (!isExtent) continue;
    if (d.extents.length >= MAX_EXTENTS) {
      limit("vmdk.descriptor.extents", where + ": the VMDK descriptor lists more than " + MAX_EXTENTS.toString() + " extents");
      return null;
    }
    // ACCESS SIZE TYPE "FILE NAME" [OFFSET]: the name is quoted and may hold spaces.
    const q1 = line.indexOf("\"");
    const q2 = q1 >= 0 ? line.indexOf("\"", q1 + 1) : -1;
    const head = (q1 >= 0 ? line.substring(0, q1) : line).trim().split(" ").filter((s: string) => s.length > 0);
    const e = new VmdkExtent();
    if (head.length < 3) {
      corrupt("vmdk.descriptor.extent", where + ": VMDK extent line " + (i + 1).toString() + " is malformed: " + line);
      return null;
    }
    e.access = head[0];
    const sectors = parseU64(head[1]);
    e.type = head[2].toUpperCase();
    if (sectors < 0) {
      corrupt("vmdk.descriptor.extent", where + ": VMDK extent line " + (i + 1).toString() + " has no sector count: " + line);
      return null;
    }
    e.sectors = <u64>sectors;
    if (e.type != "ZERO") {
      if (q1 < 0 || q2 < 0) {
        corrupt("vmdk.descriptor.extent", where + ": VMDK extent line " + (i + 1).toString() + " names no file: " + line);
        return null;
      }
      e.fileName = line.substring(q1 + 1, q2);
      const rest = line.substring(q2 + 1).trim();
      if (rest.length > 0) {
        const off = parseU64(rest.split(" ")[0]);
        if (off < 0) {
          corrupt("vmdk.descriptor.extent", where + ": VMDK extent line " + (i + 1).toString() + " has a bad offset: " + line);
          return null;
        }
        e.offset = <u64>off;
      }
    }
    d.extents.push(e);
  }
  return d;
}
