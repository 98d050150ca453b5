import '/work/wt/fuzz/build/fuzz-p4/js/fuzz/cover-global.js';
process.env.FUZZ_BUILD = 'build/fuzz-p4/';
const { FuzzEngine } = await import('/work/wt/fuzz/build/fuzz-p4/js/fuzz/wasm.js');
const { targetByName } = await import('/work/wt/fuzz/build/fuzz-p4/js/fuzz/targets.js');
const { readdirSync, readFileSync } = await import('node:fs');
const e = await FuzzEngine.load();
const name = process.argv[2];
const t = targetByName(name); const seeds = t.seeds();
let max = 0, tot = 0, n = 0;
for (const f of readdirSync('fuzz-out/corpus/' + name).sort()) {
  const j = JSON.parse(readFileSync('fuzz-out/corpus/' + name + '/' + f));
  const full = seeds[j.base].slice();
  for (const [p, h] of j.writes) { const hb = Buffer.from(h, 'hex'); full.set(hb.subarray(0, Math.max(0, full.length - p)), p); }
  const b = full.subarray(0, j.len);
  const t0 = performance.now();
  e.begin([b], 5e7, 1e6);
  let err = null;
  try { await t.run(b, e, []); } catch (x) { err = String(x).slice(0, 100); await e.reset(); }
  const dt = performance.now() - t0; tot += dt; n++;
  if (dt > max) max = dt;
  if (dt > 2000 || err) console.log(f, dt.toFixed(0), 'ms', err);
}
console.log(name, n, 'entries, total', (tot / 1000).toFixed(1), 's, max', max.toFixed(0), 'ms');
