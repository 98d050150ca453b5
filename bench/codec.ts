// SPDX-License-Identifier: Apache-2.0
// The index pass over a gzipped image (one sequential inflate that records
// checkpoints and verifies CRC-32 and size) against `gzip -dc >/dev/null` and
// Node's zlib on the same file, and over the same image deflated in a zip
// (zip -9, made here when zip is installed) against `unzip -p >/dev/null`,
// measured side by side; prints MB/s of output and the ratios, and returns
// the rows for bench/results.json.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { instantiateEngine, type Instantiate } from '../src/engine/wasm';
import { fileHost, openEngine } from './engine-file';
import { median } from './peers';
import { locateImage } from '../src/engine/locate';

export async function benchCodec(root: string, mod: WebAssembly.Module, inst: Instantiate, runs = 3) {
  const path = join(root, 'test/fixtures/guest/debian12-gpt.img.gz');
  const ours: number[] = [], gzip: number[] = [], node: number[] = [];
  let out = 0;
  for (let i = 0; i < runs; i++) {
    const o = await openEngine(path, mod, inst);
    ours.push(o.ms);
    out = o.img.virtualSize;
    o.close();
    let t = performance.now();
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

/** The index pass over a zip -9 member (located by zip.js, inflated by the wasm) against `unzip -p`. */
export async function benchZip(root: string, mod: WebAssembly.Module, inst: Instantiate, runs = 3) {
  if (spawnSync('zip', ['-v']).status !== 0 || spawnSync('unzip', ['-v']).status !== 0) {
    console.log('deflated zip index pass: zip/unzip not installed, skipped');
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'gc-bench-zip-'));
  try {
    const raw = join(dir, 'debian12-gpt.img'), path = join(dir, 'debian12-gpt.zip');
    writeFileSync(raw, gunzipSync(readFileSync(join(root, 'test/fixtures/guest/debian12-gpt.img.gz'))));
    spawnSync('zip', ['-9', '-j', '-q', path, raw]);
    const ours: number[] = [], unzip: number[] = [];
    let out = 0;
    for (let i = 0; i < runs; i++) {
      const { files, close } = fileHost(path);
      let t = performance.now();
      const located = await locateImage(files, ['debian12-gpt.zip']);
      if ('error' in located) throw new Error(located.error.message);
      const x = await instantiateEngine(inst, mod, located.files);
      x.configure(16, 64 << 20);
      const img = JSON.parse(x.openImage(located.files.count));
      ours.push(performance.now() - t);
      out = img.virtualSize;
      close();
      t = performance.now();
      if (spawnSync('sh', ['-c', `unzip -p '${path}' >/dev/null`]).status === 0) unzip.push(performance.now() - t);
    }
    const mbs = (ms: number) => out / ms / 1e3;
    const row = {
      case: 'deflated zip index pass (debian12-gpt, zip -9)',
      outputBytes: out,
      oursMBs: +mbs(median(ours)).toFixed(0),
      unzipMBs: unzip.length ? +mbs(median(unzip)).toFixed(0) : null,
      vsUnzip: unzip.length ? +(median(unzip) / median(ours)).toFixed(2) : null,
    };
    console.log(`${row.case}: ${row.oursMBs} MB/s of output; unzip -p ${row.unzipMBs ?? '-'} MB/s (ratio ${row.vsUnzip ?? '-'}); ratio > 1 = faster than unzip`);
    return row;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
