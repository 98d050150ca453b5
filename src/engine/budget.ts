// SPDX-License-Identifier: Apache-2.0
// The limits one check runs under, and what it says when it reaches one: a
// time budget the host enforces while the wasm runs (the wasm polls it through
// hostPoll/hostRead/hostProgress and the host throws out of it), the wasm
// memory cap, and the engine's own traps, each named with the phase it hit.
import type { Phase, Progress, Report } from '../report/types';
import { VERSION } from '../version';

/** asconfig.json "maximumMemory": 16384 pages of 64 KiB. test/hostile/limits.test.ts keeps them equal. */
export const WASM_MEMORY_CAP = 16384 * 65536;

/** The base time budget of one image; reading a large (compressed) image adds to it (budgetFor). */
export const BASE_BUDGET_MS = 5 * 60_000;
/** Added per GiB of input: indexing a compressed image inflates all of it once. */
export const BUDGET_MS_PER_GIB = 60_000;

/** The time budget of an image of `bytes` input bytes. */
export function budgetFor(bytes: number): number {
  return BASE_BUDGET_MS + Math.ceil(bytes / 2 ** 30) * BUDGET_MS_PER_GIB;
}

/** Why the engine stopped: a limit (limit.time, limit.memory, limit.stack) or a trap (engine.trap, a bug). */
export class EngineStopped extends Error {
  /** origin: the trap or exception that stopped the engine, when one did (the fuzzer classifies it) */
  constructor(readonly code: string, message: string, readonly origin?: unknown) {
    super(message);
    this.name = 'EngineStopped';
  }
}

/** What each phase was doing, for a message a person reads. */
export function phaseText(p: Phase): string {
  switch (p) {
    case 'opening': return 'opening the image';
    case 'decompressing': return 'indexing the compressed image';
    case 'partitions': return 'reading the partition table';
    case 'filesystems': return 'reading the filesystems';
    case 'mounting': return 'mounting the filesystems';
    case 'checking': return 'running the check items';
    case 'done': return 'finishing the report';
  }
}

const seconds = (ms: number) => (ms >= 10_000 ? Math.round(ms / 1000) : Math.round(ms / 100) / 10);

/**
 * The clock a check runs against. poll() throws EngineStopped("limit.time")
 * once the budget is spent, and calls onBeat about once a second so that a
 * watchdog outside the worker knows the engine is alive.
 */
export class TimeBudget {
  readonly deadline: number;
  phase: Phase = 'opening';
  /** the first failure that stopped the engine, and the phase it stopped in */
  stopped: EngineStopped | null = null;
  stoppedIn: Phase | null = null;
  private lastBeat: number;
  constructor(readonly budgetMs: number, private readonly onBeat?: () => void) {
    this.lastBeat = performance.now();
    this.deadline = this.lastBeat + budgetMs;
  }
  poll(): void {
    const t = performance.now();
    if (t > this.deadline) {
      const e = this.spent();
      this.onStop(e);
      throw e;
    }
    if (t - this.lastBeat >= 1000) {
      this.lastBeat = t;
      this.onBeat?.();
    }
  }
  onStop(e: EngineStopped): void {
    if (this.stopped !== null) return;
    this.stopped = e;
    this.stoppedIn = this.phase;
  }
  spent(): EngineStopped {
    return new EngineStopped('limit.time', `the check ran over its time budget of ${seconds(this.budgetMs)} s`);
  }
}

/** Names what a call into the engine threw: a limit it reached, or a trap (a bug). */
export function classifyFailure(e: unknown, memoryBytes: number): EngineStopped {
  if (e instanceof EngineStopped) return e;
  const msg = e instanceof Error ? e.message : String(e);
  const mib = (n: number) => Math.round(n / 2 ** 20);
  // AssemblyScript's allocator traps with "unreachable" when memory cannot grow: its only unreachable
  if (e instanceof WebAssembly.RuntimeError && /unreachable/.test(msg)) {
    return new EngineStopped('limit.memory', `the engine ran out of memory: its memory cannot grow past ${mib(WASM_MEMORY_CAP)} MiB (it held ${mib(memoryBytes)} MiB)`, e);
  }
  if (e instanceof RangeError && /call stack/i.test(msg)) {
    return new EngineStopped('limit.stack', `the engine's recursion ran too deep (${msg})`, e);
  }
  if (e instanceof RangeError && /allocat|memory/i.test(msg)) {
    return new EngineStopped('limit.memory', `the engine ran out of memory (${msg})`, e);
  }
  return new EngineStopped('engine.trap', `the engine failed (${msg}); this is a bug in guestcheck, not a verdict on the image`, e);
}

/** After the budget, how long a watchdog outside the worker waits before it ends a worker that stopped answering. */
export function graceFor(budgetMs: number): number {
  return Math.min(10_000, Math.max(2_000, budgetMs / 10));
}

/** A worker that says nothing (no progress, no heartbeat) for this long has hung outside the polled wasm, or died. */
export const SILENCE_MS = 60_000;

/**
 * The report of an image whose check ended outside the engine's own answer
 * (the worker crashed, or stopped answering): no findings, the error says what
 * happened, to which image, in which phase.
 */
export function failureReport(names: string[], code: string, message: string, last: Progress | null, elapsedMs: number): Report {
  return {
    tool: { name: 'guestcheck', version: VERSION },
    image: { files: names, format: 'unknown', virtualSize: 0, partitionTable: 'none', notes: [], volumes: [] },
    platform: null,
    DetectionOptions: { Status: 'Finished', Items: { Item: [] } },
    Tags: [],
    findings: [],
    stats: { bytesRead: last?.bytesRead ?? 0, readCalls: last?.readCalls ?? 0, elapsedMs: Math.round(elapsedMs), peakWasmBytes: 0 },
    error: { code, message },
  };
}

/** What a watchdog outside the worker says when it ends the check. */
export function watchdogMessage(names: string[], phase: Phase, why: 'budget' | 'silent' | 'crash', detail: string): string {
  const where = `while ${phaseText(phase)} of ${names.join(', ')}`;
  switch (why) {
    case 'budget': return `guestcheck stopped ${where}: the check ran over its time budget of ${seconds(Number(detail))} s and did not stop by itself`;
    case 'silent': return `guestcheck stopped ${where}: the check's worker gave no sign of life for ${seconds(Number(detail))} s`;
    case 'crash': return `guestcheck's worker crashed ${where}: ${detail || 'no reason was given'}`;
  }
}
