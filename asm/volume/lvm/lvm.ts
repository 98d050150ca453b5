// SPDX-License-Identifier: Apache-2.0
// LVM2 volume groups assembled from the physical volumes found on the disk:
// the newest metadata (highest seqno) of each VG decides its layout; linear
// and striped logical volumes become block devices (LvDevice) read through
// their segments. Other segment types (thin, snapshot, raid, cache, ...) are
// named as not supported, per LV (lvm2 lib/format_text/import_vsn1.c).

import { Device } from "../../io/device";
import { corrupt, unsupported, lastError, clearError, limit } from "../../util/error";
import { hex64 } from "../../util/bytes";
import { PvLabel, readPvLabel, readMetadataArea, dashUuid } from "./label";
import { CfgNode, parseMetadataText } from "./metadata-text";

const SECTOR: u64 = 512;
const MAX_SEGMENTS: i32 = 4096;
const MAX_STRIPES: i32 = 128;
const MAX_LVS: i32 = 4096;

/** A volume the disk layer found holding an LVM2 label. */
export class PvCandidate {
  label: PvLabel | null = null;
  /** VG name it belongs to, once assembled */
  vgName: string = "";
  error: string = "";
  errorCode: string = "";
  constructor(public volIndex: i32, public dev: Device) {}
}

export class LvStripe {
  constructor(public dev: Device, /** byte offset of the stripe's first extent on the PV */ public start: u64) {}
}

export class LvSegment {
  constructor(
    /** byte offset inside the LV */
    public start: u64,
    public length: u64,
    /** bytes per stripe chunk (0 when there is one stripe) */
    public stripeBytes: u64,
    public stripes: LvStripe[],
  ) {}
}

export class LogicalVolume {
  id: string = "";
  status: string[] = [];
  /** "linear", "striped", or the unsupported segment type ("thin", "snapshot", "raid1", ...) */
  layout: string = "";
  segments: LvSegment[] = [];
  extents: u64 = 0;
  stripeCount: i32 = 1;
  /** PV names (pv0, ...) the LV lies on */
  pvs: string[] = [];
  error: string = "";
  errorCode: string = "";
  constructor(public vg: string, public name: string) {}

  get visible(): bool { return this.status.includes("VISIBLE"); }
  /** The device-mapper name: VG-LV with each "-" inside the names doubled. */
  get dmName(): string { return this.vg.replaceAll("-", "--") + "-" + this.name.replaceAll("-", "--"); }
  get mapperPath(): string { return "/dev/mapper/" + this.dmName; }
  get vgPath(): string { return "/dev/" + this.vg + "/" + this.name; }
}

export class VolumeGroup {
  id: string = "";
  seqno: i64 = 0;
  extentBytes: u64 = 0;
  lvs: LogicalVolume[] = [];
  /** things worth telling (older metadata on another PV, a missing PV) */
  notes: string[] = [];
  constructor(public name: string) {}
}

/** An LV as a block device: reads are split at segment and stripe boundaries. */
export class LvDevice extends Device {
  private total: u64 = 0;
  constructor(public lv: LogicalVolume) {
    super();
    this.name = "logical volume " + lv.vg + "/" + lv.name;
    for (let i = 0; i < lv.segments.length; i++) this.total += lv.segments[i].length;
  }
  get size(): u64 { return this.total; }
  readInto(offset: u64, len: i32, dst: usize): bool {
    if (offset > this.total || <u64>len > this.total - offset) {
      corrupt("io.past-end", this.name + ": read at " + hex64(offset) + " goes past the end (" + this.total.toString() + " bytes)");
      return false;
    }
    let o = offset;
    let left = <u64>len;
    let d = dst;
    const segs = this.lv.segments;
    let i = 0;
    while (left > 0) {
      while (i < segs.length && segs[i].start + segs[i].length <= o) i++;
      if (i >= segs.length) { corrupt("lvm.lv.gap", this.name + ": no segment maps byte " + hex64(o)); return false; }
      const s = segs[i];
      const rel = o - s.start;
      let n = min(left, s.length - rel);
      let stripe: LvStripe;
      let pos: u64;
      if (s.stripes.length == 1) {
        stripe = s.stripes[0];
        pos = stripe.start + rel;
      } else {
        const chunk = rel / s.stripeBytes;
        const within = rel % s.stripeBytes;
        const count = <u64>s.stripes.length;
        stripe = s.stripes[<i32>(chunk % count)];
        pos = stripe.start + (chunk / count) * s.stripeBytes + within;
        n = min(n, s.stripeBytes - within);
      }
      if (!stripe.dev.readInto(pos, <i32>n, d)) return false;
      o += n; d += <usize>n; left -= n;
    }
    return true;
  }
}

class PvRef {
  constructor(public dev: Device | null, public peStart: u64, public peCount: u64, public id: string) {}
}

