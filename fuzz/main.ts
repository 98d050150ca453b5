// SPDX-License-Identifier: Apache-2.0
// `npm run fuzz`: a time-bounded campaign over the targets. Each target runs
// in its own child process (a runaway JS loop is killed by the parent's
// watchdog and reported as a hang); the parent prints executions/s,
// coverage, corpus size and findings per target and appends the figures to
// <out>/campaign.jsonl. Environment: FUZZ_SECONDS (per target, default 30),
// FUZZ_TARGETS (comma-separated names; default all), FUZZ_OUT (default
// fuzz-out), FUZZ_SEED (default 1; the piece number, so pieces differ),
// FUZZ_TRACE=1 (write each input — a disk image's patch over its seed — to
// <out>/current-<target>.bin first: replays a hang the watchdog caught, the
// mutation sequence being seeded).
import './cover-global';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TARGETS, targetByName } from './targets';
import { fuzzTarget, type TargetStats } from './fuzzer';
import { FuzzEngine } from './wasm';

const seconds = Number(process.env.FUZZ_SECONDS ?? 30);
const out = process.env.FUZZ_OUT ?? 'fuzz-out';
const seed = Number(process.env.FUZZ_SEED ?? 1);

async function child(name: string): Promise<void> {
  process.stdout.write('STARTED\n');
  const t = targetByName(name);
  if (!t) throw new Error(`no target ${name}`);
  const engine = t.engine === 'wasm' ? await FuzzEngine.load() : null;
  const s = await fuzzTarget(t, {
    seed, seconds, engine, outDir: out, hangMs: 10_000, trace: process.env.FUZZ_TRACE ? `${out}/current-${name}.bin` : undefined,
    progress: (p) => process.stdout.write(`PROGRESS ${JSON.stringify({ name: p.name, execs: p.execs, edges: p.edges, corpus: p.corpus, findings: p.findings.length })}\n`),
  });
  process.stdout.write(`RESULT ${JSON.stringify(s)}\n`);
}

function runChild(name: string): Promise<TargetStats> {
  return new Promise((resolve) => {
    const self = fileURLToPath(import.meta.url);
    const p = spawn(process.execPath, ['--stack-size=984', self, '--child', name], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    let last: TargetStats | null = null;
    let beat = Date.now();
    const t0 = Date.now();
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i); buf = buf.slice(i + 1);
        beat = Date.now();
        cpuAtBeat = cpu();
        if (line.startsWith('RESULT ')) last = JSON.parse(line.slice(7));
        else if (line.startsWith('PROGRESS ')) {
          const q = JSON.parse(line.slice(9));
          process.stderr.write(`  ${q.name}: ${q.execs} execs, ${q.edges} edges, corpus ${q.corpus}, findings ${q.findings}\r`);
        }
      }
    });
    // the child reports every 5 s (seeds and saved corpus included)
    // silence is measured in the child's CPU time (/proc), not wall time: a niced
    // child on a busy machine may wait minutes, a hung one burns CPU
    let killed = false;
    let cpuAtBeat = 0;
    const cpu = (): number => {
      try {
        const f = readFileSync(`/proc/${p.pid}/stat`, 'utf8').split(') ')[1].split(' ');
        return (Number(f[11]) + Number(f[12])) * 10; // utime + stime, in 10 ms ticks
      } catch { return Date.now(); }
    };
    const dog = setInterval(() => {
      const c = cpu();
      if (c - cpuAtBeat > 120_000) { killed = true; p.kill('SIGKILL'); }
    }, 5000);
    p.on('exit', (code) => {
      clearInterval(dog);
      // killed by the watchdog: a JS loop that never returned; otherwise the process itself failed
      const f = killed ? { kind: 'hang', where: 'watchdog', message: 'the target process used 120 s of CPU without reporting and was killed', count: 1, exec: 0 }
        : { kind: 'process', where: 'child', message: `the target process exited with code ${code} before reporting`, count: 1, exec: 0 };
      resolve(last ?? { name, execs: 0, seconds: (Date.now() - t0) / 1000, corpus: 0, edges: 0, instances: 0, findings: [f] });
    });
  });
}

async function parent(): Promise<void> {
  const names = process.env.FUZZ_TARGETS ? process.env.FUZZ_TARGETS.split(',').map((s) => s.trim()).filter(Boolean) : TARGETS.map((t) => t.name);
  mkdirSync(out, { recursive: true });
  console.log(`fuzz: ${names.length} targets, ${seconds} s each, seed ${seed}, output in ${out}/`);
  console.log('target              execs   exec/s   edges  corpus  findings');
  let total = 0, bad = 0;
  for (const n of names) {
    const s = await runChild(n);
    total += s.execs;
    bad += s.findings.length;
    process.stderr.write(' '.repeat(90) + '\r');
    console.log(`${n.padEnd(16)} ${String(s.execs).padStart(9)} ${(s.execs / Math.max(s.seconds, 0.001)).toFixed(0).padStart(8)} ${String(s.edges).padStart(7)} ${String(s.corpus).padStart(7)} ${String(s.findings.length).padStart(9)}`);
    for (const f of s.findings) console.log(`    ${f.kind} at ${f.where} (x${f.count}): ${f.message.split('\n')[0].slice(0, 160)}${f.file ? ` -> ${f.file}` : ''}`);
    appendFileSync(`${out}/campaign.jsonl`, JSON.stringify({ at: new Date().toISOString(), seed, ...s }) + '\n');
  }
  console.log(`total: ${total} executions, ${bad} distinct findings`);
  if (bad > 0) process.exitCode = 1;
}

if (process.argv[2] === '--child') await child(process.argv[3]);
else await parent();
