// SPDX-License-Identifier: Apache-2.0
// Boot Configuration Data: a hive whose Objects\{GUID} keys hold a
// Description\Type and Elements\{type}\Element values. The element type's
// bits 24-27 give its format (1 device, 2 string, 3 object, 4 object list,
// 5 integer, 6 boolean, 7 integer list). The boot manager
// {9dea862c-5cdd-4e70-acc1-f32b344d4795} names the default loader
// (element 23000003); a loader's application device (11000001) and path
// (12000002) say what firmware starts. Device elements: a 16-byte options
// GUID, then a device header {type, flags, size, reserved} and its payload;
// a qualified partition (type 6) holds the partition (GPT GUID or MBR byte
// offset), the partition style and the disk (GPT GUID or MBR signature).

import { JsonWriter } from "../util/json";
import { u32le, u64le, guidLE, hexByte } from "../util/bytes";
import { lastError, clearError } from "../util/error";
import { Hive } from "./hive";
import { KeyNode } from "./cells";
import { regString, regMultiString } from "./value-json";
import { Disk } from "../guest/disk";

export const BOOTMGR_GUID = "{9dea862c-5cdd-4e70-acc1-f32b344d4795}";
export const FWBOOTMGR_GUID = "{a5a30fa2-3d06-4e9f-b5f4-a01df9d1fcba}";
const EL_APP_DEVICE = "11000001";
const EL_APP_PATH = "12000002";
const EL_DESCRIPTION = "12000004";
const EL_DEFAULT = "23000003";
const EL_RESUME = "23000006";
const EL_DISPLAY_ORDER = "24000001";
const EL_OS_DEVICE = "21000001";
const EL_SYSTEM_ROOT = "22000002";
const EL_TIMEOUT = "25000004";
/** Objects a store may hold (real ones have a few dozen). */
const MAX_OBJECTS: i32 = 4096;

const DEVICE_BLOCKIO: u32 = 0;
const DEVICE_PARTITION: u32 = 2;
const DEVICE_BOOT: u32 = 5;
const DEVICE_PARTITION_EX: u32 = 6;
const DEVICE_LOCATE: u32 = 8;
const PARTITION_STYLE_GPT: u32 = 0;
const PARTITION_STYLE_MBR: u32 = 1;
const DEVICE_HEADER: i32 = 16;
const PARTITION_DEVICE_SIZE: i32 = 0x48;

export class BcdDevice {
  kind: string = "unknown";
  deviceType: u32 = 0;
  partitionStyle: string = "";
  partitionGuid: string = "";
  partitionOffset: u64 = 0;
  diskGuid: string = "";
  diskSignature: string = "";
  path: string = "";
  parent: BcdDevice | null = null;
}

function partitionAt(b: Uint8Array, p: i32, d: BcdDevice): void {
  const style = u32le(b, p + 0x20);
  if (style == PARTITION_STYLE_GPT) {
    d.partitionStyle = "gpt";
    d.partitionGuid = guidLE(b, p + 0x10);
    d.diskGuid = guidLE(b, p + 0x28);
  } else if (style == PARTITION_STYLE_MBR) {
    d.partitionStyle = "mbr";
    d.partitionOffset = u64le(b, p + 0x10);
    const sig = u32le(b, p + 0x28);
    d.diskSignature = hexByte(sig >>> 24) + hexByte((sig >>> 16) & 0xff) + hexByte((sig >>> 8) & 0xff) + hexByte(sig & 0xff);
  } else d.partitionStyle = "style " + style.toString();
}

/** A UTF-16 string from p up to a NUL or `end`. */
function utf16z(b: Uint8Array, p: i32, end: i32): string {
  let n = 0;
  while (p + 2 * n + 1 < end && (b[p + 2 * n] | b[p + 2 * n + 1]) != 0) n++;
  return n == 0 ? "" : String.UTF16.decodeUnsafe(b.dataStart + <usize>p, <usize>(2 * n));
}

