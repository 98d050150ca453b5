// SPDX-License-Identifier: Apache-2.0
// The wasm inflate alone (one-shot raw deflate, codecInflate) against Node's
// native zlib (inflateRawSync) on the same compressed bytes: the fixture disk
// (mostly zeros, real filesystem data) and 64 MiB of real guest files
// (executables, libraries, text from the Debian tree: the dense case), in
// 32 MiB pieces each deflated on its own. The wasm side decodes into a
// reused buffer and copies nothing out (codecInflateCount): decoding alone;
// zlib's side also allocates its output Buffer, as zlib's API must. Both
// are timed in process CPU time (user + system), which a machine shared
// with other jobs disturbs far less than wall time; wall time is kept too.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { deflateRawSync, gunzipSync, inflateRawSync } from 'node:zlib';
import { join } from 'node:path';
import { instantiateEngine, memoryFiles, type Instantiate } from '../src/engine/wasm';
import { median } from './peers';

const PIECE = 32 << 20;

export interface InflateRow { data: string; outputBytes: number; wasmMBs: number; nodeZlibMBs: number; ratio: number; wallWasmMBs: number; wallNodeZlibMBs: number }

function guestFiles(dir: string, want: number): Buffer {
  const parts: Buffer[] = [];
  let have = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (have >= want) return;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && statSync(p).size > 0) { const b = readFileSync(p); parts.push(b); have += b.length; }
    }
  };
  walk(dir);
  return Buffer.concat(parts).subarray(0, want);
}

export async function benchInflate(root: string, mod: WebAssembly.Module, inst: Instantiate, runs: number): Promise<InflateRow[]> {
  const x = await instantiateEngine(inst, mod, memoryFiles([new Uint8Array(512)]));
  const count = (x as unknown as { codecInflateCount(src: Uint8Array, n: number): number }).codecInflateCount;
  const sets: [string, [Buffer, number][], number][] = [];
  const pieces = (b: Buffer) => {
    const out: [Buffer, number][] = [];
    for (let o = 0; o < b.length; o += PIECE) { const p = b.subarray(o, o + PIECE); out.push([deflateRawSync(p, { level: 6 }), p.length]); }
    return out;
  };
  const img = gunzipSync(readFileSync(join(root, 'test/fixtures/guest/debian12-gpt.img.gz')));
  sets.push(['debian12-gpt.img (256 MiB disk, deflate -6)', pieces(img), img.length]);
  const tree = join(root, '.cache/guest-tree/full/usr');
  try {
    const dense = guestFiles(tree, 64 << 20);
    sets.push([`${dense.length >> 20} MiB of Debian /usr files (deflate -6)`, pieces(dense), dense.length]);
  } catch {
    process.stderr.write(`bench: ${tree} is absent: the dense inflate case is skipped\n`);
  }
  const rows: InflateRow[] = [];
  for (const [data, z, n] of sets) {
    const w: number[] = [], nz: number[] = [], ww: number[] = [], wn: number[] = [];
    const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
    for (let i = 0; i < Math.max(runs, 5); i++) {
      let t = performance.now(), c = process.cpuUsage();
      for (const [src, len] of z) if (count(src, PIECE) !== len) throw new Error(`wasm inflate failed on ${data}: ${x.lastErrorJson()}`);
      w.push(cpuMs(process.cpuUsage(c)));
      ww.push(performance.now() - t);
      t = performance.now();
      c = process.cpuUsage();
      for (const [src] of z) inflateRawSync(src);
      nz.push(cpuMs(process.cpuUsage(c)));
      wn.push(performance.now() - t);
    }
    const mbs = (ms: number) => +(n / ms / 1e3).toFixed(0);
    rows.push({
      data, outputBytes: n, wasmMBs: mbs(median(w)), nodeZlibMBs: mbs(median(nz)), ratio: +(median(nz) / median(w)).toFixed(2),
      wallWasmMBs: mbs(median(ww)), wallNodeZlibMBs: mbs(median(wn)),
    });
  }
  return rows;
}
