// SPDX-License-Identifier: Apache-2.0
// Instantiates the AssemblyScript module and wires its one host import, read,
// to whatever synchronous reader the realm has (FileReaderSync in a browser
// worker, fs.readSync in Node, a buffer in tests). Realm-neutral on purpose.
// The exports come back guarded: a trap, an abort or a spent time budget stops
// the instance for good, and every later call throws the same EngineStopped,
// so nothing reads a heap a trap left half-changed.
import { classifyFailure, type EngineStopped } from './budget';

export interface HostFiles {
  /** Copies up to dst.length bytes of file `id` at `offset` into dst; returns the count. */
  read(id: number, offset: number, dst: Uint8Array): number;
  size(id: number): number;
  count: number;
  /** How file `id` is encoded when it is not the image's bytes as they are (a deflated zip member). */
  encoding?(id: number): FileEncoding | undefined;
}

/** A file whose bytes are a raw deflate stream of `size` bytes (CRC-32 `crc32` when known). */
export interface FileEncoding { kind: 'deflate-raw'; size: number; crc32?: number }

export interface ErrorInfo { kind: string; code: string; message: string }

/** The generated bindings' instantiate() (asc --bindings raw). */
export type Instantiate = (module: WebAssembly.Module, imports: Record<string, unknown>) => Promise<WasmExports>;

export interface WasmExports {
  memory: WebAssembly.Memory;
  configure(pageShift: number, cacheBytes: number): void;
  lastErrorJson(): string;
  clearLastError(): void;
  ioStatsJson(): string;
  /** names file `id` for matching backing files, parents and extents; before openImage */
  setFileName(id: number, name: string): void;
  openImage(fileCount: number): string;
  mountGuest(): string;
  fsStat(vol: number, path: string, follow: boolean): string;
  fsReaddir(vol: number, path: string): string;
  fsRead(vol: number, path: string, offset: number, len: number): Uint8Array | null;
  fsReadlink(vol: number, path: string): string | null;
  rawRead(vol: number, offset: number, len: number): Uint8Array | null;
  hiveOpen(vol: number, path: string): number;
  hiveOpenHost(fileId: number, log1: number, log2: number): number;
  hiveClose(h: number): void;
  hiveInfoJson(h: number): string;
  hiveKeyJson(h: number, keyPath: string): string;
  hiveKeyAtJson(h: number, offset: number): string;
  bcdJson(h: number): string;
  setFileEncoding(id: number, kind: number, size: number, crc32: number): void;
}

export type Phase = number;

/** What the engine asks while it works: poll() throws (EngineStopped) to stop runaway work. */
export interface EngineWatch {
  poll(): void;
  /** told once, when the first failure stops the engine */
  onStop?(e: EngineStopped): void;
}

export async function instantiateEngine(
  instantiate: Instantiate,
  module: WebAssembly.Module,
  files: HostFiles,
  onProgress?: (phase: Phase, done: number, total: number) => void,
  watch?: EngineWatch,
): Promise<WasmExports> {
  let memory: WebAssembly.Memory | undefined;
  const exports = await instantiate(module, {
    env: {
      hostRead(id: number, offset: number, length: number, dst: number): number {
        watch?.poll();
        if (id < 0 || id >= files.count || length <= 0) return 0;
        // The view is made per call: wasm memory may have grown since the last one.
        const view = new Uint8Array(memory!.buffer, dst >>> 0, length);
        try {
          return files.read(id, offset, view);
        } catch {
          // a File that changed or vanished under the reader: the wasm names the short read
          return 0;
        }
      },
      hostSize(id: number): number {
        return id >= 0 && id < files.count ? files.size(id) : 0;
      },
      hostProgress(phase: number, done: number, total: number): void {
        watch?.poll();
        onProgress?.(phase, done, total);
      },
      hostPoll(): void {
        watch?.poll();
      },
    },
  });
  memory = exports.memory;
  const guarded = guardExports(exports, watch);
  for (let id = 0; id < files.count; id++) {
    const e = files.encoding?.(id);
    if (e) guarded.setFileEncoding(id, 1, e.size, e.crc32 ?? -1);
  }
  return guarded;
}

/** The engine's exports, stopped for good by the first failure (see the file comment). */
function guardExports(x: WasmExports, watch?: EngineWatch): WasmExports {
  let stopped: EngineStopped | null = null;
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(x, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (typeof v !== 'function') return v;
      let w = wrapped.get(prop);
      if (w === undefined) {
        const f = v as (...a: unknown[]) => unknown;
        w = (...args: unknown[]) => {
          if (stopped) throw stopped;
          try {
            return f.apply(target, args);
          } catch (e) {
            stopped = classifyFailure(e, target.memory.buffer.byteLength);
            watch?.onStop?.(stopped);
            throw stopped;
          }
        };
        wrapped.set(prop, w);
      }
      return w;
    },
  });
}

/** Files held in memory (tests, and small samples). */
export function memoryFiles(buffers: Uint8Array[]): HostFiles {
  return {
    count: buffers.length,
    size: (id) => buffers[id].length,
    read(id, offset, dst) {
      const b = buffers[id];
      if (offset >= b.length) return 0;
      const n = Math.min(dst.length, b.length - offset);
      dst.set(b.subarray(offset, offset + n));
      return n;
    },
  };
}
