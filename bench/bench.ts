// SPDX-License-Identifier: Apache-2.0
// npm run bench: wall time (median of runs), bytes read and read calls of a
// full check in Node, per fixture and for a 20 GiB sparse disk of the same
// tree (test/fixtures/recipes/guest-big.sh, built on first use when its tools
// are here), and the same disks in every container format qemu-img writes
// (made on first use when qemu-img is installed), with their bytes read as a
// ratio to the raw image's. Prints a table and writes bench/results.json.
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { join, basename } from 'node:path';
import { checkFiles } from '../src/engine/check';
import type { HostFiles, Instantiate } from '../src/engine/wasm';
import { benchCodec, benchZip } from './codec';
import { benchWindowPass, benchWindow20g } from './window';

const root = process.cwd();
const cache = join(root, '.cache', 'bench');
mkdirSync(cache, { recursive: true });
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** BENCH_ONLY=codec measures the compressed-stream passes alone (and leaves results.json as it is) */
const ONLY_CODEC = process.env.BENCH_ONLY === 'codec';

interface Case { name: string; path: string; extra?: string[]; rawOf?: string; make?: () => boolean; scratch?: boolean }

/**
 * Container formats of a raw image, made with qemu-img when measured (extents
 * named after the stem). Those of the 20 GiB image hold ~0.4 GB each: they are
 * deleted after their row unless BENCH_KEEP=1.
 */
const FORMATS: [string, string[]][] = [
  ['qcow2', ['-O', 'qcow2']],
  ['qcow2-c', ['-O', 'qcow2', '-c']],
  ['vhd', ['-O', 'vpc', '-o', 'subformat=dynamic,force_size=on']],
  ['vhdx', ['-O', 'vhdx']],
  ['vmdk', ['-O', 'vmdk', '-o', 'subformat=monolithicSparse']],
  ['vmdk-stream', ['-O', 'vmdk', '-o', 'subformat=streamOptimized']],
  ['vmdk-split', ['-O', 'vmdk', '-o', 'subformat=twoGbMaxExtentSparse']],
  ['vdi', ['-O', 'vdi']],
];
const hasQemuImg = spawnSync('qemu-img', ['--version']).status === 0;

function containers(c: Case, scratch: boolean): Case[] {
  if (!hasQemuImg) return [];
  return FORMATS.map(([fmt, args]) => {
    const stem = join(cache, basename(c.path).replace(/\.img$/, '') + '.' + fmt);
    const k: Case = { name: `${c.name} ${fmt}`, path: stem + '.img', extra: [], rawOf: c.name, scratch };
    k.make = () => {
      if (!existsSync(k.path)) {
        const r = spawnSync('qemu-img', ['convert', '-f', 'raw', ...args, c.path, k.path], { stdio: ['ignore', 'ignore', 'inherit'] });
        if (r.status !== 0) return false;
      }
      // the extents qemu-img writes beside a split or flat VMDK: <stem>-s001.img, <stem>-f001.img, <stem>-flat.img
      k.extra = readdirSync(cache).filter((n) => n.startsWith(basename(stem) + '-') && /^-(s\d{3}|f\d{3}|flat)\.img$/.test(n.slice(basename(stem).length))).map((n) => join(cache, n));
      return true;
    };
    return k;
  });
}

function prepare(): Case[] {
  const out: Case[] = [];
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
  if (!hasQemuImg) process.stderr.write('qemu-img is not installed: the container rows are skipped\n');
  const raws = out.filter((c) => c.name === 'debian12-gpt' || c.name.startsWith('debian12-gpt-20g'));
  for (const c of raws) out.push(...containers(c, c.name !== 'debian12-gpt' && process.env.BENCH_KEEP !== '1'));
  return out;
}

const mod = await WebAssembly.compile(readFileSync(join(root, 'build/guestcheck.wasm')));
const inst = (await import(join(root, 'build/guestcheck.js'))).instantiate as Instantiate;

interface Row { case: string; virtualSize: number; medianMs: number; bytesRead: number; readCalls: number; peakWasmBytes: number; os: string; bytesVsRaw: number; error?: string }
const rows: Row[] = [];
for (const c of ONLY_CODEC ? [] : prepare()) {
  if (c.make && !c.make()) continue;
  const times: number[] = [];
  let last;
  for (let i = 0; i < RUNS; i++) {
    const paths = [c.path, ...(c.extra ?? [])];
    const fds = paths.map((p) => openSync(p, 'r'));
    const sizes = fds.map((fd) => fstatSync(fd).size);
    const files: HostFiles = { count: fds.length, size: (id) => sizes[id], read: (id, off, dst) => readSync(fds[id], dst, 0, dst.length, off) };
    const t0 = performance.now();
    last = await checkFiles(inst, mod, files, paths.map((p) => basename(p)));
    times.push(performance.now() - t0);
    fds.forEach((fd) => closeSync(fd));
  }
  times.sort((a, b) => a - b);
  const os = last!.findings.find((f) => f.name === 'OSVersion')?.value ?? '-';
  const raw = c.rawOf ? rows.find((r) => r.case === c.rawOf) : undefined;
  const vsRaw = raw ? +(last!.stats.bytesRead / raw.bytesRead).toFixed(2) : 1;
  rows.push({ case: c.name, virtualSize: last!.image.virtualSize, medianMs: +times[Math.floor(times.length / 2)].toFixed(1), bytesRead: last!.stats.bytesRead, readCalls: last!.stats.readCalls, peakWasmBytes: last!.stats.peakWasmBytes, os, bytesVsRaw: vsRaw, ...(last!.error ? { error: last!.error.code } : {}) });
  if (c.scratch) for (const p of [c.path, ...(c.extra ?? [])]) rmSync(p, { force: true });
}

const head = ['case', 'virtual', 'median ms', 'bytes read', 'vs raw', 'read calls', 'wasm mem', 'OSVersion'];
const mib = (n: number) => `${(n / 1048576).toFixed(n < 1048576 * 10 ? 2 : 0)} MiB`;
const lines = rows.map((r) => [r.case, mib(r.virtualSize), String(r.medianMs), mib(r.bytesRead), `${r.bytesVsRaw}×`, String(r.readCalls), mib(r.peakWasmBytes), r.error ?? r.os]);
const w = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
console.log(`guestcheck ${RUNS} runs each, Node ${process.version}, page cache 64 KiB pages`);
for (const l of [head, ...lines]) console.log(l.map((x, i) => x.padEnd(w[i])).join('  '));
const codec = await benchCodec(root, mod, inst);
const zip = await benchZip(root, mod, inst);
const window = [...await benchWindowPass(root, mod, inst, cache), ...await benchWindow20g(root, mod, inst, cache)];
if (!ONLY_CODEC) writeFileSync(join(root, 'bench/results.json'), JSON.stringify({ node: process.version, runs: RUNS, rows, codec, zip, window }, null, 2) + '\n');