/** Decodes the device whose header starts at b[p] (bounded by end). */
function deviceAt(b: Uint8Array, p: i32, end: i32, depth: i32): BcdDevice {
  const d = new BcdDevice();
  if (p + DEVICE_HEADER > end) { d.kind = "truncated"; return d; }
  d.deviceType = u32le(b, p);
  const size = <i32>u32le(b, p + 8);
  const stop = size >= DEVICE_HEADER && p + size <= end ? p + size : end;
  const t = d.deviceType;
  if (t == DEVICE_PARTITION_EX || t == DEVICE_PARTITION) {
    d.kind = "partition";
    if (p + 0x38 <= stop) partitionAt(b, p, d); else d.kind = "truncated";
  } else if (t == DEVICE_BOOT) {
    d.kind = "boot";
  } else if (t == DEVICE_LOCATE) {
    d.kind = "locate";
  } else if (t == DEVICE_BLOCKIO) {
    const io = u32le(b, p + DEVICE_HEADER);
    d.kind = io == 0 ? "disk" : io == 1 ? "removable" : io == 2 ? "cdrom" : io == 3 ? "ramdisk" : io == 4 ? "file" : io == 5 ? "vhd" : "blockio";
    // ramdisk, file and VHD devices embed the device holding their file, then the file's path
    if (depth < 4 && (io == 3 || io == 4 || io == 5)) {
      for (let q = p + DEVICE_HEADER + 4; q + DEVICE_HEADER <= stop; q += 4) {
        const nt = u32le(b, q);
        const ns = <i32>u32le(b, q + 8);
        if ((nt == DEVICE_PARTITION_EX || nt == DEVICE_PARTITION || nt == DEVICE_BOOT || nt == DEVICE_LOCATE) && u32le(b, q + 4) == 0 &&
            ns >= DEVICE_HEADER && q + ns <= stop) {
          d.parent = deviceAt(b, q, q + ns, depth + 1);
          d.path = utf16z(b, q + ns, stop);
          break;
        }
      }
    }
  } else d.kind = "type " + t.toString();
  return d;
}

/** A device element's value: 16 bytes of options GUID, then the device. */
export function parseDeviceElement(b: Uint8Array): BcdDevice {
  return deviceAt(b, 16, b.length, 0);
}

class BcdObject {
  guid: string = "";
  type: u32 = 0;
  key: KeyNode | null = null;
}

function typeName(t: u32): string {
  switch (t) {
    case 0x10100001: return "firmware boot manager";
    case 0x10100002: return "boot manager";
    case 0x10200003: return "OS loader";
    case 0x10200004: return "resume loader";
    case 0x10200005: return "memory diagnostic";
    case 0x10300006: return "legacy ntldr";
    case 0x10400008: return "boot sector";
    case 0x101fffff: return "firmware application";
    case 0x30000000: return "device options";
    default:
      if ((t & 0xf0000000) == 0x20000000) return "inherited settings";
      return "0x" + t.toString(16);
  }
}

/** Element `type` of an object as its raw value data; null when absent (errors cleared: a broken element is reported as absent). */
function element(h: Hive, obj: KeyNode, type: string): Uint8Array | null {
  const els = h.child(obj, "Elements");
  if (els === null) { clearError(); return null; }
  const e = h.child(els, type);
  if (e === null) { clearError(); return null; }
  const v = h.value(e, "Element");
  if (v === null) { clearError(); return null; }
  const d = h.data(v);
  if (d === null) clearError();
  return d;
}

function elementString(h: Hive, obj: KeyNode, type: string): string | null {
  const d = element(h, obj, type);
  return d === null ? null : regString(d);
}

function deviceJson(w: JsonWriter, key: string, d: BcdDevice, disk: Disk | null): void {
  w.objKey(key);
  w.prop("kind", d.kind).propNum("deviceType", d.deviceType);
  if (d.partitionStyle.length > 0) {
    w.prop("partitionStyle", d.partitionStyle);
    if (d.partitionGuid.length > 0) w.prop("partitionGuid", d.partitionGuid);
    if (d.partitionStyle == "mbr") w.propNum("partitionOffset", <f64>d.partitionOffset);
    if (d.diskGuid.length > 0) w.prop("diskGuid", d.diskGuid);
    if (d.diskSignature.length > 0) w.prop("diskSignature", d.diskSignature);
    if (disk !== null) {
      const m = matchVolume(d, disk);
      w.prop("volume", m >= 0 ? disk.volumes[m].id : "");
      w.propBool("found", m >= 0);
    }
  }
  if (d.path.length > 0) w.prop("path", d.path);
  const p = d.parent;
  if (p !== null) deviceJson(w, "parent", p, disk);
  w.endObject();
}

