// SPDX-License-Identifier: Apache-2.0
// The wasm module's exports: open an image, assemble the guest, and answer
// the rules' questions about its files. One image per instance; the worker
// starts a fresh instance for the next image. Structured answers cross as
// small JSON texts, file contents as byte arrays.

import { HostFile, configureCache, resetStats, stats, pageSize } from "./io/page-cache";
import { Disk, Volume, openDisk } from "./guest/disk";
import { Guest, assembleGuest } from "./guest/guest";
import { Vfs, Mount, Loc } from "./guest/vfs";
import { FileKind, Stat, kindName } from "./fs/filesystem";
import { JsonWriter } from "./util/json";
import { lastError, clearError, kindName as errorKindName, unsupported, corrupt } from "./util/error";
import { Device } from "./io/device";
import { Hive, openHive } from "./hive/hive";
import { KeyNode } from "./hive/cells";
import { FileDevice } from "./hive/file-device";
import { keyJson, hiveInfoJson as infoJson } from "./hive/value-json";
import { bcdJson as bcdStoreJson } from "./hive/bcd";
import { inflateRaw, inflateRawPrefix, inflateZlib, inflateZlibPrefix } from "./codec/inflate";
import { zstdDecompress } from "./codec/zstd";
import { configureIndex } from "./codec/zran";
import { configureWindowIndex, lastWindowIndex } from "./codec/window-index";
import { setFileEncoding as registerEncoding } from "./container/compressed";

let disk: Disk | null = null;
let guest: Guest | null = null;
/** names the host gave its files: backing files, parents and extents are matched by them */
const fileNames = new Map<i32, string>();

/** Names file `id` (its base name, e.g. "disk-s001.vmdk"); call before openImage. */
export function setFileName(id: i32, name: string): void {
  fileNames.set(id, name);
}

export function configure(pageShift: i32, cacheBytes: f64): void {
  configureCache(<u32>pageShift, <usize>cacheBytes);
}

export function lastErrorJson(): string {
  const e = lastError();
  if (e === null) return "null";
  return new JsonWriter().beginObject().prop("kind", errorKindName(e.kind)).prop("code", e.code).prop("message", e.message).endObject().toString();
}

export function clearLastError(): void { clearError(); }

export function ioStatsJson(): string {
  return new JsonWriter().beginObject()
    .propNum("bytesRead", stats.bytesRead).propNum("readCalls", stats.readCalls)
    .propNum("cacheHits", stats.cacheHits).propNum("cacheMisses", stats.cacheMisses)
    .propNum("pageSize", <f64>pageSize())
    .propNum("memoryBytes", <f64>(<u64>memory.size() << 16))
    .endObject().toString();
}

function volumeJson(w: JsonWriter, v: Volume): void {
  w.beginObject();
  w.prop("id", v.id).propNum("start", <f64>v.start).propNum("size", <f64>v.dev.size);
  const p = v.part;
  w.prop("type", p !== null ? p.type : "").prop("typeName", p !== null ? p.typeName : "");
  w.prop("fs", v.probe.type).prop("uuid", v.probe.uuid).prop("label", v.probe.label);
  if (v.probe.version != 0) w.propNum("fsVersion", v.probe.version);
  w.prop("partuuid", p !== null ? p.partuuid : "").prop("partlabel", p !== null ? p.partlabel : "");
  w.propBool("bootable", p !== null ? p.bootable : false);
  w.prop("mountedAt", v.mountedAt);
  if (v.probe.error.length > 0) w.prop("error", v.probe.error).prop("errorCode", v.probe.errorCode);
  const lv = v.lv;
  if (lv !== null) {
    w.objKey("lvm").prop("vg", lv.vg).prop("lv", lv.name).prop("uuid", lv.id).prop("layout", lv.layout)
      .propNum("stripes", lv.stripeCount).propNum("segments", lv.segments.length)
      .prop("mapperPath", lv.mapperPath).prop("vgPath", lv.vgPath);
    w.arrKey("pvs");
    for (let i = 0; i < lv.pvs.length; i++) w.str(lv.pvs[i]);
    w.endArray().endObject();
  }
  const fs = v.probe.fs;
  if (fs !== null) w.raw("features", fs.describe());
  w.endObject();
}

