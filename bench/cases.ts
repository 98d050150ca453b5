// SPDX-License-Identifier: Apache-2.0
// The image matrix of the reference benchmark: a realistic Debian 12 tree
// (guest-big.sh: the complete debootstrap tree, real kernel and initramfs) and
// a Windows-like GPT NTFS disk (guest-windows.sh), each at 2, 20 and 200 GiB
// virtual size, as raw, qcow2, VMDK streamOptimized, VHDX, .gz and deflated
// .zip. Everything is built on first use into .cache/bench with real tools and
// kept there; how long each build took is recorded in .cache/bench/builds.json
// so a later run can still say it.
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export type Tree = 'linux' | 'windows';
export type Container = 'raw' | 'qcow2' | 'vmdk-stream' | 'vhdx' | 'gz' | 'zip';
export const SIZES = [2, 20, 200] as const;
export const CONTAINERS: Container[] = ['raw', 'qcow2', 'vmdk-stream', 'vhdx', 'gz', 'zip'];

export interface Case {
  tree: Tree;
  gib: number;
  container: Container;
  /** the file handed to the checker */
  path: string;
  /** the raw image it was made from */
  raw: string;
  /** why the case is not measured (opt-in, a tool missing, a build failed) */
  skip?: string;
}

export interface Build { seconds: number; bytes: number; at: string; command: string }

const qemuArgs: Partial<Record<Container, string[]>> = {
  qcow2: ['-O', 'qcow2'],
  'vmdk-stream': ['-O', 'vmdk', '-o', 'subformat=streamOptimized'],
  vhdx: ['-O', 'vhdx'],
};
const ext: Record<Container, string> = { raw: 'img', qcow2: 'qcow2', 'vmdk-stream': 'vmdk', vhdx: 'vhdx', gz: 'img.gz', zip: 'zip' };

export const has = (cmd: string, ...args: string[]) => spawnSync(cmd, args.length ? args : ['--version'], { stdio: 'ignore' }).status === 0;

export class Matrix {
  readonly builds: Record<string, Build>;
  private readonly buildsFile: string;

  constructor(readonly root: string, readonly cache: string) {
    this.buildsFile = join(cache, 'builds.json');
    this.builds = existsSync(this.buildsFile) ? JSON.parse(readFileSync(this.buildsFile, 'utf8')) : {};
  }

  /** Runs a build step, timing it; the output is kept only when the step succeeded. */
  private build(out: string, command: string, run: () => boolean): boolean {
    if (existsSync(out)) return true;
    process.stderr.write(`bench: building ${out} (${command})...\n`);
    const t = performance.now();
    const ok = run() && existsSync(out);
    if (!ok) { rmSync(out, { force: true }); return false; }
    // another bench process may have recorded builds meanwhile: merge, then write
    if (existsSync(this.buildsFile)) Object.assign(this.builds, { ...JSON.parse(readFileSync(this.buildsFile, 'utf8')), ...this.builds });
    this.builds[out.slice(this.cache.length + 1)] = {
      seconds: +((performance.now() - t) / 1000).toFixed(1), bytes: statSync(out).size, at: new Date().toISOString(), command,
    };
    writeFileSync(this.buildsFile, JSON.stringify(this.builds, null, 2) + '\n');
    process.stderr.write(`bench: built in ${this.builds[out.slice(this.cache.length + 1)].seconds} s\n`);
    return true;
  }

  rawPath(tree: Tree, gib: number) { return join(this.cache, `${tree}-${gib}g.img`); }
  path(tree: Tree, gib: number, c: Container) { return c === 'raw' ? this.rawPath(tree, gib) : join(this.cache, `${tree}-${gib}g.${ext[c]}`); }

