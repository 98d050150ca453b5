// SPDX-License-Identifier: Apache-2.0
// The coverage-guided loop for one target: run the seeds, then pick a corpus
// entry, mutate it, run it, and keep it when it reaches an edge (or an edge
// hit-count bucket) no earlier input reached. Findings — a wasm trap, an
// abort, a stack overflow, a hang (loop budget or deadline), memory past the
// cap, a JS exception other than the parser's named error, a failure
// without a named error — are deduplicated by kind and place and saved.
import { mkdirSync, writeFileSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gzipSync, gunzipSync } from 'node:zlib';
import { Rng } from './rng';
import { type Write, type Ranges, havocCopy, havocInPlace, applyWrites, revert } from './mutate';
import { type Target, OracleError } from './targets';
import { type FuzzEngine, HangError, cpuMs } from './wasm';
import { jsMap, resetJsEdge } from './cover-global';
import { EngineStopped } from '../src/engine/budget';

export interface Finding { kind: string; where: string; message: string; count: number; file?: string; exec: number }

export interface TargetStats {
  name: string;
  execs: number;
  seconds: number;
  corpus: number;
  /** map slots (edges) reached at least once */
  edges: number;
  findings: Finding[];
  instances: number;
}

export interface FuzzOptions {
  seed: number;
  execs?: number;
  seconds?: number;
  engine: FuzzEngine | null;
  /** where crashing inputs and the corpus go; none: kept in memory only */
  outDir?: string;
  /** ms of CPU per execution before it counts as a hang */
  hangMs?: number;
  memoryCap?: number;
  progress?: (s: TargetStats) => void;
  /** writes each input to this file before running it (to catch the input of a hang the process cannot report) */
  trace?: string;
}

interface Entry { data?: Uint8Array; base: number; writes: Write[]; len: number; ranges?: Ranges }

const LARGE = 256 << 10;
const BUCKET = new Uint8Array(256).map((_, n) => (n === 0 ? 0 : n === 1 ? 1 : n === 2 ? 2 : n === 3 ? 4 : n < 8 ? 8 : n < 16 ? 16 : n < 32 ? 32 : n < 128 ? 64 : 128));

/** The engine's guard (src/engine/wasm.ts) wraps the first failure; the fuzzer judges what it wrapped. */
function unwrap(err: unknown): unknown {
  return err instanceof EngineStopped && err.origin !== undefined ? err.origin : err;
}

/** Where a failure happened: the first wasm or source frame of its stack. */
function placeOf(err: unknown): string {
  err = unwrap(err);
  const stack = err instanceof Error ? String(err.stack ?? '') : '';
  for (const line of stack.split('\n').slice(1)) {
    const m = /at (\S+) \(.*?(wasm:\/\/[^)]*|[^/()]+\.(?:ts|js):\d+)/.exec(line) ?? /at (\S+)/.exec(line);
    if (m && !/fuzzer|targets|wasm\.ts|engine\.js/.test(line)) return m[1] + (m[2] && !m[2].startsWith('wasm://') ? ' ' + m[2] : '');
  }
  return '?';
}

export function classify(err: unknown): { kind: string; message: string } {
  err = unwrap(err);
  const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  if (err instanceof HangError) return { kind: 'hang', message: err.message };
  if (err instanceof OracleError) return { kind: 'oracle', message: err.message };
  if (err instanceof WebAssembly.RuntimeError) return { kind: 'trap', message: msg };
  if (err instanceof RangeError && /call stack/.test(err.message)) return { kind: 'stack-overflow', message: msg };
  if (err instanceof Error && / in \S+:\d+:\d+$/.test(err.message)) return { kind: 'abort', message: msg };
  if (err instanceof SyntaxError && /JSON/.test(err.message)) return { kind: 'bad-json', message: msg };
  return { kind: 'exception', message: msg };
}