/**
 * Opens file `fileId` (files 0..fileCount-1 are the ones the person gave).
 * Returns the image JSON, or "" with lastErrorJson() telling why.
 */
export function openImage(fileCount: i32): string {
  clearError();
  resetStats();
  disk = null;
  guest = null;
  hives.length = 0;
  if (fileCount < 1 || fileCount > 64) {
    unsupported("image.files", "expected 1 to 64 files, got " + fileCount.toString());
    return "";
  }
  const files: HostFile[] = [];
  for (let i = 0; i < fileCount; i++) files.push(new HostFile(i, fileNames.has(i) ? fileNames.get(i) : "file " + i.toString()));
  const d = openDisk(files);
  if (d === null) return "";
  disk = d;
  return imageJson(d);
}

function imageJson(d: Disk): string {
  const w = new JsonWriter().beginObject();
  const c = d.container;
  w.prop("format", c.format).propNum("virtualSize", <f64>d.dev.size);
  w.objKey("container").prop("subformat", c.subformat).prop("topFile", c.topFile)
    .propNum("fileSize", <f64>c.fileSize).propNum("allocatedSize", <f64>c.allocatedSize)
    .propNum("clusterSize", c.clusterSize).prop("compression", c.compression);
  w.arrKey("backingChain");
  for (let i = 0; i < c.backingChain.length; i++) w.str(c.backingChain[i]);
  w.endArray();
  w.arrKey("files");
  for (let i = 0; i < c.fileNames.length; i++) w.str(c.fileNames[i]);
  w.endArray();
  w.endObject();
  if (d.compression.length > 0) w.prop("compression", d.compression);
  const t = d.table;
  w.prop("partitionTable", t !== null ? t.kind : "none");
  if (t !== null) {
    w.prop("diskId", t.diskId).propNum("sectorSize", t.sectorSize);
    w.prop("bootCode", t.bootCode).propBool("hasBootCode", t.hasBootCode);
  }
  w.arrKey("notes");
  for (let i = 0; i < d.compressionNotes.length; i++) w.str(d.compressionNotes[i]);
  for (let i = 0; i < d.container.notes.length; i++) w.str(d.container.notes[i]);
  if (t !== null) for (let i = 0; i < t.notes.length; i++) w.str(t.notes[i]);
  w.endArray();
  if (d.tableError.length > 0) w.prop("tableError", d.tableError).prop("tableErrorCode", d.tableErrorCode);
  w.arrKey("volumes");
  for (let i = 0; i < d.volumes.length; i++) volumeJson(w, d.volumes[i]);
  w.endArray();
  if (d.vgs.length > 0) {
    w.arrKey("volumeGroups");
    for (let i = 0; i < d.vgs.length; i++) {
      const vg = d.vgs[i];
      w.beginObject().prop("name", vg.name).prop("uuid", vg.id).propNum("seqno", <f64>vg.seqno)
        .propNum("extentSize", <f64>vg.extentBytes).propNum("logicalVolumes", vg.lvs.length);
      w.arrKey("notes");
      for (let k = 0; k < vg.notes.length; k++) w.str(vg.notes[k]);
      w.endArray().endObject();
    }
    w.endArray();
  }
  w.endObject();
  return w.toString();
}

