// SPDX-License-Identifier: Apache-2.0
// Test-only stand-ins for the engine, compiled with asc at test time: a tiny
// module with the engine's imports and the exports a check calls first, whose
// openImage fails the way a buggy or runaway parser would. Nothing of this
// ships: the real engine has no switch a user's image could flip.
import asc from 'assemblyscript/asc';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** trap: memory access out of bounds; oom: grow memory until it cannot; poll: loop asking the host; spin: loop without asking; abort: an index out of range; recurse: unbounded recursion */
export type Breakage = 'trap' | 'oom' | 'poll' | 'spin' | 'abort' | 'recurse';

const body: Record<Breakage, string> = {
  trap: 'return load<u8>(<usize>0xfffffff0).toString();',
  oom: 'while (true) keep.push(new Uint8Array(1 << 20));\n  return "";',
  poll: 'while (true) hostPoll();\n  return "";',
  spin: 'let i: u64 = 0;\n  while (true) { i++; if (i == 0) break; }\n  return i.toString();',
  abort: 'const a = new Array<i32>(2);\n  return a[<i32>fileCount + 5].toString();',
  recurse: 'return deeper(<i64>fileCount).toString();',
};

function source(kind: Breakage): string {
  return `
@external("env", "hostPoll") declare function hostPoll(): void;
@external("env", "hostRead") declare function hostRead(id: i32, off: f64, len: i32, dst: i32): i32;
@external("env", "hostSize") declare function hostSize(id: i32): f64;
@external("env", "hostProgress") declare function hostProgress(p: i32, d: f64, t: f64): void;
const keep: Uint8Array[] = [];
export function deeper(n: i64): i64 { return n > (1 << 40) ? n : deeper(n + 1) + 1; }
export function configure(pageShift: i32, cacheBytes: f64): void {}
export function setFileName(id: i32, name: string): void {}
export function setFileEncoding(id: i32, kind: i32, size: f64, crc32: f64): void {}
export function ioStatsJson(): string {
  return '{"bytesRead":' + hostSize(0).toString() + ',"readCalls":0,"memoryBytes":' + (memory.size() << 16).toString() + '}';
}
export function lastErrorJson(): string { return "null"; }
export function clearLastError(): void {}
export function openImage(fileCount: i32): string {
  ${body[kind]}
}
`;
}

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Compiles the stand-in into `dir` as guestcheck.wasm beside the real bindings (guestcheck.js); returns its bytes. */
export async function buildBrokenEngine(kind: Breakage, dir: string): Promise<Uint8Array<ArrayBuffer>> {
  const r = await asc.compileString(source(kind), {
    bindings: ['raw'], runtime: 'incremental', exportRuntime: true, initialMemory: 1, maximumMemory: 64, optimizeLevel: 0,
  } as never);
  if (r.error || !r.binary) throw new Error(`asc: ${r.error?.message ?? ''} ${r.stderr.toString()}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'guestcheck.wasm'), r.binary);
  // the real bindings: they wrap exports by name, so the stand-in needs only the ones a check calls first
  copyFileSync(join(root, 'build/guestcheck.js'), join(dir, 'guestcheck.js'));
  return new Uint8Array(r.binary);
}
