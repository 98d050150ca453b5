// SPDX-License-Identifier: Apache-2.0
// The instrumented engine (build/fuzz/engine.wasm) for the fuzzer: one
// instance reused across executions (fast) and replaced after any trap, so a
// trap cannot poison later runs. Host files are swapped per execution; the
// byte ranges the engine reads from file 0 are recorded (the fuzzer mutates
// there); a per-execution loop budget (fuel) and CPU-time deadline turn a
// hang into a finding.
import { readFileSync } from 'node:fs';
import { ROOT } from './paths';
import { instantiateEngine, type HostFiles, type Instantiate, type WasmExports } from '../src/engine/wasm';

export interface FuzzExports extends WasmExports {
  fuzzDecode(kind: number, src: Uint8Array, dstLen: number): number;
  fuzzHasError(): boolean;
  codecInflate(src: Uint8Array, dstLen: number, format: number): Uint8Array | null;
  __fuzz_fuel: WebAssembly.Global;
}

export class HangError extends Error {}

/** CPU time of this process in ms: a niced campaign on a busy machine waits long, but a hang burns CPU. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const buildDir = ROOT + (process.env.FUZZ_BUILD ?? 'build/fuzz/');

export class FuzzEngine {
  x!: FuzzExports;
  mapBase = 0;
  mapSize = 0;
  private files: Uint8Array[] = [];
  /** host files other than plain buffers (an archive's windows), when set */
  private host: HostFiles | null = null;
  deadline = Infinity;
  /** read ranges of file 0 during the current execution: [start, end, ...] */
  reads: number[] = [];
  instances = 0;

  private constructor(private mod: WebAssembly.Module, private inst: Instantiate) {
    const meta = JSON.parse(readFileSync(buildDir + 'engine.json', 'utf8'));
    this.mapBase = meta.mapBase;
    this.mapSize = meta.mapSize;
  }

  static async load(): Promise<FuzzEngine> {
    const mod = await WebAssembly.compile(readFileSync(buildDir + 'engine.wasm'));
    const inst = (await import(/* @vite-ignore */ buildDir + 'engine.js')).instantiate as Instantiate;
    const e = new FuzzEngine(mod, inst);
    await e.reset();
    return e;
  }

  /** A fresh instance (after a trap, or when memory grew large). */
  async reset(): Promise<void> {
    const self = this;
    const host: HostFiles = {
      get count() { return self.host?.count ?? self.files.length; },
      size: (id) => self.host?.size(id) ?? self.files[id].length,
      read(id, offset, dst) {
        if (cpuMs() > self.deadline) throw new HangError('CPU time limit reached inside a host read');
        if (self.host) return self.host.read(id, offset, dst);
        const b = self.files[id];
        if (offset >= b.length) return 0;
        const n = Math.min(dst.length, b.length - offset);
        dst.set(b.subarray(offset, offset + n));
        if (id === 0 && self.reads.length < 1024) {
          const r = self.reads;
          if (r.length >= 2 && r[r.length - 1] === offset) r[r.length - 1] = offset + n;
          else r.push(offset, offset + n);
        }
        return n;
      },
    };
    const inst: Instantiate = (m, imports) => {
      const env = (imports.env ?? {}) as Record<string, unknown>;
      env.__fuzz_hang = () => { throw new HangError('loop budget exhausted'); };
      return this.inst(m, { ...imports, env });
    };
    this.x = await instantiateEngine(inst, this.mod, host) as FuzzExports;
    this.instances++;
  }

  get memoryBytes(): number { return this.x.memory.buffer.byteLength; }

  /** Sets the files for the next calls, the loop budget and the deadline; clears the coverage map. */
  begin(files: Uint8Array[], fuel: number, ms: number): void {
    this.files = files;
    this.host = null;
    this.reads = [];
    this.x.__fuzz_fuel.value = fuel;
    this.deadline = cpuMs() + ms;
    new Uint8Array(this.x.memory.buffer, this.mapBase, this.mapSize).fill(0);
    this.x.configure(12, 16 << 20);
  }

  /**
   * A fresh instance reading `host` (an archive's members as windows, some
   * deflated): the encodings the module registers cannot be unregistered, so
   * each such execution gets its own instance.
   */
  async beginHost(host: HostFiles, names: string[], fuel: number, ms: number): Promise<void> {
    this.host = host;
    await this.reset();
    this.x.__fuzz_fuel.value = fuel;
    this.deadline = cpuMs() + ms;
    this.x.configure(12, 16 << 20);
    names.forEach((n, i) => this.x.setFileName(i, n));
    for (let id = 0; id < host.count; id++) {
      const enc = host.encoding?.(id);
      if (enc) this.x.setFileEncoding(id, 1, enc.size, enc.crc32 ?? -1);
    }
  }

  map(): Uint8Array { return new Uint8Array(this.x.memory.buffer, this.mapBase, this.mapSize); }

  /** The error JSON, or null. */
  lastError(): { kind: string; code: string; message: string } | null { return JSON.parse(this.x.lastErrorJson()); }
}