const SUPPORTED_NOTE = "only linear and striped logical volumes are read";

/** Reads the labels and metadata of the candidates and assembles their volume groups. */
export function assembleVolumeGroups(cands: PvCandidate[]): VolumeGroup[] {
  // the newest metadata text of each VG (by id), and the PVs by UUID
  const best = new Map<string, CfgNode>();
  const bestSeq = new Map<string, i64>();
  const seqSeen = new Map<string, i64>();
  const byUuid = new Map<string, PvCandidate>();
  for (let i = 0; i < cands.length; i++) {
    const c = cands[i];
    clearError();
    const label = readPvLabel(c.dev, c.dev.name);
    if (label === null) { noteError(c); continue; }
    c.label = label;
    byUuid.set(label.uuid, c);
    for (let m = 0; m < label.metadataAreas.length; m++) {
      const text = readMetadataArea(c.dev, label.metadataAreas[m], c.dev.name);
      if (text === null) { noteError(c); continue; }
      if (text.length == 0) continue;
      const root = parseMetadataText(text, c.dev.name);
      if (root === null) { noteError(c); continue; }
      const vgNode = firstSection(root);
      if (vgNode === null) { corrupt("lvm.metadata.vg", c.dev.name + ": metadata text holds no volume group"); noteError(c); continue; }
      const id = vgNode.str("id", "");
      const seq = vgNode.num("seqno");
      if (seqSeen.has(id) && seqSeen.get(id) != seq) seqSeen.set(id, -2); // copies differ
      else seqSeen.set(id, seq);
      if (!bestSeq.has(id) || seq > bestSeq.get(id)) { bestSeq.set(id, seq); best.set(id, vgNode); }
    }
  }
  clearError();
  const out: VolumeGroup[] = [];
  const ids = best.keys();
  for (let k = 0; k < ids.length; k++) {
    const vg = buildVg(best.get(ids[k]), byUuid);
    if (seqSeen.get(ids[k]) == -2) vg.notes.push("the physical volumes hold different metadata versions; the newest (seqno " + vg.seqno.toString() + ") is used");
    out.push(vg);
  }
  return out;
}

function noteError(c: PvCandidate): void {
  const e = lastError();
  if (e !== null && c.error.length == 0) { c.error = e.message; c.errorCode = e.code; }
  clearError();
}

function firstSection(root: CfgNode): CfgNode | null {
  for (let i = 0; i < root.children.length; i++) if (root.children[i].isSection) return root.children[i];
  return null;
}

function buildVg(node: CfgNode, byUuid: Map<string, PvCandidate>): VolumeGroup {
  const vg = new VolumeGroup(node.name);
  vg.id = node.str("id", "");
  vg.seqno = node.num("seqno");
  const es = node.num("extent_size");
  // lvm2 allows extents of 1 sector up to 2^32 sectors; anything else is damage (and would overflow)
  vg.extentBytes = es > 0 && es <= 0x100000000 ? <u64>es * SECTOR : 0;
  const pvs = new Map<string, PvRef>();
  const pvSec = node.section("physical_volumes");
  if (pvSec !== null) {
    for (let i = 0; i < pvSec.children.length; i++) {
      const p = pvSec.children[i];
      if (!p.isSection) continue;
      const id = p.str("id", "");
      const uuid = id.replaceAll("-", "");
      const peStart = p.num("pe_start"), peCount = p.num("pe_count");
      let dev: Device | null = null;
      if (byUuid.has(uuid)) {
        const c = byUuid.get(uuid);
        c.vgName = vg.name;
        dev = c.dev;
      } else vg.notes.push("physical volume " + p.name + " (" + id + ") is not on this disk");
      // out-of-range values become 0 extents, so every segment on this PV is refused as past its end
      const bad = peStart < 0 || peCount < 0 || peStart > 0x100000000000 || peCount > 0x100000000000;
      pvs.set(p.name, new PvRef(dev, bad ? 0 : <u64>peStart * SECTOR, bad ? 0 : <u64>peCount, id));
    }
  }
  const lvSec = node.section("logical_volumes");
  if (lvSec === null) return vg;
  // which LVs are snapshot copy-on-write stores (their bytes are no filesystem)
  const cows: string[] = [];
  for (let i = 0; i < lvSec.children.length; i++) {
    const l = lvSec.children[i];
    if (!l.isSection) continue;
    for (let j = 0; j < l.children.length; j++) {
      const s = l.children[j];
      if (s.isSection && s.str("type", "") == "snapshot") cows.push(s.str("cow_store", ""));
    }
  }
  for (let i = 0; i < lvSec.children.length && vg.lvs.length < MAX_LVS; i++) {
    const l = lvSec.children[i];
    if (!l.isSection) continue;
    const lv = new LogicalVolume(vg.name, l.name);
    lv.id = l.str("id", "");
    lv.status = l.strings("status");
    if (cows.includes(l.name)) {
      lv.layout = "snapshot";
      lv.error = "logical volume " + vg.name + "/" + l.name + " is a snapshot (copy-on-write store): not supported; " + SUPPORTED_NOTE;
      lv.errorCode = "lvm.lv.unsupported";
    } else if (!buildSegments(l, lv, vg, pvs)) {
      const e = lastError();
      lv.error = e !== null ? e.message : "unreadable";
      lv.errorCode = e !== null ? e.code : "lvm.lv";
      lv.segments = [];
      clearError();
    }
    vg.lvs.push(lv);
  }
  return vg;
}

