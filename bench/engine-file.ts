// SPDX-License-Identifier: Apache-2.0
// An image file on disk handed to a fresh engine, as the codec and window
// passes of the benchmark open theirs: the file behind the host read import,
// and the index pass (openImage) timed alone.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { instantiateEngine, type HostFiles, type Instantiate } from '../src/engine/wasm';

/** One file as the engine's host files; close() when done. */
export function fileHost(path: string): { files: HostFiles; close: () => void } {
  const fd = openSync(path, 'r');
  const size = fstatSync(fd).size;
  return {
    files: { count: 1, size: () => size, read: (_id, off, dst) => readSync(fd, dst, 0, dst.length, off) },
    close: () => closeSync(fd),
  };
}

/** A fresh engine over `path` (64 KiB pages, 64 MiB cache) with its image opened; `ms` is openImage's time. */
export async function openEngine(path: string, mod: WebAssembly.Module, inst: Instantiate) {
  const { files, close } = fileHost(path);
  const x = await instantiateEngine(inst, mod, files);
  x.configure(16, 64 << 20);
  const t = performance.now();
  const img = x.openImage(1);
  const ms = performance.now() - t;
  if (img === '') { close(); throw new Error(`${path}: ${x.lastErrorJson()}`); }
  return { x, ms, img: JSON.parse(img), close };
}
