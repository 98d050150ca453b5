// SPDX-License-Identifier: Apache-2.0
// Sums the campaign's pieces (<out>/campaign.jsonl, one line per target per
// piece) into the table of test/fuzz/CAMPAIGN.md: executions per target,
// coverage reached (edges: the most any piece reached, the corpus carrying
// over between pieces), corpus size, and findings.
// Usage: node fuzz/report.mjs [fuzz-out]  (or test/fuzz, for the committed record)
import { readFileSync } from 'node:fs';

const out = process.argv[2] ?? 'fuzz-out';
const rows = readFileSync(`${out}/campaign.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const by = new Map();
for (const r of rows) {
  const a = by.get(r.name) ?? { name: r.name, execs: 0, seconds: 0, edges: 0, corpus: 0, pieces: 0, findings: [] };
  a.execs += r.execs; a.seconds += r.seconds; a.edges = Math.max(a.edges, r.edges); a.corpus = Math.max(a.corpus, r.corpus); a.pieces++;
  for (const f of r.findings) a.findings.push({ ...f, seed: r.seed, at: r.at });
  by.set(r.name, a);
}
let total = 0, secs = 0;
console.log('| target | executions | exec/s | edges | corpus | pieces | findings |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const a of by.values()) {
  total += a.execs; secs += a.seconds;
  console.log(`| ${a.name} | ${a.execs.toLocaleString('en-US')} | ${(a.execs / Math.max(1, a.seconds)).toFixed(0)} | ${a.edges} | ${a.corpus} | ${a.pieces} | ${a.findings.length} |`);
}
console.log(`| **total** | **${total.toLocaleString('en-US')}** | | | | | |`);
console.log(`\n${(secs / 3600).toFixed(2)} hours of wall time over ${rows.length} target runs.`);
const fs = [...by.values()].flatMap((a) => a.findings.map((f) => ({ t: a.name, ...f })));
if (fs.length > 0) {
  console.log('\nFindings (distinct per run):\n');
  for (const f of fs) console.log(`- ${f.t} (seed ${f.seed}, ${f.at}): ${f.kind} at ${f.where} x${f.count}: ${f.message.split('\n')[0].slice(0, 200)}`);
}