export async function fuzzTarget(t: Target, o: FuzzOptions): Promise<TargetStats> {
  const rng = new Rng(o.seed ^ [...t.name].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619), 2166136261));
  const e = o.engine;
  const hangMs = o.hangMs ?? 3000;
  const memoryCap = o.memoryCap ?? 768 << 20;
  const fuel = t.fuel ?? 50_000_000;
  const seeds = t.seeds();
  const extra = t.extra?.() ?? [];
  const large = seeds.some((s) => s.length > LARGE);
  const maxLen = t.maxLen ?? Math.max(...seeds.map((s) => s.length)) * 2;
  const dict = t.dict ?? [];
  const virgin = new Uint8Array(65536);
  const stats: TargetStats = { name: t.name, execs: 0, seconds: 0, corpus: 0, edges: 0, findings: [], instances: 0 };
  const seen = new Map<string, Finding>();
  const corpus: Entry[] = [];
  const t0 = Date.now();
  const crashDir = o.outDir ? `${o.outDir}/crashes/${t.name}` : undefined;
  const corpusDir = o.outDir ? `${o.outDir}/corpus/${t.name}` : undefined;
  const names = t.names;
  const setNames = () => names?.forEach((n, i) => e!.x.setFileName(i, n));
  if (e) { await e.reset(); setNames(); }
  const instances0 = e?.instances ?? 0;

  /** what the trace file gets for a large input: its patch over the seed, not 60 MB */
  let tracing: string | null = null;
  /** Runs one input; returns true when it reached new coverage. */
  async function exec(input: Uint8Array): Promise<{ fresh: boolean; ranges?: Ranges }> {
    stats.execs++;
    if (o.trace) writeFileSync(o.trace, tracing ?? input);
    let failure: unknown = null;
    let map: Uint8Array;
    const start = cpuMs();
    if (t.engine === 'wasm') {
      e!.begin([input, ...extra], fuel, hangMs);
      try { await t.run(input, e, extra); } catch (err) { failure = err; }
      map = e!.map();
      if (failure === null && e!.memoryBytes > memoryCap) failure = new OracleError(`wasm memory grew to ${e!.memoryBytes >> 20} MiB (cap ${memoryCap >> 20} MiB)`);
    } else {
      jsMap.fill(0); resetJsEdge();
      try { await t.run(input, null, extra); } catch (err) { failure = err; }
      map = jsMap;
      const took = cpuMs() - start;
      if (failure === null && took > hangMs) failure = new HangError(`took ${took.toFixed(0)} ms of CPU (limit ${hangMs} ms)`);
    }
    let fresh = false;
    const m32 = new Uint32Array(map.buffer, map.byteOffset, map.length >> 2);
    for (let w = 0; w < m32.length; w++) {
      if (m32[w] === 0) continue;
      for (let i = w * 4; i < w * 4 + 4; i++) {
        const b = BUCKET[map[i]];
        if (b !== 0 && (b & ~virgin[i]) !== 0) {
          if (virgin[i] === 0) stats.edges++;
          virgin[i] |= b;
          fresh = true;
        }
      }
    }
    const ranges = t.engine === 'wasm' ? e!.reads.slice() : undefined;
    if (failure !== null) {
      await report(failure, input);
      if (e) { await e.reset(); setNames(); }
    } else if (e && e.memoryBytes > 256 << 20) { await e.reset(); setNames(); }
    return { fresh: fresh && failure === null, ranges };
  }

  async function report(err: unknown, input: Uint8Array): Promise<void> {
    const c = classify(err);
    const where = placeOf(err);
    const key = `${c.kind}|${where}|${c.kind === 'oracle' || c.kind === 'exception' ? c.message.slice(0, 80) : ''}`;
    const f = seen.get(key);
    if (f) { f.count++; return; }
    const nf: Finding = { kind: c.kind, where, message: c.message.slice(0, 300), count: 1, exec: stats.execs };
    if (crashDir) {
      mkdirSync(crashDir, { recursive: true });
      const h = createHash('sha1').update(input).digest('hex').slice(0, 12);
      nf.file = `${crashDir}/${c.kind}-${h}.bin.gz`;
      writeFileSync(nf.file, gzipSync(input, { level: 1 }));
      writeFileSync(`${crashDir}/${c.kind}-${h}.txt`, `${c.message}\n${err instanceof Error ? err.stack : ''}\n`);
    }
    seen.set(key, nf);
    stats.findings.push(nf);
  }

  // seeds (and the saved corpus of earlier pieces of the campaign)
  const initial: Entry[] = seeds.map((s, i) => ({ data: large ? undefined : s, base: i, writes: [], len: s.length }));
  if (corpusDir && existsSync(corpusDir)) {
    for (const f of readdirSync(corpusDir).sort().slice(0, 400)) {
      const raw = readFileSync(`${corpusDir}/${f}`);
      if (large) {
        const j = JSON.parse(raw.toString()) as { base: number; len: number; writes: [number, string][] };
        if (j.base < seeds.length) initial.push({ base: j.base, len: Math.min(j.len, seeds[j.base].length), writes: j.writes.map(([p, h]) => ({ pos: p, bytes: Buffer.from(h, 'hex') })) });
      } else initial.push({ data: new Uint8Array(gunzipSync(raw)), base: 0, writes: [], len: 0 });
    }
  }
  let lastProgress = Date.now();
  const tick = () => {
    if (!o.progress || Date.now() - lastProgress < 5000) return;
    lastProgress = Date.now();
    stats.seconds = (Date.now() - t0) / 1000; stats.corpus = corpus.length;
    o.progress(stats);
  };
  const undo: Write[] = [];
  for (const en of initial) {
    tick(); // replaying a large saved corpus takes a while: keep the watchdog fed
    if (large) {
      const b = seeds[en.base];
      applyWrites(b, en.writes, undo);
      const r = await exec(b.subarray(0, en.len));
      revert(b, undo);
      en.ranges = r.ranges;
    } else {
      const r = await exec(en.data!);
      en.len = en.data!.length;
      en.ranges = r.ranges;
    }
    corpus.push(en);
  }
  let saved = 0;
  const save = (en: Entry) => {
    if (!corpusDir) return;
    mkdirSync(corpusDir, { recursive: true });
    const name = `${Date.now().toString(36)}-${(saved++).toString(36)}`;
    if (large) writeFileSync(`${corpusDir}/${name}.json`, JSON.stringify({ base: en.base, len: en.len, writes: en.writes.map((w) => [w.pos, Buffer.from(w.bytes).toString('hex')]) }));
    else writeFileSync(`${corpusDir}/${name}.gz`, gzipSync(en.data!, { level: 1 }));
  };

  const until = o.seconds !== undefined ? t0 + o.seconds * 1000 : Infinity;
  const limit = o.execs ?? Infinity;
  while (stats.execs < limit && Date.now() < until) {
    const parent = corpus.length > 16 && rng.chance(0.3) ? corpus[corpus.length - 1 - rng.below(16)] : corpus[rng.below(corpus.length)];
    if (large) {
      const b = seeds[parent.base];
      applyWrites(b, parent.writes, undo);
      const writes: Write[] = [];
      const len = havocInPlace(rng, b, parent.len, parent.ranges, dict, writes, undo);
      if (t.fixup) t.fixup(b, len, writes, (w) => { applyWrites(b, [w], undo); writes.push(w); });
      if (o.trace) tracing = JSON.stringify({ base: parent.base, len, writes: [...parent.writes, ...writes].map((w) => [w.pos, Buffer.from(w.bytes).toString('hex')]) });
      const r = await exec(b.subarray(0, len));
      revert(b, undo);
      if (r.fresh && parent.writes.length + writes.length <= 256) {
        const en: Entry = { base: parent.base, writes: [...parent.writes, ...writes], len, ranges: r.ranges };
        corpus.push(en); save(en);
      }
    } else {
      const other = () => corpus[rng.below(corpus.length)].data!;
      const d = havocCopy(rng, parent.data!, maxLen, parent.ranges, dict, other);
      if (t.fixup) t.fixup(d, d.length, [{ pos: 0 }], (w) => d.set(w.bytes.subarray(0, Math.max(0, d.length - w.pos)), w.pos));
      const r = await exec(d);
      if (r.fresh) { const en: Entry = { data: d, base: 0, writes: [], len: d.length, ranges: r.ranges }; corpus.push(en); save(en); }
    }
    tick();
  }
  stats.seconds = (Date.now() - t0) / 1000;
  stats.corpus = corpus.length;
  stats.instances = (e?.instances ?? 0) - instances0;
  return stats;
}