/** Finds the root and mounts the guest's fstab; returns the guest JSON. */
export function mountGuest(): string {
  clearError();
  const d = disk;
  if (d === null) { unsupported("guest.no-image", "no image is open"); return ""; }
  const g = assembleGuest(d);
  guest = g;
  const w = new JsonWriter().beginObject();
  w.prop("platform", g.platform);
  const r = g.root;
  w.prop("root", r !== null ? r.id : "").prop("rootReason", g.rootReason);
  w.arrKey("mounts");
  for (let i = 0; i < g.mounts.length; i++) {
    const m = g.mounts[i];
    w.beginObject().propNum("line", m.line).prop("spec", m.spec).prop("path", m.path).prop("vfstype", m.vfstype)
      .prop("options", m.options).prop("status", m.status)
      .prop("volume", m.volume >= 0 ? d.volumes[m.volume].id : "").prop("detail", m.detail).endObject();
  }
  w.endArray();
  w.raw("image", imageJson(d));
  w.endObject();
  return w.toString();
}

// ---- file access: vol < 0 means the guest tree, else that volume alone ----

function vfsFor(vol: i32): Vfs | null {
  if (vol < 0) {
    const g = guest;
    if (g === null || g.root === null) { unsupported("guest.no-root", "no guest root filesystem is mounted"); return null; }
    return g.vfs;
  }
  const d = disk;
  if (d === null || vol >= d.volumes.length) { unsupported("volume.index", "no volume " + vol.toString()); return null; }
  const v = d.volumes[vol];
  const fs = v.probe.fs;
  if (fs === null) {
    unsupported("volume.no-fs", "volume " + v.id + " has no readable filesystem" + (v.probe.error.length > 0 ? ": " + v.probe.error : ""));
    return null;
  }
  const vfs = new Vfs();
  vfs.mount(new Mount("/", fs, fs.rootNode, vol));
  return vfs;
}

function statJson(st: Stat, loc: Loc): string {
  return new JsonWriter().beginObject()
    .prop("kind", kindName(st.kind)).propNum("mode", st.mode).propNum("size", <f64>st.size)
    .propNum("uid", st.uid).propNum("gid", st.gid).propNum("nlink", st.nlink).propNum("mtime", <f64>st.mtime)
    .propNum("node", <f64>st.node).prop("path", loc.path).prop("mount", loc.mount.path)
    .endObject().toString();
}

/** stat as JSON, "null" when absent, "" on error. */
export function fsStat(vol: i32, path: string, follow: bool): string {
  clearError();
  const vfs = vfsFor(vol);
  if (vfs === null) return "";
  const loc = vfs.resolve(path, follow);
  if (loc === null) return lastError() !== null ? "" : "null";
  const st = loc.mount.fs.stat(loc.node);
  if (st === null) return "";
  return statJson(st, loc);
}

/** Directory entries as JSON, "null" when absent, "" on error. */
export function fsReaddir(vol: i32, path: string): string {
  clearError();
  const vfs = vfsFor(vol);
  if (vfs === null) return "";
  const loc = vfs.resolve(path, true);
  if (loc === null) return lastError() !== null ? "" : "null";
  const st = loc.mount.fs.stat(loc.node);
  if (st === null) return "";
  if (st.kind != FileKind.Dir) { corrupt("path.not-dir", path + " is not a directory"); return ""; }
  const list = loc.mount.fs.readdir(loc.node);
  if (list === null) return "";
  const w = new JsonWriter().beginArray();
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    w.beginObject().prop("name", e.name).prop("kind", kindName(e.kind)).propNum("node", <f64>e.node).endObject();
  }
  w.endArray();
  return w.toString();
}

/** Up to `len` bytes of a file at `offset`; null when absent or on error (see lastErrorJson). */
export function fsRead(vol: i32, path: string, offset: f64, len: i32): Uint8Array | null {
  clearError();
  const vfs = vfsFor(vol);
  if (vfs === null) return null;
  const loc = vfs.resolve(path, true);
  if (loc === null) return null;
  const st = loc.mount.fs.stat(loc.node);
  if (st === null) return null;
  if (st.kind != FileKind.File) { corrupt("path.not-file", path + " is not a regular file"); return null; }
  if (len < 0) len = 0;
  const off = offset < 0 ? <u64>0 : <u64>offset;
  const avail = off >= st.size ? <u64>0 : st.size - off;
  const n = <i32>min(<u64>len, avail);
  const buf = new Uint8Array(n);
  if (n == 0) return buf;
  const got = loc.mount.fs.read(loc.node, off, n, buf.dataStart);
  if (got < 0) return null;
  return got == n ? buf : buf.slice(0, got);
}

