// SPDX-License-Identifier: Apache-2.0
// The Node worker (worker_threads): the same engine as the browser worker,
// reading the image files with fs.readSync straight into wasm memory.
import { parentPort } from 'node:worker_threads';
import { openSync, readSync, fstatSync, closeSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { checkFiles } from '../src/engine/check';
import type { HostFiles, Instantiate } from '../src/engine/wasm';
import type { Progress, Report } from '../src/report/types';

const api = {
  /** Opens every path read-only; an unopenable path rejects with a message naming it. */
  async check(paths: string[], wasmDir: string, opts: { timeBudgetMs?: number } = {}): Promise<Report | { openError: string }> {
    const fds: number[] = [];
    try {
      for (const p of paths) {
        try {
          fds.push(openSync(p, 'r'));
        } catch (e) {
          return { openError: `cannot open ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
        }
      }
      const sizes = fds.map((fd) => fstatSync(fd).size);
      const files: HostFiles = {
        count: fds.length,
        size: (id) => sizes[id],
        read: (id, offset, dst) => readSync(fds[id], dst, 0, dst.length, offset),
      };
      const mod = await WebAssembly.compile(readFileSync(new URL('guestcheck.wasm', wasmDir)));
      const inst = (await import(new URL('guestcheck.js', wasmDir).href)).instantiate as Instantiate;
      // progress and the engine's heartbeat go to the CLI's watchdog beside comlink's own messages
      const onProgress = (p: Progress) => parentPort!.postMessage({ guestcheckProgress: p });
      return await checkFiles(inst, mod, files, paths.map((p) => basename(p)), { ...opts, onProgress });
    } finally {
      for (const fd of fds) closeSync(fd);
    }
  },
};

export type NodeCheckApi = typeof api;
Comlink.expose(api, nodeEndpoint(parentPort!));