function buildSegments(l: CfgNode, lv: LogicalVolume, vg: VolumeGroup, pvs: Map<string, PvRef>): bool {
  const where = "logical volume " + vg.name + "/" + lv.name;
  if (vg.extentBytes == 0) {
    corrupt("lvm.metadata.extent-size", "volume group " + vg.name + " has no valid extent_size");
    return false;
  }
  let next: u64 = 0;
  for (let i = 0; i < l.children.length; i++) {
    const s = l.children[i];
    if (!s.isSection) continue;
    if (lv.segments.length >= MAX_SEGMENTS) { limit("lvm.lv.segments", where + " has more than " + MAX_SEGMENTS.toString() + " segments"); return false; }
    const type = s.str("type", "");
    const startExt = s.num("start_extent"), count = s.num("extent_count");
    if (type != "striped" && type != "linear") {
      lv.layout = type;
      unsupported("lvm.lv.unsupported", where + " has a \"" + type + "\" segment: not supported; " + SUPPORTED_NOTE);
      return false;
    }
    if (startExt < 0 || count <= 0 || count > 0x100000000000 || <u64>startExt != next) {
      corrupt("lvm.segment.order", where + ": segment " + s.name + " starts at extent " + startExt.toString() + " where " +
        next.toString() + " was expected");
      return false;
    }
    const list = s.child("stripes");
    const n = s.num("stripe_count") > 0 ? <i32>s.num("stripe_count") : 1;
    if (list === null || n > MAX_STRIPES || list.values.length != 2 * n || (<u64>count % <u64>n) != 0) {
      corrupt("lvm.segment.stripes", where + ": segment " + s.name + " has a malformed stripes list for " + n.toString() + " stripes");
      return false;
    }
    const areaExtents = <u64>count / <u64>n;
    const stripes: LvStripe[] = [];
    for (let k = 0; k < n; k++) {
      const pvName = list.values[2 * k].str;
      const pe = list.values[2 * k + 1].num;
      if (!list.values[2 * k].isString || list.values[2 * k + 1].isString || pe < 0 || pe > 0x100000000000 || !pvs.has(pvName)) {
        corrupt("lvm.segment.stripes", where + ": segment " + s.name + " stripe " + k.toString() + " names no known physical volume");
        return false;
      }
      const pv = pvs.get(pvName);
      const dev = pv.dev;
      if (dev === null) {
        corrupt("lvm.pv.missing", where + " lies on physical volume " + pvName + " (" + pv.id + "), which is not on this disk");
        return false;
      }
      const start = pv.peStart + <u64>pe * vg.extentBytes;
      const end = start + areaExtents * vg.extentBytes;
      if (<u64>pe + areaExtents > pv.peCount || end > dev.size) {
        corrupt("lvm.segment.past-pv", where + ": segment " + s.name + " uses extents " + pe.toString() + ".." +
          (<u64>pe + areaExtents - 1).toString() + " of " + pvName + ", which has " + pv.peCount.toString() +
          " extents and ends at byte " + dev.size.toString());
        return false;
      }
      if (!lv.pvs.includes(pvName)) lv.pvs.push(pvName);
      stripes.push(new LvStripe(dev, start));
    }
    let stripeBytes: u64 = 0;
    if (n > 1) {
      const ss = s.num("stripe_size");
      stripeBytes = ss > 0 ? <u64>ss * SECTOR : 0;
      if (stripeBytes == 0 || (stripeBytes & (stripeBytes - 1)) != 0 || (vg.extentBytes % stripeBytes) != 0) {
        corrupt("lvm.segment.stripe-size", where + ": segment " + s.name + " has stripe_size " + ss.toString());
        return false;
      }
    }
    lv.stripeCount = max(lv.stripeCount, n);
    lv.segments.push(new LvSegment(next * vg.extentBytes, <u64>count * vg.extentBytes, stripeBytes, stripes));
    next += <u64>count;
  }
  lv.extents = next;
  lv.layout = lv.stripeCount > 1 ? "striped" : "linear";
  return true;
}

export { dashUuid };
