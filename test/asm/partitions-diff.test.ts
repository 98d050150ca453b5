// SPDX-License-Identifier: Apache-2.0
// Partition tables compared with an independent reader: sleuthkit's mmls
// (starts, lengths, GPT names). The fixtures come from
// test/fixtures/recipes/partitions.sh; each is decompressed to a temp file for mmls.
import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEngine } from '../helpers/engine';
import { fixture, hasTool } from './disk-fixtures';

const haveMmls = hasTool('mmls');
const tmp = mkdtempSync(join(tmpdir(), 'gc-mmls-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Row { slot: string; start: number; length: number; desc: string }

/** mmls rows that are partitions (not Meta, not unallocated). */
function mmls(img: Uint8Array, name: string, sectorSize: number): Row[] {
  const p = join(tmp, name);
  writeFileSync(p, img);
  const r = spawnSync('mmls', ['-b', String(sectorSize), p], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const rows: Row[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^\d+:\s+(\d+(?::\d+)?)\s+(\d+)\s+(\d+)\s+(\d+)\s*(.*)$/.exec(line);
    if (m) rows.push({ slot: m[1], start: Number(m[2]), length: Number(m[4]), desc: m[5].trim() });
  }
  return rows;
}

const eng = await loadEngine();

describe.skipIf(!haveMmls)('partition tables agree with mmls', () => {
  for (const [name, ss] of [['gpt-multi', 512], ['gpt-4k', 4096]] as const) {
    it(`${name}: same entries, starts, lengths and names`, async () => {
      const img = fixture(`partitions/${name}.img.gz`);
      const rows = mmls(img, name + '.img', ss);
      const info = (await eng.open([img])).inspect();
      expect(rows.length).toBeGreaterThan(0);
      // mmls numbers GPT slots from the entry index (0-based)
      expect(info.volumes.map((v: any) => ({ id: v.id, start: v.start, size: v.size, name: v.partlabel }))).toEqual(
        rows.map((r) => ({ id: 'p' + (Number(r.slot) + 1), start: r.start * ss, size: r.length * ss, name: r.desc })),
      );
    });
  }

  it('mbr-logical: same primaries and logicals, starts, lengths and type bytes', async () => {
    const img = fixture('partitions/mbr-logical.img.gz');
    const rows = mmls(img, 'mbr-logical.img', 512);
    const info = (await eng.open([img])).inspect();
    expect(info.volumes.map((v: any) => ({ start: v.start, size: v.size, type: v.type }))).toEqual(
      rows.map((r) => ({ start: r.start * 512, size: r.length * 512, type: /\((0x[0-9a-f]{2})\)$/.exec(r.desc)![1] })),
    );
  });
});

if (!haveMmls) describe('partition tables agree with mmls', () => it.skip('mmls (sleuthkit) is not installed: comparison skipped', () => {}));