/** A symlink's target; null when absent, not a link, or on error. */
export function fsReadlink(vol: i32, path: string): string | null {
  clearError();
  const vfs = vfsFor(vol);
  if (vfs === null) return null;
  const loc = vfs.resolve(path, false);
  if (loc === null) return null;
  const st = loc.mount.fs.stat(loc.node);
  if (st === null || st.kind != FileKind.Symlink) return null;
  return loc.mount.fs.readlink(loc.node);
}

/** Raw bytes of a volume (vol >= 0) or of the whole virtual disk (vol < 0). */
export function rawRead(vol: i32, offset: f64, len: i32): Uint8Array | null {
  clearError();
  const d = disk;
  if (d === null) { unsupported("guest.no-image", "no image is open"); return null; }
  const dev = vol < 0 ? d.dev : (vol < d.volumes.length ? d.volumes[vol].dev : null);
  if (dev === null) { unsupported("volume.index", "no volume " + vol.toString()); return null; }
  return dev.read(<u64>offset, len);
}

// ---- registry hives: handles to hives opened from guest files (or host files in tests) ----

const hives: Array<Hive | null> = [];

function hiveHandle(h: Hive): i32 {
  hives.push(h);
  return hives.length - 1;
}

function hiveAt(h: i32): Hive | null {
  if (h < 0 || h >= hives.length || hives[h] === null) { unsupported("hive.handle", "no open hive " + h.toString()); return null; }
  return hives[h];
}

/** A regular file of the guest tree (vol < 0) or of volume `vol` as a Device; null when absent or on error. */
function fileDevice(vol: i32, path: string): Device | null {
  const vfs = vfsFor(vol);
  if (vfs === null) return null;
  const loc = vfs.resolve(path, true);
  if (loc === null) return null;
  const st = loc.mount.fs.stat(loc.node);
  if (st === null) return null;
  if (st.kind != FileKind.File) { corrupt("path.not-file", path + " is not a regular file"); return null; }
  return new FileDevice(loc.mount.fs, loc.node, st.size, path);
}

/**
 * Opens the hive at `path` (with its .LOG1/.LOG2 beside it, applied in memory
 * when the hive is dirty). Returns a handle, or -1: absent (no error) or
 * failed (lastErrorJson tells why).
 */
export function hiveOpen(vol: i32, path: string): i32 {
  clearError();
  const dev = fileDevice(vol, path);
  if (dev === null) return -1;
  const logs: Device[] = [];
  const names: string[] = [];
  const sfx = ["LOG1", "LOG2"];
  for (let i = 0; i < 2; i++) {
    const l = fileDevice(vol, path + "." + sfx[i]);
    if (l !== null && l.size > 0) { logs.push(l); names.push(path + "." + sfx[i]); }
    clearError();
  }
  const h = openHive(dev, path, logs, names);
  return h === null ? -1 : hiveHandle(h);
}

/** Opens host file `fileId` as a hive, with host files log1/log2 (-1: none) as its logs. */
export function hiveOpenHost(fileId: i32, log1: i32, log2: i32): i32 {
  clearError();
  const dev = new HostFile(fileId, "file " + fileId.toString());
  const logs: Device[] = [];
  const names: string[] = [];
  if (log1 >= 0) { logs.push(new HostFile(log1, "file " + log1.toString())); names.push("file " + log1.toString()); }
  if (log2 >= 0) { logs.push(new HostFile(log2, "file " + log2.toString())); names.push("file " + log2.toString()); }
  const h = openHive(dev, "file " + fileId.toString(), logs, names);
  return h === null ? -1 : hiveHandle(h);
}

export function hiveClose(h: i32): void {
  if (h >= 0 && h < hives.length) hives[h] = null;
}

