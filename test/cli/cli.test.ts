// SPDX-License-Identifier: Apache-2.0
// The built `guestcheck` bin: JSON report contract and exit codes.
import { describe, it, expect } from 'vitest';
import { scratchDir } from '../helpers/scratch';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/guestcheck.js', import.meta.url));
const dir = scratchDir('guestcheck-cli-');
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

describe('guestcheck CLI', () => {
  it('prints one JSON report and exits 1 when a finding fails', () => {
    const img = join(dir, 'zero.img');
    writeFileSync(img, new Uint8Array(2 << 20));
    const r = run(img, '--json');
    expect(r.status).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.tool).toEqual({ name: 'guestcheck', version: expect.any(String) });
    expect(j.image).toMatchObject({ files: ['zero.img'], format: 'raw', virtualSize: 2 << 20, partitionTable: 'none' });
    expect(j.DetectionOptions.Status).toBe('Finished');
    expect(j.findings[0]).toMatchObject({ id: 'GUESTOS.Platform', status: 'fail' });
    expect(Object.keys(j.stats).sort()).toEqual(['bytesRead', 'elapsedMs', 'peakWasmBytes', 'readCalls']);
  });

  it('exits 2 with a clear message for a missing file or bad arguments', () => {
    const r = run(join(dir, 'nope.img'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot open .*nope\.img: ENOENT/);
    expect(run().status).toBe(2);
    expect(run('--frobnicate', 'x').stderr).toMatch(/unknown option --frobnicate/);
  });

  it('exits 2 naming the container it cannot read', () => {
    const img = join(dir, 'disk.qcow2');
    const b = new Uint8Array(4096);
    b.set([0x51, 0x46, 0x49, 0xfb]);
    writeFileSync(img, b);
    const r = run(img);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/qcow2/);
  });
});
