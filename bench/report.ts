// SPDX-License-Identifier: Apache-2.0
// The benchmark's tables and its targets (issue 9), each PASS or MISS with
// the figures it was judged on; a target with nothing measured says so.
import type { CaseRow } from './bench';
import type { PeerRow } from './peers';
import type { InflateRow } from './inflate';

export interface Target { target: string; status: 'PASS' | 'MISS' | 'NOT MEASURED'; detail: string }

interface Result {
  rows: CaseRow[];
  peers: PeerRow[];
  codec: { oursMBs: number; gzipMBs: number | null; vsGzip: number | null } | null;
  zip: { oursMBs: number; unzipMBs: number | null; vsUnzip: number | null } | null;
  inflate: InflateRow[];
  load: { start: number[]; end: number[] };
  builds: Record<string, { seconds: number; bytes: number }>;
  runs: number;
}

const pct = (a: number, b: number) => `${a >= b ? '+' : ''}${(((a - b) / b) * 100).toFixed(1)} %`;
const within = (a: number, b: number, tol: number) => Math.abs(a - b) <= tol * b;
export const mib = (n: number) => `${(n / 1048576).toFixed(n < 10 * 1048576 ? 2 : 0)} MiB`;
const size = (n: number) => (n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(n < 10 * 2 ** 30 ? 2 : 0)} GiB` : mib(n));

export function targets(r: Result): Target[] {
  const out: Target[] = [];
  const row = (tree: string, gib: number, c: string) => r.rows.find((x) => x.tree === tree && x.gib === gib && x.container === c && x.node);
  const none = (target: string, why: string) => out.push({ target, status: 'NOT MEASURED', detail: why });
  const judge = (target: string, ok: boolean, detail: string) => out.push({ target, status: ok ? 'PASS' : 'MISS', detail });

  for (const tree of ['linux', 'windows']) for (const c of ['raw', 'qcow2', 'vmdk-stream', 'vhdx', 'gz', 'zip']) {
    const a = row(tree, 2, c), b = row(tree, 200, c);
    const t = `${tree} ${c}: bytes read and time of 2 GiB vs 200 GiB within 10 %`;
    if (!a || !b) { if (a || b) none(t, '2 or 200 GiB not measured'); continue; }
    const bytesOk = within(b.node!.bytesRead, a.node!.bytesRead, 0.1);
    // time: CPU time of the check (wall time on this shared machine swings by 2× with the load);
    // within 10 %, or within 10 ms for checks so short that 10 % is below the noise
    const ca = a.node!.cpuMedianMs, cb = b.node!.cpuMedianMs;
    const timeOk = within(cb, ca, 0.1) || Math.abs(cb - ca) <= 10;
    judge(t, bytesOk && timeOk, `bytes ${a.node!.bytesRead} → ${b.node!.bytesRead} (${pct(b.node!.bytesRead, a.node!.bytesRead)}), ` +
      `CPU ${ca} → ${cb} ms (${pct(cb, ca)}); wall ${a.node!.medianMs} → ${b.node!.medianMs} ms` +
      (c === 'gz' || c === 'zip' ? '. Missed by the format: a .gz or .zip member has no index, so any reader (gzip -dc, unzip -p, guestcheck) inflates every byte once; the one pass is judged against gzip -dc / unzip -p below' : ''));
  }
  for (const x of r.rows.filter((x) => x.bytesFloor)) {
    judge(`${x.case}: bytes read within 1.5× of the floor`, x.bytesVsFloor! <= 1.5,
      `${x.node!.bytesRead} B read, floor ${x.bytesFloor!.bytes} B (${x.filesRead} files, ${x.bytesFloor!.dirsListed} dirs listed) → ${x.bytesVsFloor}×`);
  }
  const l20 = row('linux', 20, 'raw');
  if (!l20) none('full Linux check of the 20 GiB image: < 1 s Node, < 2 s Chromium', 'linux 20 GiB raw not measured');
  else {
    judge('full Linux check of the 20 GiB image < 1 s in Node', l20.node!.medianMs < 1000, `${l20.node!.medianMs} ms (median of ${l20.node!.runsMs.length}, fresh process each, wasm compile included; ` +
      `its CPU time ${l20.node!.cpuMedianMs} ms; warm, in the same process: ${l20.node!.warmMedianMs ?? '-'} ms)`);
    judge('full Linux check of the 20 GiB image < 1 s of Node CPU time (wall time on an idle machine is about this)', l20.node!.cpuMedianMs < 1000,
      `${l20.node!.cpuMedianMs} ms CPU (user + system, all threads of the fresh process)`);
    const c = l20.chromium;
    if (!c || !('medianMs' in c)) none('full Linux check of the 20 GiB image < 2 s in Chromium', c && 'skipped' in c ? c.skipped : 'not run');
    else judge('full Linux check of the 20 GiB image < 2 s in Chromium', c.medianMs < 2000, `${c.medianMs} ms (median of ${c.runsMs.length}, fresh page and worker each)`);
  }
  const vi = r.peers.find((p) => p.peer === 'virt-inspector' && p.image.startsWith('linux'));
  if (!vi || vi.ms === null) none('≥ 20× faster than virt-inspector (Linux)', vi ? vi.note ?? 'failed' : 'virt-inspector not run');
  else judge('≥ 20× faster than virt-inspector (Linux)', vi.vsGuestcheck! >= 20, `virt-inspector ${(vi.ms / 1000).toFixed(1)} s = ${vi.vsGuestcheck}× guestcheck's wall time` +
    `${vi.vsGuestcheckCpu != null ? `, ${vi.vsGuestcheckCpu}× its CPU time` : ''} (${vi.note})`);
  for (const tree of ['linux', 'windows']) {
    const w = r.peers.find((p) => p.peer === '7z-wasm' && p.image.startsWith(tree));
    if (!w) continue;
    if (w.ms === null) none(`${tree}: faster than 7z-wasm extracting the same files`, w.note ?? 'failed');
    else judge(`${tree}: faster than 7z-wasm extracting the same files`, w.vsGuestcheck! > 1, `7z-wasm ${w.ms.toFixed(0)} ms = ${w.vsGuestcheck}× guestcheck's wall time` +
      `${w.vsGuestcheckCpu != null ? `, ${w.vsGuestcheckCpu}× its CPU time` : ''}${w.note ? ` (${w.note})` : ''}`);
  }
  for (const x of r.rows.filter((x) => x.native && x.node)) {
    judge(`${x.case}: index pass ≥ 0.8× ${x.native!.tool}`, x.native!.ratio >= 0.8,
      `whole check ${x.node!.medianMs} ms vs ${x.native!.tool} ${x.native!.stopped ? `stopped unfinished after ${x.native!.ms} ms → more than ${x.native!.ratio}` : `${x.native!.ms} ms → ${x.native!.ratio}`}×`);
    const rssOk = x.node!.maxRssBytes < 256 * 1048576;
    const c = x.chromium && 'medianMs' in x.chromium ? x.chromium : null;
    const raw = row(x.tree, x.gib, 'raw');
    judge(`${x.case}: peak memory < 256 MiB`, rssOk && (!c || c.peakWasmBytes < 256 * 1048576),
      `Node peak RSS ${mib(x.node!.maxRssBytes)} (wasm ${mib(x.node!.peakWasmBytes)})${c ? `, Chromium wasm ${mib(c.peakWasmBytes)}` : ''}` +
      (raw ? `; the same check of the raw image, with no index pass, peaks at ${mib(raw.node!.maxRssBytes)} RSS (wasm ${mib(raw.node!.peakWasmBytes)}): the index pass adds the difference` : ''));
  }
  if (r.codec?.vsGzip != null) judge('gzip index pass (256 MiB fixture) ≥ 0.8× gzip -dc', r.codec.vsGzip >= 0.8, `${r.codec.oursMBs} vs ${r.codec.gzipMBs} MB/s → ${r.codec.vsGzip}×`);
  if (r.zip?.vsUnzip != null) judge('zip index pass (256 MiB fixture) ≥ 0.8× unzip -p', r.zip.vsUnzip >= 0.8, `${r.zip.oursMBs} vs ${r.zip.unzipMBs} MB/s → ${r.zip.vsUnzip}×`);
  for (const i of r.inflate) judge(`wasm inflate ≥ 0.7× Node zlib: ${i.data}`, i.ratio >= 0.7, `${i.wasmMBs} vs ${i.nodeZlibMBs} MB/s per CPU second → ${i.ratio}×`);
  return out;
}

