// SPDX-License-Identifier: Apache-2.0
// One zstd frame / one xz block holding a whole disk (plain `zstd FILE`,
// single-threaded `xz FILE`), read through the checkpoint index inside the
// stream (asm/codec/window-index.ts):
//  - the index pass over debian12-gpt (256 MiB) against `zstd -dc` / `xz -dc`
//    on the same file, side by side (MB/s of output, ratio > 1 = faster);
//  - a 20 GiB sparse disk (debian12-cloud at 0, debian12-gpt at 19 GiB)
//    compressed by `zstd` as one frame: the index's memory, the pass's time
//    and bytes read, and random 4 KiB reads (over the whole disk and over the
//    data only). BENCH_XZ20=1 adds the same for `xz -0` (≈ 3 min to compress).
// Compressed files live in .cache/bench (the 20 GiB raw is deleted after).
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Instantiate } from '../src/engine/wasm';
import { openEngine } from './engine-file';
import { median } from './peers';

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

function compress(tool: string, args: string[], raw: string, out: string): boolean {
  if (existsSync(out)) return true;
  return spawnSync('sh', ['-c', `${tool} ${args.join(' ')} -c < '${raw}' > '${out}.tmp' && mv '${out}.tmp' '${out}'`], { stdio: 'inherit' }).status === 0;
}

/** Index pass throughput vs the tool's own decompressor. */
export async function benchWindowPass(root: string, mod: WebAssembly.Module, inst: Instantiate, cache: string, runs = 3) {
  const raw = join(cache, 'debian12-gpt.img');
  if (!existsSync(raw)) writeFileSync(raw, gunzipSync(readFileSync(join(root, 'test/fixtures/guest/debian12-gpt.img.gz'))));
  const rows = [];
  for (const [tool, args, ext] of [['zstd', ['-3', '-q'], 'zst'], ['zstd', ['-19', '-q'], '19.zst'], ['xz', ['-6', '-T1'], 'xz']] as [string, string[], string][]) {
    if (!has(tool)) { console.log(`${tool} not installed: the single-${tool === 'xz' ? 'block' : 'frame'} pass is skipped`); continue; }
    const path = join(cache, `debian12-gpt.one.${ext}`);
    if (!compress(tool, args, raw, path)) continue;
    const ours: number[] = [], theirs: number[] = [];
    let out = 0;
    for (let i = 0; i < runs; i++) {
      const o = await openEngine(path, mod, inst);
      ours.push(o.ms);
      out = o.img.virtualSize;
      o.close();
      const t = performance.now();
      if (spawnSync('sh', ['-c', `${tool} -dc '${path}' >/dev/null`]).status === 0) theirs.push(performance.now() - t);
    }
    const mbs = (ms: number) => +(out / ms / 1e3).toFixed(0);
    const row = {
      case: `single ${tool === 'xz' ? 'xz block' : 'zstd frame'} index pass (debian12-gpt, ${tool} ${args.filter((a) => a !== '-q').join(' ')})`,
      outputBytes: out,
      oursMBs: mbs(median(ours)),
      toolMBs: theirs.length ? mbs(median(theirs)) : null,
      vsTool: theirs.length ? +(median(theirs) / median(ours)).toFixed(2) : null,
    };
    console.log(`${row.case}: ${row.oursMBs} MB/s of output; ${tool} -dc ${row.toolMBs ?? '-'} MB/s (ratio ${row.vsTool ?? '-'}); ratio > 1 = faster than ${tool}`);
    rows.push(row);
  }
  return rows;
}

