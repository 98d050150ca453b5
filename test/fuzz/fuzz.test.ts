// SPDX-License-Identifier: Apache-2.0
// The short fuzz campaign of CI: every target of fuzz/targets.ts runs a
// bounded number of executions from a fixed seed (so a failure replays) on
// the instrumented engine, and must end with no finding — no wasm trap,
// abort, stack overflow, hang, memory past the cap, unnamed failure, or JS
// exception other than the parser's named error. The long campaign is
// `npm run fuzz` (fuzz/main.ts); its figures are in test/fuzz/CAMPAIGN.md.
// Here the TypeScript parsers run uninstrumented (vite loads their source),
// so their mutations are not coverage-guided; the wasm targets are.
// First, the oracles themselves are shown to fire (fuzzSelfTest of the
// fuzzing build: a trap, an out-of-bounds access, a hang, a stack overflow,
// a runaway allocation), the instance being replaced after each.
import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
process.env.FUZZ_BUILD = 'build/fuzz-ci/';

const { TARGETS, fixturesPresent } = await import('../../fuzz/targets');
const { fuzzTarget } = await import('../../fuzz/fuzzer');
const { FuzzEngine } = await import('../../fuzz/wasm');
type Engine = Awaited<ReturnType<typeof FuzzEngine.load>>;
type Target = import('../../fuzz/targets').Target;

/** Executions per target: fewer for the disk images, whose executions walk a whole tree. */
function budget(t: (typeof TARGETS)[number]): number {
  if (t.engine === 'js') return 1500;
  if (['ext4', 'ext2', 'xfs', 'xfs-v4', 'btrfs', 'fat', 'ntfs', 'symlinks', 'guest-rhel'].includes(t.name)) return 25;
  if (['qcow2', 'qcow2-chain', 'vhd', 'vhdx', 'vmdk-sparse', 'vmdk-stream', 'vmdk-descriptor', 'vdi', 'gzip', 'xz', 'zstd-file', 'mbr', 'gpt', 'lvm', 'regf', 'regf-log', 'bcd', 'zip'].includes(t.name)) return 200;
  return 1500;
}

let engine: Engine;
beforeAll(async () => {
  execFileSync(process.execPath, ['fuzz/build.mjs'], { cwd: root, env: { ...process.env, FUZZ_BUILD: 'build/fuzz-ci/' }, stdio: 'pipe' });
  engine = await FuzzEngine.load();
}, 240_000);

const selfTest = (kind: number): Target => ({
  name: `selftest-${kind}`, engine: 'wasm', seeds: () => [Uint8Array.of(kind)], fuel: 5_000_000,
  run: (_input, e) => { (e!.x as unknown as { fuzzSelfTest(k: number): number }).fuzzSelfTest(kind); },
});

describe('fuzzer oracles', () => {
  for (const [kind, want] of [[0, 'trap'], [1, 'trap'], [2, 'hang'], [3, 'stack-overflow'], [4, 'abort']] as const) {
    it(`self-test ${kind} is a ${want} finding, and the engine works after it`, async () => {
      const s = await fuzzTarget(selfTest(kind), { seed: 1, execs: 3, engine, hangMs: 20_000, memoryCap: 512 << 20 });
      expect(s.findings.map((f) => f.kind)).toEqual([want]);
      expect(s.findings[0].count).toBe(3);
      expect(s.instances).toBeGreaterThanOrEqual(3);
      const ok = await fuzzTarget(selfTest(5), { seed: 1, execs: 3, engine });
      expect(ok.findings).toEqual([]);
      expect(engine.lastError()?.code).toBe('fuzz.selftest');
    }, 60_000);
  }

  it('a JS exception other than the named error is a finding; the named error is not', async () => {
    class Named extends Error {}
    const js = (f: () => void): Target => ({ name: 'js', engine: 'js', seeds: () => [Uint8Array.of(1)], run: async () => { try { f(); } catch (e) { if (!(e instanceof Named)) throw e; } } });
    const bad = await fuzzTarget(js(() => { throw new TypeError('x is undefined'); }), { seed: 1, execs: 5, engine: null });
    expect(bad.findings.map((f) => f.kind)).toEqual(['exception']);
    const good = await fuzzTarget(js(() => { throw new Named('corrupt'); }), { seed: 1, execs: 5, engine: null });
    expect(good.findings).toEqual([]);
  });
});

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
