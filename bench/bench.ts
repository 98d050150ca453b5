// SPDX-License-Identifier: Apache-2.0
// npm run bench: wall time (median of runs), bytes read and read calls of a
// full check in Node, per fixture and for a 20 GiB sparse disk of the same
// tree (test/fixtures/recipes/guest-big.sh, built on first use when its tools
// are here). Prints a table and writes bench/results.json.
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { join, basename } from 'node:path';
import { checkFiles } from '../src/engine/check';
import type { HostFiles, Instantiate } from '../src/engine/wasm';
import { benchCodec } from './codec';

const root = process.cwd();
const cache = join(root, '.cache', 'bench');
mkdirSync(cache, { recursive: true });
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function prepare(): { name: string; path: string }[] {
  const out: { name: string; path: string }[] = [];
  const manifest = JSON.parse(readFileSync(join(root, 'test/fixtures/guest/manifest.json'), 'utf8'));
  for (const img of manifest.images) {
    const path = join(cache, img.image);
    if (!existsSync(path)) writeFileSync(path, gunzipSync(readFileSync(join(root, 'test/fixtures/guest', img.file))));
    out.push({ name: img.name, path });
  }
  const big = join(cache, 'debian12-gpt-20g.img');
  if (!existsSync(big)) {
    process.stderr.write('building the 20 GiB sparse image with guest-big.sh (needs root, debootstrap, sgdisk, mkfs.ext4, mtools)...\n');
    const r = spawnSync('bash', [join(root, 'test/fixtures/recipes/guest-big.sh'), big], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) process.stderr.write('guest-big.sh failed: the 20 GiB case is skipped\n');
  }
  if (existsSync(big)) out.push({ name: 'debian12-gpt-20g (sparse)', path: big });
  return out;
}

const mod = await WebAssembly.compile(readFileSync(join(root, 'build/guestcheck.wasm')));
const inst = (await import(join(root, 'build/guestcheck.js'))).instantiate as Instantiate;

const rows = [];
for (const c of prepare()) {
  const times: number[] = [];
  let last;
  for (let i = 0; i < RUNS; i++) {
    const fd = openSync(c.path, 'r');
    const size = fstatSync(fd).size;
    const files: HostFiles = { count: 1, size: () => size, read: (_id, off, dst) => readSync(fd, dst, 0, dst.length, off) };
    const t0 = performance.now();
    last = await checkFiles(inst, mod, files, [basename(c.path)]);
    times.push(performance.now() - t0);
    closeSync(fd);
  }
  times.sort((a, b) => a - b);
  const os = last!.findings.find((f) => f.name === 'OSVersion')?.value ?? '-';
  rows.push({ case: c.name, virtualSize: last!.image.virtualSize, medianMs: +times[Math.floor(times.length / 2)].toFixed(1), bytesRead: last!.stats.bytesRead, readCalls: last!.stats.readCalls, peakWasmBytes: last!.stats.peakWasmBytes, os });
}

const head = ['case', 'virtual', 'median ms', 'bytes read', 'read calls', 'wasm mem', 'OSVersion'];
const mib = (n: number) => `${(n / 1048576).toFixed(n < 1048576 * 10 ? 2 : 0)} MiB`;
const lines = rows.map((r) => [r.case, mib(r.virtualSize), String(r.medianMs), mib(r.bytesRead), String(r.readCalls), mib(r.peakWasmBytes), r.os]);
const w = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
console.log(`guestcheck ${RUNS} runs each, Node ${process.version}, page cache 64 KiB pages`);
for (const l of [head, ...lines]) console.log(l.map((x, i) => x.padEnd(w[i])).join('  '));
const codec = await benchCodec(root, mod, inst);
writeFileSync(join(root, 'bench/results.json'), JSON.stringify({ node: process.version, runs: RUNS, rows, codec }, null, 2) + '\n');
