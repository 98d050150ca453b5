// SPDX-License-Identifier: Apache-2.0
// Limits and recovery of the engine itself: a spent time budget, the wasm
// memory cap, a trap and an abort each end the check with a named error that
// says which phase it hit — never a hang — and a stopped engine answers nothing
// more. The breakages come from test-only stand-in modules (broken-engine.ts)
// and from a real image read through a host that turns slow part way.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkFiles } from '../../src/engine/check';
import { memoryFiles, instantiateEngine, type HostFiles } from '../../src/engine/wasm';
import { WASM_MEMORY_CAP, EngineStopped, TimeBudget, budgetFor, BASE_BUDGET_MS } from '../../src/engine/budget';
import { scratchDir } from '../helpers/scratch';
import { buildBrokenEngine, type Breakage } from './broken-engine';
import { check, checkHost, engineInstantiate, engineModule, guestImage, item } from './harness';

const dir = scratchDir('gc-broken-engine-');
const broken = async (kind: Breakage) => WebAssembly.compile(await buildBrokenEngine(kind, join(dir, kind)));
const zero = () => memoryFiles([new Uint8Array(1 << 20)]);

/** A host whose reads sleep `ms` each once `slow()` says so. */
function slowHost(bytes: Uint8Array, slow: () => boolean, ms: number): HostFiles {
  const inner = memoryFiles([bytes]);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  return { ...inner, read(id, off, dst) { if (slow()) Atomics.wait(pause, 0, 0, ms); return inner.read(id, off, dst); } };
}

