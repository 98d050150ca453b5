// SPDX-License-Identifier: Apache-2.0
// One check of one image in a fresh Node process, as the CLI runs it: read
// and compile the wasm, open the files, check, report. The parent starts one
// process per timed run (so every run pays what a CLI run pays, and peak RSS
// is the run's own) and one more with the read logs on: the host reads
// (file, offset, length: what the page cache asked the OS for) and the guest
// accesses the rules made (stat, list, read ranges, hives), which the floor
// and the peers replay.
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { basename, join } from 'node:path';
import { checkFiles } from '../src/engine/check';
import type { HostFiles, Instantiate, WasmExports } from '../src/engine/wasm';

export interface GuestLog {
  /** [vol, path as asked, resolved path, mount, kind, size, node] of every path stat'ed, listed or read */
  paths: [number, string, string, string, string, number, number][];
  /** [vol, path, offset, bytes returned] */
  reads: [number, string, number, number][];
  /** [vol, path] of the directories listed */
  lists: [number, string][];
  /** [vol, path] of the hives opened (read whole by the engine, with their logs) */
  hives: [number, string][];
}

export interface RunResult {
  /** the first check in this fresh process: what one CLI run costs (wasm compile and JIT warm-up included) */
  ms: number;
  /** CPU time of that first check (user + system, all threads): what it costs on an idle machine at most */
  cpuMs: number;
  /** a second check of the same files in the same process: the engine warm */
  warmMs?: number;
  compileMs: number;
  bytesRead: number;
  readCalls: number;
  peakWasmBytes: number;
  maxRssBytes: number;
  platform: string | null;
  os: string;
  fails: string[];
  error?: string;
  evidence: string[];
  volumes: { id: string; start: number; size: number; fs: string; mountedAt: string }[];
  gpt: boolean;
  hostReads?: [number, number, number][];
  guest?: GuestLog;
}

function logged(inst: Instantiate, log: GuestLog): Instantiate {
  return async (m, imports) => {
    const x = await inst(m, imports);
    const seen = new Set<string>();
    const note = (vol: number, path: string) => {
      const k = vol + '\0' + path;
      if (seen.has(k)) return;
      seen.add(k);
      const s = x.fsStat(vol, path, true);
      if (s === '' || s === 'null') return;
      const j = JSON.parse(s);
      log.paths.push([vol, path, j.path, j.mount, j.kind, j.size, j.node]);
      // every directory on the way was read too (the floor counts their blocks)
      for (const p of new Set([path, j.path as string])) {
        const up = p.replace(/\/[^/]*$/, '');
        if (up !== p && p !== '/') note(vol, up === '' ? '/' : up);
      }
    };
    const y: WasmExports = Object.create(x);
    Object.assign(y, {
      fsStat(vol: number, path: string, follow: boolean) { const r = x.fsStat(vol, path, follow); if (r !== '' && r !== 'null') note(vol, path); return r; },
      fsReaddir(vol: number, path: string) { const r = x.fsReaddir(vol, path); if (r !== '' && r !== 'null') { log.lists.push([vol, path]); note(vol, path); } return r; },
      fsRead(vol: number, path: string, offset: number, len: number) {
        const r = x.fsRead(vol, path, offset, len);
        if (r) { log.reads.push([vol, path, offset, r.length]); note(vol, path); }
        return r;
      },
      fsReadlink(vol: number, path: string) { const r = x.fsReadlink(vol, path); if (r !== null) note(vol, path); return r; },
      hiveOpen(vol: number, path: string) { const r = x.hiveOpen(vol, path); if (r >= 0) { log.hives.push([vol, path]); note(vol, path); } return r; },
    });
    return y;
  };
}

export async function runOnce(root: string, paths: string[], withLog: boolean): Promise<RunResult> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const mod = await WebAssembly.compile(readFileSync(join(root, 'build/guestcheck.wasm')));
  let inst = (await import(join(root, 'build/guestcheck.js'))).instantiate as Instantiate;
  const compileMs = performance.now() - t0;
  const fds = paths.map((p) => openSync(p, 'r'));
  const sizes = fds.map((fd) => fstatSync(fd).size);
  const hostReads: [number, number, number][] = [];
  const guest: GuestLog = { paths: [], reads: [], lists: [], hives: [] };
  const files: HostFiles = {
    count: fds.length,
    size: (id) => sizes[id],
    read: withLog
      ? (id, off, dst) => { const n = readSync(fds[id], dst, 0, dst.length, off); hostReads.push([id, off, n]); return n; }
      : (id, off, dst) => readSync(fds[id], dst, 0, dst.length, off),
  };
  if (withLog) inst = logged(inst, guest);
  // BENCH_PAGE_SHIFT: another page size than the CLI's 64 KiB (the page-size sweep)
  const shift = process.env.BENCH_PAGE_SHIFT ? Number(process.env.BENCH_PAGE_SHIFT) : undefined;
  const rep = await checkFiles(inst, mod, files, paths.map((p) => basename(p)), shift ? { pageShift: shift } : {});
  const ms = performance.now() - t0;
  const cu = process.cpuUsage(c0);
  let warmMs: number | undefined;
  if (!withLog && process.env.BENCH_WARM !== '0') {
    const t1 = performance.now();
    await checkFiles(inst, mod, files, paths.map((p) => basename(p)), shift ? { pageShift: shift } : {});
    warmMs = performance.now() - t1;
  }
  fds.forEach((fd) => closeSync(fd));
  const evidence = new Set<string>();
  for (const f of rep.findings) for (const e of f.evidence) if (e.path) evidence.add(e.path);
  return {
    ms, cpuMs: (cu.user + cu.system) / 1000, ...(warmMs !== undefined ? { warmMs } : {}), compileMs, bytesRead: rep.stats.bytesRead, readCalls: rep.stats.readCalls, peakWasmBytes: rep.stats.peakWasmBytes,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    platform: rep.platform, os: String(rep.findings.find((f) => f.name === 'OSVersion')?.value ?? '-'),
    fails: rep.findings.filter((f) => f.status === 'fail').map((f) => f.name),
    ...(rep.error ? { error: rep.error.code } : {}),
    evidence: [...evidence],
    volumes: rep.image.volumes.map((v) => ({ id: v.id, start: v.start, size: v.size, fs: v.fs, mountedAt: v.mountedAt })),
    gpt: rep.image.partitionTable === 'gpt',
    ...(withLog ? { hostReads, guest } : {}),
  };
}
