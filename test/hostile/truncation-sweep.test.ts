// SPDX-License-Identifier: Apache-2.0
// Truncation swept across real guest disks: each disk cut at points spread
// over its partition table, every filesystem's metadata and its file data
// (and at odd offsets inside sectors), each checked as the worker checks it.
// None may trap, hit an engine limit or hang; each ends in a report, its
// Platform item present, with any damage named as an error in the report.
import { describe, it, expect } from 'vitest';
import { check, guestImage } from './harness';

function cuts(size: number, starts: number[]): number[] {
  const out = new Set<number>([512, 1024 + 17, 4096, 17 * 1024 + 5]);
  for (const s of starts) for (const d of [0, 1024 + 100, 4096 + 3, 65536, 1 << 20, 8 << 20]) if (s + d < size) out.add(s + d);
  for (let i = 1; i < 16; i++) out.add(Math.floor((size * i) / 16) - 7);
  return [...out].sort((a, b) => a - b);
}

describe('a disk cut anywhere ends in a report, never a trap, a limit or a hang', () => {
  for (const name of ['debian12-cloud', 'mbr-ext3']) {
    it(name, async () => {
      const g = guestImage(name);
      const roles = name === 'mbr-ext3' ? ['boot', 'root', 'swap'] : ['esp', 'root'];
      const points = cuts(g.bytes.length, roles.map((r) => g.part(r).start));
      const bad: string[] = [];
      for (const at of points) {
        const t = performance.now();
        const r = await check([g.bytes.subarray(0, at)], [`${name}-cut-${at}.img`]);
        const ms = performance.now() - t;
        const engineErr = [r.error?.code ?? '', ...r.findings.map((f) => f.solution)].find((s) => /^engine\.|^limit\.|engine (failed|ran out)|time budget/.test(s));
        if (engineErr || ms > 20_000 || !r.findings.some((f) => f.name === 'Platform') && !r.error) bad.push(`cut at ${at}: ${engineErr ?? ''} ${Math.round(ms)} ms`);
      }
      expect(bad).toEqual([]);
      expect(points.length).toBeGreaterThan(25);
    }, 300_000);
  }
});