  /** The raw image of a tree at a size: guest-big.sh (full tree) or guest-windows.sh grown to the size. */
  makeRaw(tree: Tree, gib: number): string | null {
    const out = this.rawPath(tree, gib);
    const recipes = join(this.root, 'test/fixtures/recipes');
    if (tree === 'linux') {
      const ok = this.build(out, `BIG_GIB=${gib} guest-big.sh`, () =>
        spawnSync('bash', [join(recipes, 'guest-big.sh'), out], { env: { ...process.env, BIG_GIB: String(gib) }, stdio: ['ignore', 'ignore', 'inherit'] }).status === 0);
      return ok ? null : 'guest-big.sh failed (needs root, debootstrap or its cache, sgdisk, mkfs.ext4, mtools)';
    }
    const hive = join(this.root, '../shared/corpus/hivex/minimal');
    if (!existsSync(hive)) return `${hive} is absent (guest-windows.sh starts every hive from it)`;
    const ok = this.build(out, `WIN_DISK_MIB=${gib * 1024} guest-windows.sh good`, () =>
      spawnSync('bash', [join(recipes, 'guest-windows.sh'), out, 'good', hive], { env: { ...process.env, WIN_DISK_MIB: String(gib * 1024) }, stdio: ['ignore', 'ignore', 'inherit'] }).status === 0);
    return ok ? null : 'guest-windows.sh failed (needs root, /dev/fuse, ntfs-3g, mkntfs, hivexsh, mtools)';
  }

  /** The container of a raw image; null when made, else why not. */
  makeContainer(tree: Tree, gib: number, c: Container): string | null {
    const raw = this.rawPath(tree, gib), out = this.path(tree, gib, c);
    if (c === 'raw') return null;
    const q = qemuArgs[c];
    if (q) {
      if (!has('qemu-img')) return 'qemu-img is not installed';
      const ok = this.build(out, `qemu-img convert ${q.join(' ')}`, () =>
        spawnSync('qemu-img', ['convert', '-f', 'raw', ...q, raw, out], { stdio: ['ignore', 'ignore', 'inherit'] }).status === 0);
      return ok ? null : 'qemu-img convert failed';
    }
    if (gib >= 200) {
      // gzip and zip compress every zero of the holes: ~3 h each here for 200
      // GiB. sparse-deflate.py writes the same deflate stream kind with zlib
      // in a minute (see its header); the 2 and 20 GiB files stay the real
      // tools' output, and each check verifies the whole stream's CRC-32.
      if (!has('python3')) return 'python3 is not installed (bench/sparse-deflate.py writes the 200 GiB .gz/.zip)';
      const ok = this.build(out, `sparse-deflate.py (zlib level 6, 16 MiB full-flush segments; ${c === 'gz' ? 'gzip' : 'zip64'})`, () =>
        spawnSync('python3', [join(this.root, 'bench/sparse-deflate.py'), raw, out], { stdio: ['ignore', 'ignore', 'inherit'] }).status === 0);
      return ok ? null : 'sparse-deflate.py failed';
    }
    if (c === 'gz') {
      if (!has('gzip')) return 'gzip is not installed';
      const ok = this.build(out, 'gzip -c (level 6)', () =>
        spawnSync('sh', ['-c', `gzip -c '${raw}' > '${out}'`], { stdio: ['ignore', 'ignore', 'inherit'] }).status === 0);
      return ok ? null : 'gzip failed';
    }
    if (!has('zip', '-v')) return 'zip is not installed';
    // the member is named like the raw image; zip writes zip64 records past 4 GiB
    const ok = this.build(out, 'zip -j (deflate level 6)', () =>
      spawnSync('zip', ['-q', '-j', out, raw], { stdio: ['ignore', 'ignore', 'inherit'] }).status === 0);
    return ok ? null : 'zip failed';
  }

  /**
   * Every case. The 200 GiB .gz and .zip are opt-in (BENCH_HUGE=1): each
   * check inflates all 200 GiB, and so do gzip -dc and unzip -p beside it
   * (about an hour of the 2-core machine for the four cases).
   */
  cases(opts: { trees: Tree[]; sizes: number[]; containers: Container[]; huge: boolean }): Case[] {
    const out: Case[] = [];
    for (const tree of opts.trees) for (const gib of opts.sizes) for (const container of opts.containers) {
      const k: Case = { tree, gib, container, path: this.path(tree, gib, container), raw: this.rawPath(tree, gib) };
      if (gib >= 200 && (container === 'gz' || container === 'zip') && !opts.huge && !existsSync(k.path))
        k.skip = 'opt-in: BENCH_HUGE=1 (each check, and gzip -dc / unzip -p beside it, inflates all 200 GiB)';
      out.push(k);
    }
    return out;
  }
}

export const caseName = (k: Case) => `${k.tree} ${k.gib} GiB ${k.container}`;
