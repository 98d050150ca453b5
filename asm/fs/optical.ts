// SPDX-License-Identifier: Apache-2.0
// Optical-disc filesystems, named as blkid names them: ISO9660 (ECMA-119: the
// primary volume descriptor "CD001" at 32 KiB) and UDF (ECMA-167: the volume
// recognition sequence BEA01 … NSR02/NSR03 from 32 KiB; label and UUID from the
// descriptors the anchor at sector 256 points to). UDF wins over an ISO9660
// bridge, as in blkid.

import { Device } from "../io/device";
import { u16le, u32le, asciiAt } from "../util/bytes";
import { clearError } from "../util/error";

const VRS_START: i32 = 32768;
const VRS_MAX: i32 = 16;

export class OpticalInfo {
  type: string = "";
  label: string = "";
  uuid: string = "";
}

function trimRight(s: string): string {
  let n = s.length;
  while (n > 0 && s.charCodeAt(n - 1) == 0x20) n--;
  return s.substring(0, n);
}

function latin1(b: Uint8Array, off: i32, len: i32): string {
  let s = "";
  for (let i = 0; i < len && off + i < b.length; i++) {
    const c = <i32>b[off + i];
    if (c == 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

/** An ECMA-167 dstring: compression id 8 (Latin-1) or 16 (UCS-2 BE), length in its last byte. */
function dstring(b: Uint8Array, off: i32, size: i32): string {
  const n = <i32>b[off + size - 1];
  if (n <= 1 || n > size - 1) return "";
  const cid = b[off];
  let s = "";
  if (cid == 8) { for (let i = 1; i < n; i++) s += String.fromCharCode(b[off + i]); }
  else if (cid == 16) { for (let i = 1; i + 1 < n; i += 2) s += String.fromCharCode((<i32>b[off + i] << 8) | b[off + i + 1]); }
  return s;
}

function isHex(s: string): bool {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) | 0x20;
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return s.length > 0;
}

/** Names an ISO9660 or UDF volume from the probe bytes b (the first 68 KiB), reading UDF's descriptors from dev. */
export function probeOptical(dev: Device, b: Uint8Array): OpticalInfo | null {
  let iso = asciiAt(b, VRS_START + 1, "CD001");
  let nsr = false;
  let bea = false;
  for (let i = 0; i < VRS_MAX; i++) {
    const o = VRS_START + i * 2048;
    if (o + 7 > b.length) break;
    if (asciiAt(b, o + 1, "BEA01")) bea = true;
    else if (bea && (asciiAt(b, o + 1, "NSR02") || asciiAt(b, o + 1, "NSR03"))) { nsr = true; break; }
    else if (!asciiAt(b, o + 1, "CD001") && !asciiAt(b, o + 1, "CDW02") && !asciiAt(b, o + 1, "BOOT2") && !asciiAt(b, o + 1, "TEA01")) break;
  }
  if (!iso && !nsr) return null;
  const info = new OpticalInfo();
  if (nsr) {
    info.type = "udf";
    udfIds(dev, info);
    return info;
  }
  info.type = "iso9660";
  const pvd = VRS_START;
  info.label = trimRight(latin1(b, pvd + 40, 32));
  // blkid's UUID: the volume creation time, digits as YYYY-MM-DD-HH-MM-SS-cc
  const d = latin1(b, pvd + 813, 16);
  if (d.length == 16 && d != "0000000000000000") {
    info.uuid = d.substring(0, 4) + "-" + d.substring(4, 6) + "-" + d.substring(6, 8) + "-" + d.substring(8, 10) + "-" +
      d.substring(10, 12) + "-" + d.substring(12, 14) + "-" + d.substring(14, 16);
  }
  return info;
}

/** Label (logical volume id) and UUID (volume set id) from the main volume descriptor sequence. */
function udfIds(dev: Device, info: OpticalInfo): void {
  for (let bs = 512; bs <= 4096; bs <<= 1) {
    const at = <u64>bs * 256;
    if (at + <u64>bs > dev.size) continue;
    const a = dev.read(at, bs);
    if (a === null) { clearError(); continue; }
    if (u16le(a, 0) != 2 || u32le(a, 12) != 256) continue; // anchor volume descriptor pointer
    const len = min(u32le(a, 16), <u32>(32 * bs));
    const loc = <u64>u32le(a, 20) * <u64>bs;
    if (len < <u32>bs || loc + <u64>len > dev.size) return;
    const vds = dev.read(loc, <i32>len);
    if (vds === null) { clearError(); return; }
    for (let o = 0; o + bs <= vds.length; o += bs) {
      const tag = u16le(vds, o);
      if (tag == 1) { // primary volume descriptor
        const vsid = dstring(vds, o + 72, 128);
        if (vsid.length >= 16 && isHex(vsid.substring(0, 16))) info.uuid = vsid.substring(0, 16).toLowerCase();
        if (info.label.length == 0) info.label = dstring(vds, o + 24, 32);
      } else if (tag == 6) { // logical volume descriptor
        const lv = dstring(vds, o + 84, 128);
        if (lv.length > 0) info.label = lv;
      } else if (tag == 8) break; // terminating descriptor
    }
    return;
  }
}
