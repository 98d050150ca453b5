// SPDX-License-Identifier: Apache-2.0
// One check, start to finish, inside whichever worker runs it: open the image
// in wasm, assemble the guest, run the rules, and build the report contract.
import type { Finding, ImageInfo, MountInfo, Progress, Report, VolumeInfo } from '../report/types';
import { instantiateEngine, type HostFiles, type Instantiate } from './wasm';
import { locateImage } from './locate';
import { wasmGuestView, wasmHiveView, HiveReadError, type HiveError } from './wasm-guest-view';
import { gatherWindowsFacts, closeWindowsFacts } from '../facts/windows/windows-facts';
import type { BcdStore } from '../facts/windows/bcd';
import { detectOs } from '../facts/os-release';
import { runRules } from '../rules/run-rules';
import { detectionOptions } from '../report/detection-options';
import { tagsFor } from '../report/tags';
import { buildRepair } from '../report/repair';
import type { OsInfo } from '../facts/os-release';
import { gatherLinuxFacts } from '../facts/linux-facts';
import { VERSION } from '../version';
import { containerInfo } from '../report/container-import';

export interface CheckOptions {
  /** page size as a power of two (9..22); 16 = 64 KiB */
  pageShift?: number;
  cacheBytes?: number;
  onProgress?: (p: Progress) => void;
}

export async function checkFiles(
  instantiate: Instantiate,
  module: WebAssembly.Module,
  files: HostFiles,
  names: string[],
  opts: CheckOptions = {},
): Promise<Report> {
  const t0 = performance.now();
  // A zip or OVA: the wasm opens the disk members inside it, as windows of the file.
  const located = await locateImage(files, names);
  if (!('error' in located)) {
    files = located.files;
    names = located.names;
  }
  let lastCalls = 0;
  // The wasm reports the index pass over a compressed image (phase 1: input bytes done of total).
  const x = await instantiateEngine(instantiate, module, files, (_phase, done, total) =>
    opts.onProgress?.({ phase: 'decompressing', bytesRead: done, readCalls: lastCalls, total }));
  x.configure(opts.pageShift ?? 16, opts.cacheBytes ?? 64 * 1024 * 1024);
  const io = () => JSON.parse(x.ioStatsJson()) as { bytesRead: number; readCalls: number; memoryBytes: number };
  const progress = (phase: Progress['phase']) => {
    const s = io();
    lastCalls = s.readCalls;
    opts.onProgress?.({ phase, bytesRead: s.bytesRead, readCalls: s.readCalls });
  };
  const stats = () => {
    const s = io();
    return { bytesRead: s.bytesRead, readCalls: s.readCalls, elapsedMs: Math.round(performance.now() - t0), peakWasmBytes: s.memoryBytes };
  };
  const base = (image: ImageInfo, platform: Report['platform'], findings: Finding[], os: OsInfo | null = null): Report => ({
    tool: { name: 'guestcheck', version: VERSION },
    image,
    platform,
    DetectionOptions: detectionOptions(findings),
    Tags: tagsFor(findings),
    findings,
    stats: stats(),
    // POSIX shell for a Linux guest, PowerShell (repair.ps1) for a Windows one
    repair: buildRepair(findings, os, names, platform),
  });

  progress('opening');
  const empty: ImageInfo = { files: names, format: 'unknown', virtualSize: 0, partitionTable: 'none', notes: [], volumes: [] };
  if ('error' in located) return { ...base(empty, null, []), error: located.error };
  names.forEach((n, i) => x.setFileName(i, n.replace(/^.*[\\/]/, '')));
  const imgText = x.openImage(files.count);
  if (imgText === '') {
    const e = JSON.parse(x.lastErrorJson()) ?? { code: 'image.unreadable', message: 'the image could not be read' };
    return { ...base(empty, null, []), error: { code: e.code, message: e.message } };
  }
  progress('filesystems');
  progress('mounting');
  const g = JSON.parse(x.mountGuest());
  const raw = g.image;
  const image: ImageInfo = {
    files: names,
    format: raw.format,
    ...(raw.compression ? { compression: raw.compression } : {}),
    ...(located.archive ? { archive: located.archive } : {}),
    virtualSize: raw.virtualSize,
    partitionTable: raw.partitionTable,
    notes: raw.notes,
    ...(raw.container ? { container: containerInfo(raw.format, raw.container, raw.compression ?? '') } : {}),
    ...(raw.tableError ? { tableError: `${raw.tableErrorCode}: ${raw.tableError}` } : {}),
    ...(raw.hasBootCode !== undefined ? { hasBootCode: raw.hasBootCode, bootCode: raw.bootCode } : {}),
    volumes: (raw.volumes as (VolumeInfo & Record<string, unknown>)[]).map((v) => ({
      id: v.id, start: v.start, size: v.size, type: v.type, typeName: v.typeName, fs: v.fs, uuid: v.uuid, label: v.label,
      partuuid: v.partuuid, partlabel: v.partlabel, mountedAt: v.mountedAt, ...(v.error ? { error: v.error, ...(v.errorCode ? { errorCode: v.errorCode } : {}) } : {}),
      ...(v.lvm ? { lvm: { vg: v.lvm.vg, lv: v.lvm.lv, layout: v.lvm.layout, stripes: v.lvm.stripes, mapperPath: v.lvm.mapperPath, vgPath: v.lvm.vgPath } } : {}),
    })),
  };
  const platform: Report['platform'] = g.platform === 'Linux' || g.platform === 'Windows' ? g.platform : null;
  const guest = platform ? wasmGuestView(x) : null;
  progress('checking');
  const mounts = g.mounts as MountInfo[];
  const volumeView = (id: string) => {
    const i = image.volumes.findIndex((v) => v.id === id);
    return i >= 0 && image.volumes[i].fs !== '' ? wasmGuestView(x, i) : null;
  };
  const os = guest && platform === 'Linux' ? detectOs(guest) : null;
  // the facts several items share, once; reading the initramfs is the async part
  const facts = guest && platform === 'Linux' ? await gatherLinuxFacts(guest) : undefined;
  const volIndex = (id?: string) => (id === undefined ? -1 : image.volumes.findIndex((v) => v.id === id));
  const hive = (path: string, vol?: string) => {
    const i = volIndex(vol);
    return vol !== undefined && i < 0 ? null : wasmHiveView(x, path, i);
  };
  const bcd = (path: string, vol?: string): BcdStore | null => {
    const i = volIndex(vol);
    if (vol !== undefined && i < 0) return null;
    const h = x.hiveOpen(i, path);
    if (h < 0) {
      const e = JSON.parse(x.lastErrorJson()) as HiveError | null;
      if (e === null) return null;
      throw new HiveReadError(e);
    }
    try {
      const s = x.bcdJson(h);
      if (s === '') throw new HiveReadError(JSON.parse(x.lastErrorJson()) as HiveError);
      return JSON.parse(s) as BcdStore;
    } finally {
      x.hiveClose(h);
    }
  };
  const windows = guest && platform === 'Windows' ? gatherWindowsFacts(hive) : undefined;
  const findings = runRules({
    image, platform, guest, rootReason: g.rootReason, os, mounts, volumeView, ...(facts ? { facts } : {}),
    ...(platform === 'Windows' ? { hive, bcd, ...(windows ? { windows } : {}) } : {}),
  });
  if (windows) closeWindowsFacts(windows);
  progress('done');
  return base(image, platform, findings, os);
}