/** Index of the image's volume the partition device names, or -1. */
export function matchVolume(d: BcdDevice, disk: Disk): i32 {
  const t = disk.table;
  if (t === null) return -1;
  for (let i = 0; i < disk.volumes.length; i++) {
    const v = disk.volumes[i];
    const p = v.part;
    if (p === null) continue;
    if (d.partitionStyle == "gpt") {
      if (t.kind == "gpt" && p.partuuid.toLowerCase() == d.partitionGuid.toLowerCase() && t.diskId.toLowerCase() == d.diskGuid.toLowerCase()) return i;
    } else if (d.partitionStyle == "mbr") {
      if (t.kind == "mbr" && v.start == d.partitionOffset && t.diskId.toLowerCase() == d.diskSignature) return i;
    }
  }
  return -1;
}

function objectJson(w: JsonWriter, h: Hive, o: BcdObject, disk: Disk | null): void {
  const k = o.key!;
  w.beginObject();
  w.prop("guid", o.guid).propNum("type", o.type).prop("typeName", typeName(o.type));
  const desc = elementString(h, k, EL_DESCRIPTION);
  if (desc !== null) w.prop("description", desc);
  const path = elementString(h, k, EL_APP_PATH);
  if (path !== null) w.prop("path", path);
  const dev = element(h, k, EL_APP_DEVICE);
  if (dev !== null) deviceJson(w, "device", parseDeviceElement(dev), disk);
  const osd = element(h, k, EL_OS_DEVICE);
  if (osd !== null) deviceJson(w, "osDevice", parseDeviceElement(osd), disk);
  const sr = elementString(h, k, EL_SYSTEM_ROOT);
  if (sr !== null) w.prop("systemRoot", sr);
  const def = elementString(h, k, EL_DEFAULT);
  if (def !== null) w.prop("default", def);
  const res = elementString(h, k, EL_RESUME);
  if (res !== null) w.prop("resumeObject", res);
  const order = element(h, k, EL_DISPLAY_ORDER);
  if (order !== null) {
    w.arrKey("displayOrder");
    const l = regMultiString(order);
    for (let i = 0; i < l.length; i++) w.str(l[i]);
    w.endArray();
  }
  const to = element(h, k, EL_TIMEOUT);
  if (to !== null && to.length >= 8) w.propNum("timeout", <f64>u64le(to, 0));
  w.endObject();
}

/**
 * The store as JSON: every object with its description, device and path;
 * the boot manager, its default object and whether the default's device is
 * a volume of `disk` (when given). "" with the error set when the hive is
 * not a BCD store.
 */
export function bcdJson(h: Hive, disk: Disk | null): string {
  const objects = h.key("Objects");
  if (objects === null) {
    if (lastError() === null) {
      const w = new JsonWriter().beginObject().propBool("isBcd", false).endObject();
      return w.toString();
    }
    return "";
  }
  const subs = h.subkeys(objects);
  if (subs === null) return "";
  const list: BcdObject[] = [];
  for (let i = 0; i < subs.length && i < MAX_OBJECTS; i++) {
    const o = new BcdObject();
    o.guid = subs[i].name.toLowerCase();
    o.key = subs[i];
    const desc = h.child(subs[i], "Description");
    if (desc !== null) {
      const t = h.value(desc, "Type");
      if (t !== null) {
        const d = h.data(t);
        if (d !== null && d.length >= 4) o.type = u32le(d, 0);
      }
    }
    clearError();
    list.push(o);
  }
  const w = new JsonWriter().beginObject();
  w.propBool("isBcd", true);
  w.propNum("objectCount", list.length);
  let bootmgr: BcdObject | null = null;
  for (let i = 0; i < list.length; i++) if (list[i].guid == BOOTMGR_GUID) bootmgr = list[i];
  w.propBool("hasBootManager", bootmgr !== null);
  let defGuid = "";
  if (bootmgr !== null) {
    const d = elementString(h, bootmgr.key!, EL_DEFAULT);
    if (d !== null) defGuid = d.toLowerCase();
  }
  w.prop("default", defGuid);
  let def: BcdObject | null = null;
  for (let i = 0; i < list.length; i++) if (list[i].guid == defGuid) def = list[i];
  w.propBool("defaultExists", def !== null);
  if (bootmgr !== null) { w.key("bootManager"); objectJson(w, h, bootmgr, disk); }
  if (def !== null) { w.key("defaultEntry"); objectJson(w, h, def, disk); }
  w.arrKey("objects");
  for (let i = 0; i < list.length; i++) objectJson(w, h, list[i], disk);
  w.endArray();
  w.endObject();
  return w.toString();
}
