// SPDX-License-Identifier: Apache-2.0
// One check, start to finish, inside whichever worker runs it: open the image
// in wasm, assemble the guest, run the rules, and build the report contract.
import type { Finding, ImageInfo, MountInfo, Progress, Report, VolumeInfo } from '../report/types';
import { instantiateEngine, type HostFiles, type Instantiate } from './wasm';
import { locateImage } from './locate';
import { wasmGuestView, wasmHiveView, HiveReadError, GuestReadError, type HiveError } from './wasm-guest-view';
import { gatherWindowsFacts, closeWindowsFacts } from '../facts/windows/windows-facts';
import type { BcdStore } from '../facts/windows/bcd';
import { detectOs } from '../facts/os-release';
import { runRules } from '../rules/run-rules';
import type { RuleContext } from '../rules/rule';
import { detectionOptions } from '../report/detection-options';
import { tagsFor } from '../report/tags';
import { buildRepair } from '../report/repair';
import type { OsInfo } from '../facts/os-release';
import { gatherLinuxFacts } from '../facts/linux-facts';
import { VERSION } from '../version';
import { containerInfo } from '../report/container-import';
import { EngineStopped, TimeBudget, budgetFor, classifyFailure, phaseText } from './budget';

export interface CheckOptions {
  /** page size as a power of two (9..22); 16 = 64 KiB */
  pageShift?: number;
  cacheBytes?: number;
  /** milliseconds the check may take before it stops with limit.time; default budgetFor(input bytes) */
  timeBudgetMs?: number;
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
  let inputBytes = 0;
  for (let i = 0; i < files.count; i++) inputBytes += files.size(i);
  let lastCalls = 0, lastRead = 0, peak = 0;
  // the heartbeat repeats the last progress: a watchdog outside the worker sees the engine alive
  let last: Progress = { phase: 'opening', bytesRead: 0, readCalls: 0 };
  const emit = (p: Progress) => { last = p; opts.onProgress?.(p); };
  const budget = new TimeBudget(opts.timeBudgetMs ?? budgetFor(inputBytes), () => opts.onProgress?.(last));
  // The wasm reports the index pass over a compressed image (phase 1: input bytes done of total).
  const x = await instantiateEngine(instantiate, module, files, (_phase, done, total) => {
    budget.phase = 'decompressing';
    emit({ phase: 'decompressing', bytesRead: done, readCalls: lastCalls, total });
  }, budget);
  x.configure(opts.pageShift ?? 16, opts.cacheBytes ?? 64 * 1024 * 1024);
  const io = () => JSON.parse(x.ioStatsJson()) as { bytesRead: number; readCalls: number; memoryBytes: number };
  const progress = (phase: Progress['phase']) => {
    budget.phase = phase;
    budget.poll();
    const s = io();
    lastCalls = s.readCalls;
    emit({ phase, bytesRead: s.bytesRead, readCalls: s.readCalls });
  };
  const stats = () => {
    // a stopped engine answers nothing more: its last figures stand
    if (budget.stopped === null) {
      const s = io();
      lastCalls = s.readCalls;
      lastRead = s.bytesRead;
      peak = s.memoryBytes;
    } else {
      peak = Math.max(peak, x.memory.buffer.byteLength);
    }
    return { bytesRead: lastRead, readCalls: lastCalls, elapsedMs: Math.round(performance.now() - t0), peakWasmBytes: peak };
  };
  /** "stopped while mounting the filesystems of disk.img: the check ran over its time budget of 300 s" */
  const stopMessage = (e: EngineStopped) => `guestcheck stopped while ${phaseText(budget.stoppedIn ?? budget.phase)} of ${names.join(', ')}: ${e.message}`;
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

  const empty: ImageInfo = { files: names, format: 'unknown', virtualSize: 0, partitionTable: 'none', notes: [], volumes: [] };
  if ('error' in located) return { ...base(empty, null, []), error: located.error };
  /** The report of a check the engine could not finish: a trap, a limit or a spent budget, with the phase it hit. */
  const stoppedReport = (e: unknown, image: ImageInfo): Report => {
    const stop = classifyFailure(e, x.memory.buffer.byteLength);
    budget.onStop(stop);
    return { ...base(image, null, []), error: { code: stop.code, message: stopMessage(stop) } };
  };

  let g: any, image: ImageInfo;
  try {
    progress('opening');
    names.forEach((n, i) => x.setFileName(i, n.replace(/^.*[\\/]/, '')));
    const imgText = x.openImage(files.count);
    if (imgText === '') {
      const e = JSON.parse(x.lastErrorJson()) ?? { code: 'image.unreadable', message: 'the image could not be read' };
      return { ...base(empty, null, []), error: { code: e.code, message: e.message } };
    }
    progress('filesystems');
    progress('mounting');
    g = JSON.parse(x.mountGuest());
    const raw = g.image;
    image = {
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
    progress('checking');
  } catch (e) {
    return stoppedReport(e, empty);
  }
  // From here the items run: an engine that stops part way leaves the items
  // that needed it in error (runRules catches each), and the rest still run.
  const stoppable = async <T>(f: () => T | Promise<T>, otherwise: T): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      // damage the shared facts ran into: the items that need them meet it again and report it
      if (e instanceof GuestReadError) return otherwise;
      if (!(e instanceof EngineStopped)) throw e;
      budget.onStop(e);
      return otherwise;
    }
  };
  const platform: Report['platform'] = g.platform === 'Linux' || g.platform === 'Windows' ? g.platform : null;
  const guest = platform ? wasmGuestView(x) : null;
  const mounts = g.mounts as MountInfo[];
  const volumeView = (id: string) => {
    const i = image.volumes.findIndex((v) => v.id === id);
    return i >= 0 && image.volumes[i].fs !== '' ? wasmGuestView(x, i) : null;
  };
  // os-release that exists but cannot be read is every OS-dependent item's error, not "no os-release"
  let osError: GuestReadError | null = null;
  const os = guest && platform === 'Linux' ? await stoppable(() => {
    try { return detectOs(guest); } catch (e) { if (e instanceof GuestReadError) osError = e; throw e; }
  }, null) : null;
  // the facts several items share, once; reading the initramfs is the async part
  const facts = guest && platform === 'Linux' ? await stoppable(() => gatherLinuxFacts(guest), undefined) : undefined;
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
  const windows = guest && platform === 'Windows' ? await stoppable(() => gatherWindowsFacts(hive), undefined) : undefined;
  const ctx: RuleContext = {
    image, platform, guest, rootReason: g.rootReason, os, mounts, volumeView, ...(facts ? { facts } : {}),
    ...(platform === 'Windows' ? { hive, bcd, ...(windows ? { windows } : {}) } : {}),
  };
  if (osError !== null) {
    const err: GuestReadError = osError;
    Object.defineProperty(ctx, 'os', { get: () => { throw err; } });
  }
  const findings = runRules(ctx);
  await stoppable(() => { if (windows) closeWindowsFacts(windows); }, undefined);
  await stoppable(() => progress('done'), undefined);
  const stop = budget.stopped;
  if (stop !== null) image.notes = [...image.notes, `${stopMessage(stop)}; the items that needed the image after that report an error`];
  return base(image, platform, findings, osError === null ? os : null);
}