/** The 20 GiB sparse disk as one frame / one block: index memory, pass time, random 4 KiB reads. */
export async function benchWindow20g(root: string, mod: WebAssembly.Module, inst: Instantiate, cache: string) {
  const GiB = 2 ** 30;
  const size = 20 * GiB, high = 19 * GiB;
  const raw = join(cache, 'window-20g.img');
  const tools: [string, string[], string][] = [];
  if (has('zstd')) tools.push(['zstd', ['-3', '-q'], 'zst']);
  if (has('xz') && process.env.BENCH_XZ20 === '1') tools.push(['xz', ['-0', '-T1'], 'xz']);
  const rows = [];
  const made = () => {
    if (existsSync(raw)) return;
    const fd = openSync(raw, 'w');
    ftruncateSync(fd, size);
    const a = gunzipSync(readFileSync(join(root, 'test/fixtures/guest/debian12-cloud.img.gz')));
    const b = gunzipSync(readFileSync(join(root, 'test/fixtures/guest/debian12-gpt.img.gz')));
    writeSync(fd, a, 0, a.length, 0);
    writeSync(fd, b, 0, b.length, high);
    closeSync(fd);
  };
  // data pages of the raw disk: where a 4 KiB read must decode
  const dataRanges: [number, number][] = [[0, 256 << 20], [high, 256 << 20]];
  try {
    for (const [tool, args, ext] of tools) {
      const path = join(cache, `window-20g.${ext}`);
      if (!existsSync(path)) {
        made();
        const t = performance.now();
        if (!compress(tool, args, raw, path)) continue;
        console.log(`${tool} ${args.join(' ')} of the 20 GiB disk: ${((performance.now() - t) / 1e3).toFixed(0)} s, ${(statSync(path).size / 2 ** 20).toFixed(1)} MiB`);
      }
      const o = await openEngine(path, mod, inst);
      const index = JSON.parse((o.x as any).codecWindowIndexJson());
      const io = JSON.parse(o.x.ioStatsJson());
      let v = 12345;
      const rnd = () => (v = (v * 1103515245 + 12345) >>> 0) / 2 ** 32;
      const time = (pick: () => number) => {
        const ts: number[] = [];
        for (let k = 0; k < 200; k++) {
          const off = Math.floor(pick() / 4096) * 4096;
          const t = performance.now();
          if (!o.x.rawRead(-1, off, 4096)) throw new Error(o.x.lastErrorJson());
          ts.push(performance.now() - t);
        }
        ts.sort((a, b) => a - b);
        return { medianMs: +ts[100].toFixed(3), p95Ms: +ts[190].toFixed(2), maxMs: +ts[199].toFixed(2) };
      };
      const anywhere = time(() => rnd() * size);
      const data = time(() => { const [s, l] = dataRanges[rnd() < 0.5 ? 0 : 1]; return s + rnd() * (l - 4096); });
      const row = {
        case: `20 GiB sparse disk as one ${tool === 'xz' ? 'xz block' : 'zstd frame'} (${tool} ${args.filter((a) => a !== '-q').join(' ')})`,
        passMs: +o.ms.toFixed(0), passBytesRead: io.bytesRead, fileBytes: statSync(path).size,
        checkpoints: index.points, windowPages: index.pages, indexMiB: +(index.indexBytes / 2 ** 20).toFixed(1),
        bufferMiB: +(index.bufferBytes / 2 ** 20).toFixed(1), wasmMemoryMiB: +(io.memoryBytes / 2 ** 20).toFixed(0),
        read4kAnywhere: anywhere, read4kInData: data,
      };
      o.close();
      console.log(`${row.case}: pass ${row.passMs} ms (read ${(row.passBytesRead / 2 ** 20).toFixed(0)} MiB of ${(row.fileBytes / 2 ** 20).toFixed(0)} MiB); ` +
        `${row.checkpoints} checkpoints, ${row.windowPages} window pages, index ${row.indexMiB} MiB + buffer ${row.bufferMiB} MiB (wasm memory ${row.wasmMemoryMiB} MiB); ` +
        `random 4 KiB read: anywhere median ${anywhere.medianMs} ms / p95 ${anywhere.p95Ms} / max ${anywhere.maxMs}; in the data median ${data.medianMs} ms / p95 ${data.p95Ms} / max ${data.maxMs}`);
      rows.push(row);
    }
  } finally {
    rmSync(raw, { force: true });
  }
  return rows;
}