describe('the engine stops runaway work with a named limit', () => {
  it('the memory cap the host names is the module\'s own maximum (asconfig.json)', () => {
    const cfg = JSON.parse(readFileSync(new URL('../../asconfig.json', import.meta.url), 'utf8'));
    expect(cfg.options.maximumMemory * 65536).toBe(WASM_MEMORY_CAP);
    // and a compiled engine declares it: its memory export cannot grow past the cap
    const { exports } = new WebAssembly.Instance(engineModule, { env: new Proxy({}, { get: () => () => 0 }) });
    const mem = exports.memory as WebAssembly.Memory;
    expect(() => mem.grow(WASM_MEMORY_CAP / 65536 - mem.buffer.byteLength / 65536 + 1)).toThrow(RangeError);
  });

  it('the budget grows with the input and has a floor', () => {
    expect(budgetFor(0)).toBe(BASE_BUDGET_MS);
    expect(budgetFor(10 * 2 ** 30)).toBe(BASE_BUDGET_MS + 10 * 60_000);
    const b = new TimeBudget(0);
    expect(() => { const t = performance.now(); while (performance.now() - t < 2); b.poll(); }).toThrow(/time budget of 0 s/);
    expect(b.stopped?.code).toBe('limit.time');
  });

  it('a wasm loop that keeps polling ends at the time budget, naming the phase', async () => {
    const t = performance.now();
    const r = await checkFiles(engineInstantiate, await broken('poll'), zero(), ['loop.img'], { timeBudgetMs: 300 });
    expect(performance.now() - t).toBeLessThan(5000);
    expect(r.error).toEqual({ code: 'limit.time', message: 'guestcheck stopped while opening the image of loop.img: the check ran over its time budget of 0.3 s' });
    expect(r.findings).toEqual([]);
    expect(r.stats.elapsedMs).toBeGreaterThanOrEqual(300);
  });

  it('memory that cannot grow any more is limit.memory, not a crash', async () => {
    const r = await checkFiles(engineInstantiate, await broken('oom'), zero(), ['big.img']);
    expect(r.error?.code).toBe('limit.memory');
    expect(r.error?.message).toMatch(/^guestcheck stopped while opening the image of big\.img: the engine ran out of memory: its memory cannot grow past 1024 MiB/);
  });

  it('a trap is engine.trap, said to be a bug rather than a verdict', async () => {
    const r = await checkFiles(engineInstantiate, await broken('trap'), zero(), ['trap.img']);
    expect(r.error?.code).toBe('engine.trap');
    expect(r.error?.message).toMatch(/opening the image of trap\.img: the engine failed \(memory access out of bounds\); this is a bug in guestcheck/);
  });

  it('an AssemblyScript abort (index out of range) is engine.trap too', async () => {
    const r = await checkFiles(engineInstantiate, await broken('abort'), zero(), ['abort.img']);
    expect(r.error?.code).toBe('engine.trap');
    expect(r.error?.message).toMatch(/Index out of range/);
  });

  it('recursion past the stack is limit.stack', async () => {
    const r = await checkFiles(engineInstantiate, await broken('recurse'), zero(), ['deep.img']);
    expect(r.error?.code).toBe('limit.stack');
    expect(r.error?.message).toMatch(/opening the image of deep\.img: the engine's recursion ran too deep/);
  });

  it('a stopped engine throws the same error for every later call', async () => {
    const x = await instantiateEngine(engineInstantiate, await broken('trap'), zero());
    x.configure(16, 1 << 20);
    let first: unknown;
    try { x.openImage(1); } catch (e) { first = e; }
    expect(first).toBeInstanceOf(EngineStopped);
    expect(() => x.lastErrorJson()).toThrow(first as Error);
    expect(() => x.configure(16, 1 << 20)).toThrow(first as Error);
  });

  it('a real image read too slowly stops while opening, with the budget in the message', async () => {
    const g = guestImage('mbr-ext3');
    const r = await checkHost(slowHost(g.bytes, () => true, 40), ['slow.img'], { timeBudgetMs: 150 });
    expect(r.error?.code).toBe('limit.time');
    expect(r.error?.message).toMatch(/^guestcheck stopped while (opening the image|mounting the filesystems) of slow\.img: the check ran over its time budget of 0\.2 s$/);
  });

  it('a budget spent while the items run keeps what finished and errors the rest, with a note', async () => {
    const g = guestImage('mbr-ext3');
    let checking = false;
    const r = await checkHost(slowHost(g.bytes, () => checking, 250), ['late.img'], {
      timeBudgetMs: 2000,
      onProgress: (p) => {
        // from the items on, every read is slow: the budget runs out among them
        if (p.phase === 'checking') checking = true;
      },
    });
    expect(r.error).toBeUndefined();
    expect(r.platform).toBe('Linux');
    const errors = r.findings.filter((f) => f.status === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0].solution).toMatch(/time budget of 2 s/);
    expect(r.image.notes.at(-1)).toMatch(/^guestcheck stopped while running the check items of late\.img: the check ran over its time budget of 2 s; the items that needed the image after that report an error$/);
    // the image facts read before the budget ran out are all there
    expect(r.image.volumes.length).toBeGreaterThanOrEqual(3);
    // Platform is decided from the mount alone and finished
    expect(item(r, 'Platform').status).toBe('pass');
  });

  it('an ordinary image finishes well inside the default budget', async () => {
    const r = await check([guestImage('mbr-ext3').bytes], ['mbr-ext3.img']);
    expect(r.error).toBeUndefined();
    expect(r.findings.every((f) => f.status !== 'error' || !/budget/.test(f.solution))).toBe(true);
    expect(r.stats.elapsedMs).toBeLessThan(BASE_BUDGET_MS);
  });

  it('a read of more than the engine takes at once is io.read-limit, before any allocation', async () => {
    const x = await instantiateEngine(engineInstantiate, engineModule, zero());
    x.configure(16, 1 << 20);
    expect(x.openImage(1)).not.toBe('');
    expect(x.rawRead(-1, 0, 300 << 20)).toBeNull();
    expect(JSON.parse(x.lastErrorJson())).toMatchObject({ kind: 'limit', code: 'io.read-limit' });
  });
});