function table(head: string[], lines: string[][]): void {
  const w = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  for (const l of [head, ...lines]) console.log(l.map((x, i) => (x ?? '').padEnd(w[i])).join('  ').trimEnd());
}

export function printTables(r: Result & { targets: Target[] }): void {
  console.log(`\n== checks (Node: a fresh process per run, wasm compile included — wall ms, its CPU ms, and a second check in the same process (warm); Chromium: a fresh page+worker per run; median of up to ${r.runs}) ==`);
  table(['case', 'file', 'Node ms', 'CPU ms', 'warm ms', 'Chromium ms', 'bytes read', 'reads', 'peak RSS', 'wasm mem', 'floor', 'vs floor', 'seq / replay ms', 'result'],
    r.rows.map((x) => {
      if (!x.node) return [x.case, '', '', '', '', '', '', '', '', '', '', '', '', `skipped: ${x.skipped}`];
      const c = x.chromium && 'medianMs' in x.chromium ? String(x.chromium.medianMs) : x.chromium && 'skipped' in x.chromium ? '-' : '';
      return [x.case, size(x.fileBytes), String(x.node.medianMs), String(x.node.cpuMedianMs), x.node.warmMedianMs === null ? '' : String(x.node.warmMedianMs), c, mib(x.node.bytesRead), String(x.node.readCalls), mib(x.node.maxRssBytes), mib(x.node.peakWasmBytes),
        x.bytesFloor ? mib(x.bytesFloor.bytes) : '', x.bytesVsFloor ? `${x.bytesVsFloor}×` : '',
        x.timeFloor ? `${x.timeFloor.sequentialMs} / ${x.timeFloor.replayMs}` : x.native ? `${x.native.tool} ${x.native.stopped ? '> ' : ''}${x.native.ms}` : '',
        x.node.error ?? `${x.node.os}${x.node.fails.length ? `; fails: ${x.node.fails.join(',')}` : ''}`];
    }));
  console.log('\n== peers (ratio = peer time / guestcheck Node time, wall and CPU; > 1: guestcheck is faster) ==');
  table(['peer', 'image', 'what', 'ms', '× guestcheck', 'CPU ms', '× CPU', 'note'],
    r.peers.map((p) => [p.peer, p.image, p.what, p.ms === null ? 'failed' : p.ms.toFixed(0), p.vsGuestcheck == null ? '' : `${p.vsGuestcheck}×`,
      p.cpuMs == null ? '' : p.cpuMs.toFixed(0), p.vsGuestcheckCpu == null ? '' : `${p.vsGuestcheckCpu}×`, p.note ?? '']));
  console.log('\n== inflate alone (32 MiB raw deflate pieces; MB/s of output per CPU second, wall-clock MB/s in brackets) ==');
  table(['data', 'wasm MB/s', 'Node zlib MB/s', 'ratio'], r.inflate.map((i) => [i.data, `${i.wasmMBs} (${i.wallWasmMBs})`, `${i.nodeZlibMBs} (${i.wallNodeZlibMBs})`, `${i.ratio}×`]));
  const b = Object.entries(r.builds);
  if (b.length) {
    console.log('\n== image builds (cached in .cache/bench; seconds when built) ==');
    table(['file', 'bytes', 'seconds'], b.map(([k, v]) => [k, size(v.bytes), String(v.seconds)]));
  }
  console.log(`\n== targets (load average at start ${r.load.start.join(' ')}, at end ${r.load.end.join(' ')}) ==`);
  for (const t of r.targets) console.log(`${t.status.padEnd(12)} ${t.target}: ${t.detail}`);
}

