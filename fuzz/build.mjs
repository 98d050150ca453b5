// SPDX-License-Identifier: Apache-2.0
// Builds the fuzzing engine into build/fuzz/ (never the shipped wasm):
//  1. fuzz/asm/entry.ts with asc (-O3, assertions kept, data segments moved
//     up by --memoryBase so the first 128 KiB of memory are free), then
//  2. a binaryen walk that puts an AFL-style edge counter at every function
//     entry, both arms of every `if`, every loop header, after every `br_if`
//     and after every labelled block (the branch targets): counter
//     mem[MAP + (prev ^ id)]++ ; prev = id >> 1 — the coverage bitmap lives in
//     the free low memory, read by the fuzzer after each execution;
//  3. a fuel counter at every loop header: when it reaches zero the module
//     calls env.__fuzz_hang, which throws — a hang is caught as a finding
//     instead of freezing the process;
//  4. the TypeScript of fuzz/ and the src/ modules it imports, transpiled to
//     build/fuzz/js/ with the same edge counters in src/ (fuzz/js-cover.mjs).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import binaryen from 'binaryen';
import { transpileTree } from './js-cover.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
// FUZZ_BUILD: another output folder (the vitest run builds its own, beside a running campaign)
const out = root + (process.env.FUZZ_BUILD ?? 'build/fuzz/');
mkdirSync(out, { recursive: true });

export const MAP_BASE = 0x10000;
export const MAP_SIZE = 0x10000;
const MEMORY_BASE = 0x20000;

function compile() {
  const asc = root + 'node_modules/.bin/asc';
  execFileSync(asc, ['fuzz/asm/entry.ts', '--config', 'fuzz/asconfig.json', '--target', 'fuzz',
    '--memoryBase', String(MEMORY_BASE), '--outFile', out + 'engine.plain.wasm', '--bindings', 'raw'],
  { cwd: root, stdio: 'inherit' });
}

function instrument() {
  binaryen.setDebugInfo(true); // keep the name section: crash places are function names
  const m = binaryen.readBinary(readFileSync(out + 'engine.plain.wasm'));
  m.setFeatures(binaryen.Features.All);
  m.addGlobal('__fuzz_prev', binaryen.i32, true, m.i32.const(0));
  m.addGlobal('__fuzz_fuel', binaryen.i32, true, m.i32.const(0x7fffffff));
  m.addGlobalExport('__fuzz_fuel', '__fuzz_fuel');
  m.addFunctionImport('__fuzz_hang', 'env', '__fuzz_hang', binaryen.none, binaryen.none);
  let next = 1;
  const mask = MAP_SIZE - 1;
  const rand = () => { next = (Math.imul(next, 1103515245) + 12345) >>> 0; return (next >>> 8) & mask; };
  const counter = () => {
    const id = rand();
    const ptr = () => m.i32.xor(m.global.get('__fuzz_prev', binaryen.i32), m.i32.const(id));
    return m.block(null, [
      m.i32.store8(MAP_BASE, 1, ptr(), m.i32.add(m.i32.load8_u(MAP_BASE, 1, ptr()), m.i32.const(1))),
      m.global.set('__fuzz_prev', m.i32.const(id >> 1)),
    ], binaryen.none);
  };
  const fuel = () => m.block(null, [
    m.global.set('__fuzz_fuel', m.i32.sub(m.global.get('__fuzz_fuel', binaryen.i32), m.i32.const(1))),
    m.if(m.i32.le_s(m.global.get('__fuzz_fuel', binaryen.i32), m.i32.const(0)), m.call('__fuzz_hang', [], binaryen.none)),
  ], binaryen.none);
  const wrap = (e, pre) => m.block(null, [...pre, e], binaryen.getExpressionType(e));
  let sites = 0;
  let skipped = 0;
  const skippedIds = new Set();

  const CHILD_KEYS = ['children', 'condition', 'ifTrue', 'ifFalse', 'body', 'value', 'ptr', 'left', 'right', 'operands',
    'target', 'delta', 'dest', 'source', 'size', 'expected', 'replacement', 'timeout', 'vec', 'values', 'ref', 'a', 'b', 'c', 'shift'];
  const seen = new Set();
  function visit(e) {
    if (!e || seen.has(e)) return;
    seen.add(e);
    const id = binaryen.getExpressionId(e);
    if (id === binaryen.ConstId || id === binaryen.LocalGetId || id === binaryen.GlobalGetId) return;
    let info;
    try { info = binaryen.getExpressionInfo(e); } catch { skipped++; skippedIds.add(id); return; } // kinds binaryen.js cannot describe

    if (id === binaryen.ConstId || id === binaryen.LocalGetId || id === binaryen.GlobalGetId) return;
    // children first (their refs stay valid: edits replace slots, not nodes)
    for (const k of CHILD_KEYS) {
      const v = info[k];
      if (k === 'value' && (id === binaryen.ConstId)) continue;
      if (Array.isArray(v)) v.forEach(visit);
      else if (typeof v === 'number' && v !== 0 && (k !== 'value' || id !== binaryen.ConstId)) visit(v);
    }
    if (id === binaryen.IfId) {
      binaryen.If.setIfTrue(e, wrap(info.ifTrue, [counter()])); sites++;
      if (info.ifFalse) binaryen.If.setIfFalse(e, wrap(info.ifFalse, [counter()]));
      else binaryen.If.setIfFalse(e, counter());
      sites++;
    } else if (id === binaryen.LoopId) {
      binaryen.Loop.setBody(e, wrap(info.body, [counter(), fuel()])); sites++;
    } else if (id === binaryen.BlockId) {
      // after a br_if (its fall-through) and after a labelled child block
      const kids = info.children;
      for (let i = kids.length - 1; i >= 0; i--) {
        const kid = binaryen.getExpressionId(kids[i]);
        if (kid !== binaryen.BreakId && kid !== binaryen.BlockId) continue;
        const k = binaryen.getExpressionInfo(kids[i]);
        const isBrIf = k.id === binaryen.BreakId && k.condition;
        const isLabelled = k.id === binaryen.BlockId && k.name;
        if ((isBrIf || isLabelled) && k.type === binaryen.none && i < kids.length - 1) {
          binaryen.Block.insertChildAt(e, i + 1, counter()); sites++;
        }
      }
    }
  }
  const n = m.getNumFunctions();
  for (let i = 0; i < n; i++) {
    const f = m.getFunctionByIndex(i);
    const fi = binaryen.getFunctionInfo(f);
    if (!fi.body || fi.module) continue; // imports have no body
    visit(fi.body);
    binaryen.Function.setBody(f, wrap(binaryen.Function.getBody(f), [counter()])); sites++;
  }
  if (skipped > 0) console.log(`fuzz build: ${skipped} expressions of kinds binaryen.js does not describe were not walked into (ids ${[...skippedIds]})`);
  if (!m.validate()) throw new Error('instrumented module does not validate');
  writeFileSync(out + 'engine.wasm', m.emitBinary());
  m.dispose();
  // the bindings asc wrote for the plain module fit the instrumented one
  writeFileSync(out + 'engine.js', readFileSync(out + 'engine.plain.js'));
  writeFileSync(out + 'engine.json', JSON.stringify({ mapBase: MAP_BASE, mapSize: MAP_SIZE, sites }));
  return sites;
}

if (!process.argv.includes("--no-asc")) compile();
const sites = instrument();
const js = transpileTree(root, ['fuzz/main.ts', 'fuzz/minimize.ts'], out + 'js/');
console.log(`fuzz build: ${sites} wasm coverage sites, ${js.files} js files (${js.sites} js coverage sites) in ${out}`);
