// SPDX-License-Identifier: Apache-2.0
// The index pass over a gzipped image (one sequential inflate that records
// checkpoints and verifies CRC-32 and size) against `gzip -dc >/dev/null` and
// Node's zlib on the same file, measured side by side; prints MB/s of output
// and the ratios, and returns the row for bench/results.json.
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { instantiateEngine, type HostFiles, type Instantiate } from '../src/engine/wasm';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function benchCodec(root: string, mod: WebAssembly.Module, inst: Instantiate, runs = 3) {
  const path = join(root, 'test/fixtures/guest/debian12-gpt.img.gz');
  const ours: number[] = [], gzip: number[] = [], node: number[] = [];
  let out = 0;
  for (let i = 0; i < runs; i++) {
    const fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const files: HostFiles = { count: 1, size: () => size, read: (_id, off, dst) => readSync(fd, dst, 0, dst.length, off) };
    const x = await instantiateEngine(inst, mod, files);
    x.configure(16, 64 << 20);
    let t = performance.now();
    const img = JSON.parse(x.openImage(1));
    ours.push(performance.now() - t);
    out = img.virtualSize;
    closeSync(fd);
    t = performance.now();
    const g = spawnSync('sh', ['-c', `gzip -dc '${path}' >/dev/null`]);
    if (g.status === 0) gzip.push(performance.now() - t);
    const buf = readFileSync(path);
    t = performance.now();
    gunzipSync(buf);
    node.push(performance.now() - t);
  }
  const mbs = (ms: number) => out / ms / 1e3;
  const row = {
    case: 'gzip index pass (debian12-gpt.img.gz)',
    outputBytes: out,
    oursMBs: +mbs(median(ours)).toFixed(0),
    gzipMBs: gzip.length ? +mbs(median(gzip)).toFixed(0) : null,
    nodeZlibMBs: +mbs(median(node)).toFixed(0),
    vsGzip: gzip.length ? +(median(gzip) / median(ours)).toFixed(2) : null,
    vsNodeZlib: +(median(node) / median(ours)).toFixed(2),
  };
  console.log(`${row.case}: ${row.oursMBs} MB/s of output; gzip -dc ${row.gzipMBs ?? '(no gzip)'} MB/s (ratio ${row.vsGzip ?? '-'}); ` +
    `Node zlib ${row.nodeZlibMBs} MB/s (ratio ${row.vsNodeZlib}); ratio > 1 = faster than the other`);
  return row;
}
