// SPDX-License-Identifier: Apache-2.0
// Shrinks a crashing input while it still fails the same way (same kind and
// place). Small inputs lose chunks (halves, then smaller); a disk image is
// reduced to the byte runs where it differs from its seed, and those runs
// are dropped one by one — the result is a patch over a committed fixture,
// which is how a regression fixture of a disk image stays small.
// Usage (after the fuzz build): node build/fuzz/js/fuzz/minimize.js TARGET CRASH.bin.gz OUT
import './cover-global';
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { targetByName } from './targets';
import { FuzzEngine } from './wasm';
import { classify } from './fuzzer';

async function main(): Promise<void> {
  const [name, file, out] = process.argv.slice(2);
  const t = targetByName(name);
  if (!t) throw new Error(`no target ${name}`);
  const e = t.engine === 'wasm' ? await FuzzEngine.load() : null;
  const extra = t.extra?.() ?? [];
  const raw = readFileSync(file);
  const input = new Uint8Array(file.endsWith('.gz') ? gunzipSync(raw) : raw);
  const sig = async (b: Uint8Array): Promise<string | null> => {
    if (e) { await e.reset(); t.names?.forEach((n, i) => e.x.setFileName(i, n)); e.begin([b, ...extra], t.fuel ?? 50_000_000, 20_000); }
    try { await t.run(b, e, extra); return null; } catch (err) {
      const c = classify(err);
      if (c.kind === 'hang') return 'hang'; // where a loop budget runs out varies
      const where = err instanceof Error ? (err.stack ?? '').split('\n').slice(1, 3).join(' ') : '';
      return `${c.kind} ${c.kind === 'oracle' || c.kind === 'exception' ? c.message.slice(0, 60) : ''} ${where.replace(/:\d+\)/g, ')')}`;
    }
  };
  const want = await sig(input);
  if (want === null) throw new Error('the input does not fail');
  console.log('fails as:', want);
  const seeds = t.seeds();
  const seed = seeds.find((s) => s.length === input.length) ?? seeds.find((s) => s.length >= input.length);
  if (input.length > 256 << 10 && seed) {
    // runs of differing bytes, then drop runs while it still fails
    let runs: [number, number][] = [];
    for (let i = 0; i < input.length; i++) {
      if (input[i] === seed[i]) continue;
      const last = runs[runs.length - 1];
      if (last && i - last[1] <= 8) last[1] = i + 1; else runs.push([i, i + 1]);
    }
    const build = (rs: [number, number][]) => { const b = seed.slice(0, input.length); for (const [s, en] of rs) b.set(input.subarray(s, en), s); return b; };
    console.log(`${runs.length} differing runs`);
    for (let i = runs.length - 1; i >= 0; i--) {
      const trial = runs.filter((_, k) => k !== i);
      if ((await sig(build(trial))) === want) runs = trial;
    }
    const patch = { seed: seeds.indexOf(seed), len: input.length, writes: runs.map(([s, en]) => [s, Buffer.from(input.subarray(s, en)).toString('hex')]) };
    writeFileSync(out, JSON.stringify(patch, null, 1) + '\n');
    console.log(`${runs.length} runs kept -> ${out}`);
    return;
  }
  let cur = input;
  for (let chunk = cur.length >> 1; chunk >= 1; chunk >>= 1) {
    for (let at = 0; at + chunk <= cur.length; ) {
      const trial = new Uint8Array(cur.length - chunk);
      trial.set(cur.subarray(0, at)); trial.set(cur.subarray(at + chunk), at);
      if ((await sig(trial)) === want) cur = trial; else at += chunk;
    }
  }
  writeFileSync(out, cur);
  console.log(`${input.length} -> ${cur.length} bytes -> ${out}`);
}

await main();