/** The tables as Markdown (bench/results.md; the README's bench section quotes them). */
export function markdown(r: Result & { targets: Target[]; started: string; node: string; cores: number; peersFound: Record<string, boolean> }): string {
  const L: string[] = [];
  const row = (cells: string[]) => L.push(`| ${cells.join(' | ')} |`);
  L.push(`Measured ${r.started.slice(0, 16).replace('T', ' ')} UTC, Node ${r.node}, ${r.cores} cores shared with other jobs ` +
    `(load average ${r.load.start[0]} at the start, ${r.load.end[0]} at the end); medians of up to ${r.runs} runs; ` +
    `Node: a fresh process per run (wasm compile included), Chromium: a fresh page and worker per run.`, '');
  row(['case', 'file', 'Node (CPU; warm)', 'Chromium', 'bytes read', 'reads', 'peak RSS (wasm)', 'vs floor']);
  row(['---', '---', '---', '---', '---', '---', '---', '---']);
  for (const x of r.rows) {
    if (!x.node) { row([x.case, '', '', '', '', '', '', `skipped: ${x.skipped}`]); continue; }
    const warm = x.node.warmMedianMs === null ? '' : `; ${x.node.warmMedianMs.toFixed(0)}`;
    const c = x.chromium && 'medianMs' in x.chromium ? `${x.chromium.medianMs.toFixed(0)} ms` : '–';
    row([x.case, size(x.fileBytes), `${x.node.medianMs.toFixed(0)} ms (${x.node.cpuMedianMs.toFixed(0)}${warm})`, c, mib(x.node.bytesRead), String(x.node.readCalls),
      `${mib(x.node.maxRssBytes)} (${mib(x.node.peakWasmBytes)})`, x.bytesVsFloor ? `${x.bytesVsFloor}× of ${mib(x.bytesFloor!.bytes)}` : '']);
  }
  const t = (ms: number) => (ms >= 10000 ? (ms / 1000).toFixed(1) + ' s' : ms.toFixed(0) + ' ms');
  L.push('', '| peer | image | what | wall (× guestcheck) | CPU (× guestcheck) |', '| --- | --- | --- | --- | --- |');
  for (const p of r.peers) {
    row([p.peer, p.image, p.what + (p.note && p.ms !== null ? ` — ${p.note}` : ''), p.ms === null ? `failed${p.note ? `: ${p.note}` : ''}` : `${t(p.ms)} (${p.vsGuestcheck}×)`,
      p.cpuMs == null || !Number.isFinite(p.cpuMs) ? '' : `${t(p.cpuMs)} (${p.vsGuestcheckCpu}×)`]);
  }
  L.push('', '| physical floor (warm page cache) | image | one sequential read | the same reads replayed | guestcheck |', '| --- | --- | --- | --- | --- |');
  for (const x of r.rows.filter((x) => x.timeFloor && x.container === 'raw')) row(['bytes guestcheck read', x.case, `${x.timeFloor!.sequentialMs} ms`, `${x.timeFloor!.replayMs} ms (${x.timeFloor!.reads} reads)`, `${x.node!.medianMs.toFixed(0)} ms`]);
  L.push('', '| inflate alone | wasm MB/s | Node zlib MB/s | ratio |', '| --- | --- | --- | --- |');
  for (const i of r.inflate) row([i.data, String(i.wasmMBs), String(i.nodeZlibMBs), `${i.ratio}×`]);
  L.push('', '| target | result | figures |', '| --- | --- | --- |');
  for (const t of r.targets) row([t.target, t.status, t.detail]);
  return L.join('\n') + '\n';
}
