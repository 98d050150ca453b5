// SPDX-License-Identifier: Apache-2.0
// One check, start to finish, inside whichever worker runs it: open the image
// in wasm, assemble the guest, run the rules, and build the report contract.
import type { Finding, ImageInfo, Progress, Report, VolumeInfo } from '../report/types';
import { instantiateEngine, type HostFiles, type Instantiate } from './wasm';
import { wasmGuestView } from './wasm-guest-view';
import { detectOs } from '../facts/os-release';
import { runRules } from '../rules/run-rules';
import { gatherLinuxFacts } from '../facts/linux-facts';
import { detectionOptions, imageTags } from '../report/detection-options';
import { VERSION } from '../version';

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
  const x = await instantiateEngine(instantiate, module, files);
  x.configure(opts.pageShift ?? 16, opts.cacheBytes ?? 64 * 1024 * 1024);
  const io = () => JSON.parse(x.ioStatsJson()) as { bytesRead: number; readCalls: number; memoryBytes: number };
  const progress = (phase: Progress['phase']) => {
    const s = io();
    opts.onProgress?.({ phase, bytesRead: s.bytesRead, readCalls: s.readCalls });
  };
  const stats = () => {
    const s = io();
    return { bytesRead: s.bytesRead, readCalls: s.readCalls, elapsedMs: Math.round(performance.now() - t0), peakWasmBytes: s.memoryBytes };
  };
  const base = (image: ImageInfo, platform: Report['platform'], findings: Finding[]): Report => ({
    tool: { name: 'guestcheck', version: VERSION },
    image,
    platform,
    DetectionOptions: detectionOptions(findings),
    Tags: findings.some((f) => f.status === 'fail') ? [] : imageTags(findings),
    findings,
    stats: stats(),
  });

  progress('opening');
  const imgText = x.openImage(files.count);
  if (imgText === '') {
    const e = JSON.parse(x.lastErrorJson()) ?? { code: 'image.unreadable', message: 'the image could not be read' };
    const empty: ImageInfo = { files: names, format: 'unknown', virtualSize: 0, partitionTable: 'none', notes: [], volumes: [] };
    return { ...base(empty, null, []), error: { code: e.code, message: e.message } };
  }
  progress('filesystems');
  progress('mounting');
  const g = JSON.parse(x.mountGuest());
  const raw = g.image;
  const image: ImageInfo = {
    files: names,
    format: raw.format,
    virtualSize: raw.virtualSize,
    partitionTable: raw.partitionTable,
    notes: raw.notes,
    ...(raw.tableError ? { tableError: `${raw.tableErrorCode}: ${raw.tableError}` } : {}),
    volumes: (raw.volumes as (VolumeInfo & Record<string, unknown>)[]).map((v) => ({
      id: v.id, start: v.start, size: v.size, type: v.type, typeName: v.typeName, fs: v.fs, uuid: v.uuid, label: v.label,
      partuuid: v.partuuid, partlabel: v.partlabel, mountedAt: v.mountedAt, ...(v.error ? { error: v.error } : {}),
    })),
  };
  const platform: Report['platform'] = g.platform === 'Linux' ? 'Linux' : null;
  const guest = platform ? wasmGuestView(x) : null;
  progress('checking');
  // the facts several items share, once; reading the initramfs is the async part
  const facts = guest && platform === 'Linux' ? await gatherLinuxFacts(guest) : undefined;
  const findings = runRules({ image, platform, guest, rootReason: g.rootReason, os: guest ? detectOs(guest) : null, ...(facts ? { facts } : {}) });
  progress('done');
  return base(image, platform, findings);
}
