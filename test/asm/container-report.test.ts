// SPDX-License-Identifier: Apache-2.0
// The whole check over a real Debian guest disk in every container format:
// qemu-img converts the raw fixture (test/fixtures/guest) at test time, and the
// report — volumes, guest, every finding — must equal the raw image's; only
// the container facts differ. Skipped, saying so, when qemu-img is absent.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFiles } from '../../src/engine/check';
import type { Instantiate } from '../../src/engine/wasm';
import type { Report } from '../../src/report/types';
import { diskFiles } from '../helpers/engine';

const build = new URL('../../build/', import.meta.url);
const mod = await WebAssembly.compile(readFileSync(new URL('guestcheck.wasm', build)));
const inst = (await import(/* @vite-ignore */ new URL('guestcheck.js', build).href)).instantiate as Instantiate;
const hasQemuImg = spawnSync('qemu-img', ['--version']).status === 0;
if (!hasQemuImg) console.warn('container-report: qemu-img (Debian qemu-utils) is not installed: the report-equality tests are skipped');

const formats: { name: string; args: string[]; accepted: boolean; subformat: string }[] = [
  { name: 'v2.qcow2', args: ['-O', 'qcow2', '-o', 'compat=0.10'], accepted: true, subformat: 'v2 (compat 0.10)' },
  { name: 'v3.qcow2', args: ['-O', 'qcow2', '-o', 'compat=1.1,cluster_size=16384,extended_l2=on'], accepted: true, subformat: 'v3 (compat 1.1)' },
  { name: 'c.qcow2', args: ['-O', 'qcow2', '-c'], accepted: true, subformat: 'v3 (compat 1.1)' },
  { name: 'stream.vmdk', args: ['-O', 'vmdk', '-o', 'subformat=streamOptimized'], accepted: true, subformat: 'streamOptimized' },
  { name: 'dynamic.vhd', args: ['-O', 'vpc', '-o', 'subformat=dynamic,force_size=on'], accepted: true, subformat: 'dynamic' },
  { name: 'fixed.vhd', args: ['-O', 'vpc', '-o', 'subformat=fixed,force_size=on'], accepted: true, subformat: 'fixed' },
  { name: 'disk.vhdx', args: ['-O', 'vhdx'], accepted: false, subformat: 'dynamic' },
  { name: 'sparse.vmdk', args: ['-O', 'vmdk', '-o', 'subformat=monolithicSparse'], accepted: true, subformat: 'monolithicSparse' },
  { name: 'split.vmdk', args: ['-O', 'vmdk', '-o', 'subformat=twoGbMaxExtentSparse'], accepted: false, subformat: 'twoGbMaxExtentSparse' },
  { name: 'mflat.vmdk', args: ['-O', 'vmdk', '-o', 'subformat=monolithicFlat'], accepted: false, subformat: 'monolithicFlat' },
  { name: 'dynamic.vdi', args: ['-O', 'vdi'], accepted: false, subformat: 'dynamic' },
  { name: 'static.vdi', args: ['-O', 'vdi', '-o', 'static=on'], accepted: false, subformat: 'fixed' },
  { name: 'splitflat.vmdk', args: ['-O', 'vmdk', '-o', 'subformat=twoGbMaxExtentFlat'], accepted: false, subformat: 'twoGbMaxExtentFlat' },
];

const check = async (paths: string[]): Promise<Report> => {
  const files = diskFiles(paths);
  try {
    return await checkFiles(inst, mod, files, paths.map((p) => p.replace(/^.*\//, '')));
  } finally {
    files.close();
  }
};
/** The report without what legitimately differs between containers. */
const comparable = (r: Report) => ({
  platform: r.platform,
  partitionTable: r.image.partitionTable,
  virtualSize: r.image.virtualSize,
  volumes: r.image.volumes,
  findings: r.findings,
  DetectionOptions: r.DetectionOptions,
  Tags: r.Tags,
});

describe.skipIf(!hasQemuImg).each(['mbr-ext2', 'debian12-gpt'])('the report of the Debian guest %s in every container equals the raw image\'s (qemu-img convert at test time)', (guest) => {
  let raw: Report;
  let work = '';
  const src = () => join(work, guest + '.img');
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'gc-containers-'));
    writeFileSync(src(), gunzipSync(readFileSync(new URL(`../fixtures/guest/${guest}.img.gz`, import.meta.url))));
    raw = await check([src()]);
  });
  afterAll(() => { if (work) rmSync(work, { recursive: true, force: true }); });

  it('the raw image itself checks as a Linux guest', () => {
    expect(raw.platform).toBe('Linux');
    expect(raw.image.container).toMatchObject({ subformat: '', backingChain: [], cloudImport: { accepted: true } });
  });

  it.each(formats)('$name', async (f) => {
    const out = join(work, f.name);
    const r0 = spawnSync('qemu-img', ['convert', '-f', 'raw', ...f.args, src(), out]);
    expect(r0.status, String(r0.stderr)).toBe(0);
    const stem = f.name.replace(/\.vmdk$/, '');
    const paths = [out, ...readdirSync(work).filter((n) => n !== f.name && n.startsWith(stem + '-')).map((n) => join(work, n))];
    const r = await check(paths);
    // each converted image is deleted once checked: a flat or fixed one is as large as the disk
    for (const p of paths) rmSync(p, { force: true });
    expect(r.error).toBeUndefined();
    expect(comparable(r)).toEqual(comparable(raw));
    expect(r.image.container!.subformat).toBe(f.subformat);
    expect(r.image.container!.cloudImport.accepted).toBe(f.accepted);
    if (!f.accepted) expect(r.image.container!.cloudImport.command).toMatch(/^qemu-img convert -O qcow2 /);
    // a container costs little more than the raw image to check
    expect(r.stats.bytesRead, `${r.stats.bytesRead} bytes read, raw ${raw.stats.bytesRead}`).toBeLessThanOrEqual(raw.stats.bytesRead * 1.5);
  });

  it('an overlay with its backing file dropped together: same report, chain named, flatten advised', async () => {
    const base = join(work, 'base.qcow2');
    const top = join(work, 'top.qcow2');
    expect(spawnSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', src(), base]).status).toBe(0);
    expect(spawnSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', 'base.qcow2', '-F', 'qcow2', top], { cwd: work }).status).toBe(0);
    const r = await check([base, top]);
    expect(comparable(r)).toEqual(comparable(raw));
    expect(r.image.container).toMatchObject({ topFile: 'top.qcow2', backingChain: ['base.qcow2'], cloudImport: { accepted: false } });
  });
});
