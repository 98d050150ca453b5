// SPDX-License-Identifier: Apache-2.0
// Test harness: the debug wasm build, fed from in-memory images.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { instantiateEngine, memoryFiles, type WasmExports, type ErrorInfo, type Instantiate } from '../../src/engine/wasm';

const buildDir = fileURLToPath(new URL('../../build/', import.meta.url));

export interface StatJson { kind: string; mode: number; size: number; uid: number; gid: number; nlink: number; mtime: number; node: number; path: string; mount: string }
export interface DirJson { name: string; kind: string; node: number }

export class Session {
  constructor(readonly x: WasmExports) {}
  /** The image JSON, or null (see lastError()) */
  inspect(): any {
    const s = this.x.openImage(this.count);
    return s === '' ? null : JSON.parse(s);
  }
  count = 1;
  mount(): any {
    const s = this.x.mountGuest();
    return s === '' ? null : JSON.parse(s);
  }
  lastError(): ErrorInfo | null { return JSON.parse(this.x.lastErrorJson()); }
  stat(vol: number, path: string, follow = true): StatJson | null {
    const s = this.x.fsStat(vol, path, follow);
    return s === '' ? null : JSON.parse(s);
  }
  readdir(vol: number, path: string): DirJson[] | null {
    const s = this.x.fsReaddir(vol, path);
    return s === '' ? null : JSON.parse(s);
  }
  readFile(vol: number, path: string, offset = 0, len = 1 << 30): Uint8Array | null {
    return this.x.fsRead(vol, path, offset, len);
  }
  readlink(vol: number, path: string): string | null { return this.x.fsReadlink(vol, path); }
  stats(): any { return JSON.parse(this.x.ioStatsJson()); }
  /** A hive handle (>= 0) or -1 (see lastError()). */
  hiveOpen(vol: number, path: string): number { return this.x.hiveOpen(vol, path); }
  hiveOpenHost(fileId: number, log1 = -1, log2 = -1): number { return this.x.hiveOpenHost(fileId, log1, log2); }
  hiveInfo(h: number): any { const s = this.x.hiveInfoJson(h); return s === '' ? null : JSON.parse(s); }
  /** The key JSON, null when absent or on error (see lastError()). */
  hiveKey(h: number, path: string): any { const s = this.x.hiveKeyJson(h, path); return s === '' || s === 'null' ? null : JSON.parse(s); }
  hiveKeyAt(h: number, offset: number): any { const s = this.x.hiveKeyAtJson(h, offset); return s === '' ? null : JSON.parse(s); }
  bcd(h: number): any { const s = this.x.bcdJson(h); return s === '' ? null : JSON.parse(s); }
}

let mod: WebAssembly.Module | undefined;
let inst: Instantiate | undefined;

export async function loadEngine() {
  mod ??= await WebAssembly.compile(readFileSync(buildDir + 'guestcheck.debug.wasm'));
  inst ??= (await import(/* @vite-ignore */ buildDir + 'guestcheck.debug.js')).instantiate as Instantiate;
  return {
    async open(buffers: Uint8Array[], opts: { pageShift?: number; cacheBytes?: number } = {}): Promise<Session> {
      const x = await instantiateEngine(inst!, mod!, memoryFiles(buffers));
      x.configure(opts.pageShift ?? 16, opts.cacheBytes ?? 64 * 1024 * 1024);
      const s = new Session(x);
      s.count = buffers.length;
      return s;
    },
  };
}