/** Base block facts and the log replay as JSON, "" on error. */
export function hiveInfoJson(h: i32): string {
  clearError();
  const hv = hiveAt(h);
  return hv === null ? "" : infoJson(hv);
}

/** The key at `keyPath` (backslash-separated, any case) as JSON; "null" when absent, "" on error. */
export function hiveKeyJson(h: i32, keyPath: string): string {
  clearError();
  const hv = hiveAt(h);
  if (hv === null) return "";
  const k = hv.key(keyPath);
  if (k === null) return lastError() !== null ? "" : "null";
  return keyJson(hv, k, keyPath);
}

/** The key whose cell is at `offset` (from a subkeys list) as JSON; "" on error. */
export function hiveKeyAtJson(h: i32, offset: f64): string {
  clearError();
  const hv = hiveAt(h);
  if (hv === null) return "";
  const k = KeyNode.read(hv.cells, <u32>offset);
  if (k === null) return "";
  return keyJson(hv, k, "");
}

/** The BCD store in hive `h`, decoded, matched to the image's volumes; "" on error. */
export function bcdJson(h: i32): string {
  clearError();
  const hv = hiveAt(h);
  if (hv === null) return "";
  return bcdStoreJson(hv, disk);
}

// ---- codec self-test: one-shot inflate of bytes the host passes in ----

/** format 0 = raw deflate, 1 = zlib, 2 = raw deflate prefix, 3 = zlib prefix; null with the error set on failure. */
export function codecInflate(src: Uint8Array, dstLen: i32, format: i32): Uint8Array | null {
  clearError();
  const dst = new Uint8Array(dstLen);
  const n = format == 1 ? inflateZlib(src, dst) : format == 2 ? inflateRawPrefix(src, dst) : format == 3 ? inflateZlibPrefix(src, dst) : inflateRaw(src, dst);
  return n < 0 ? null : dst.slice(0, n);
}

let inflateScratch: Uint8Array | null = null;

/** Benchmark: raw deflate src into a reused buffer of dstLen bytes, nothing copied out; bytes produced, or -1. */
export function codecInflateCount(src: Uint8Array, dstLen: i32): i32 {
  clearError();
  let dst = inflateScratch;
  if (dst === null || dst.length != dstLen) inflateScratch = dst = new Uint8Array(dstLen);
  return inflateRaw(src, dst);
}

/** One-shot zstd (every frame of src) into at most dstLen bytes; null with the error set. */
export function codecZstd(src: Uint8Array, dstLen: i32): Uint8Array | null {
  clearError();
  const dst = new Uint8Array(dstLen);
  const n = zstdDecompress(src, dst);
  return n < 0 ? null : dst.slice(0, n);
}

/** Checkpoint spacing, window budget and largest cached segment of compressed-stream indexes (tests). */
export function codecConfigureIndex(spacing: f64, maxWindows: i32, maxSegment: i32): void {
  configureIndex(<u64>spacing, maxWindows, maxSegment);
}

/** Memory budget and first spacing of the window index inside one zstd frame / LZMA2 block (tests; 0 = defaults). */
export function codecConfigureWindowIndex(budget: f64, spacing: f64): void {
  configureWindowIndex(<i64>budget, <u64>spacing);
}

/** Facts of the last window index built: checkpoints, pages and bytes it holds (tests, bench). */
export function codecWindowIndexJson(): string {
  const s = lastWindowIndex;
  return '{"points":' + s.points.toString() + ',"pages":' + s.pages.toString() + ',"indexBytes":' + s.indexBytes.toString() +
    ',"bufferBytes":' + s.bufferBytes.toString() + ',"spacing":' + s.spacing.toString() + ',"outputBytes":' + s.outputBytes.toString() + '}';
}

/** Before openImage: file `id` holds `kind`-encoded bytes (1 = raw deflate) of `size` bytes; crc32 < 0 when unknown. */
export function setFileEncoding(id: i32, kind: i32, size: f64, crc32: f64): void {
  registerEncoding(id, kind, <u64>size, <i64>crc32);
}
