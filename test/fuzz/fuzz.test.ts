// SPDX-License-Identifier: Apache-2.0
// The short fuzz campaign of CI: every target of fuzz/targets.ts runs a
// bounded number of executions from a fixed seed (so a failure replays) on
// the instrumented engine, and must end with no finding — no wasm trap,
// abort, stack overflow, hang, memory past the cap, unnamed failure, or JS
// exception other than the parser's named error. The long campaign is
// `npm run fuzz` (fuzz/main.ts); its figures are in test/fuzz/CAMPAIGN.md.
// Here the TypeScript parsers run uninstrumented (vite loads their source),
// so their mutations are not coverage-guided; the wasm targets are.
import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
process.env.FUZZ_BUILD = 'build/fuzz-ci/';

const { TARGETS, fixturesPresent } = await import('../../fuzz/targets');
const { fuzzTarget } = await import('../../fuzz/fuzzer');
const { FuzzEngine } = await import('../../fuzz/wasm');
type Engine = Awaited<ReturnType<typeof FuzzEngine.load>>;

/** Executions per target: fewer for the disk images, whose executions walk a whole tree. */
function budget(t: (typeof TARGETS)[number]): number {
  if (t.engine === 'js') return 1500;
  if (['ext4', 'ext2', 'xfs', 'xfs-v4', 'btrfs', 'fat', 'ntfs', 'symlinks'].includes(t.name)) return 25;
  if (['qcow2', 'qcow2-chain', 'vhd', 'vhdx', 'vmdk-sparse', 'vmdk-stream', 'vmdk-descriptor', 'vdi', 'gzip', 'xz', 'zstd-file', 'mbr', 'gpt', 'lvm', 'regf', 'bcd'].includes(t.name)) return 200;
  return 1500;
}

let engine: Engine;
beforeAll(async () => {
  execFileSync(process.execPath, ['fuzz/build.mjs'], { cwd: root, env: { ...process.env, FUZZ_BUILD: 'build/fuzz-ci/' }, stdio: 'pipe' });
  engine = await FuzzEngine.load();
}, 240_000);

describe.skipIf(!fixturesPresent())('short fuzz campaign (seed 1, bounded executions)', () => {
  for (const t of TARGETS) {
    it(`${t.name}: ${budget(t)} executions without a finding`, async () => {
      const s = await fuzzTarget(t, { seed: 1, execs: budget(t), engine: t.engine === 'wasm' ? engine : null, hangMs: 20_000 });
      expect(s.execs).toBe(budget(t));
      expect(s.findings.map((f) => `${f.kind} at ${f.where}: ${f.message}`)).toEqual([]);
      // the seeds themselves reach code: coverage is measured (wasm) or the parser ran (js)
      if (t.engine === 'wasm') expect(s.edges).toBeGreaterThan(100);
    }, 120_000);
  }
});
