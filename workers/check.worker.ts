// SPDX-License-Identifier: Apache-2.0
// The browser worker: reads the person's Files synchronously (FileReaderSync
// over File.slice, DESIGN.md) into wasm memory and runs one check. Exposed
// with comlink; the client terminates the worker to cancel.
import * as Comlink from 'comlink';
import wasmUrl from '../build/guestcheck.wasm?url';
import { instantiate } from '../build/guestcheck.js';
import { checkFiles, type CheckOptions } from '../src/engine/check';
import type { HostFiles, Instantiate } from '../src/engine/wasm';
import type { Progress, Report } from '../src/report/types';
import type { CheckWorkerApi } from './check-api';

let modulePromise: Promise<WebAssembly.Module> | undefined;
const loadModule = () => (modulePromise ??= compileWasm(wasmUrl));

/**
 * The offline single-file build inlines the wasm as a data: URL; decoding it
 * here keeps its CSP free of connect-src (a fetch of data: would need it).
 */
function compileWasm(url: string): Promise<WebAssembly.Module> {
  const m = /^data:[^,]*;base64,/.exec(url);
  if (!m) return WebAssembly.compileStreaming(fetch(url));
  const bin = atob(url.slice(m[0].length));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return WebAssembly.compile(bytes);
}

function fileHost(files: File[]): HostFiles {
  const reader = new FileReaderSync();
  return {
    count: files.length,
    size: (id) => files[id].size,
    read(id, offset, dst) {
      const buf = reader.readAsArrayBuffer(files[id].slice(offset, offset + dst.length));
      dst.set(new Uint8Array(buf));
      return buf.byteLength;
    },
  };
}

const api: CheckWorkerApi = {
  async check(files: File[], opts: Omit<CheckOptions, 'onProgress'>, onProgress?: (p: Progress) => void): Promise<Report> {
    const mod = await loadModule();
    return checkFiles(instantiate as unknown as Instantiate, mod, fileHost(files), files.map((f) => f.name), { ...opts, onProgress });
  },
};

Comlink.expose(api);
