// SPDX-License-Identifier: Apache-2.0
// The one module that knows a Worker exists (STYLE.md, squoosh): it starts a
// worker per check, relays progress, and terminates it on cancel — an
// AbortSignal cannot cross postMessage.
import * as Comlink from 'comlink';
import type { CheckWorkerApi } from '../../workers/check-api';
import { startCheckWorker } from './start-worker';
import type { Progress, Report } from '../report/types';

export class CheckCancelled extends Error {
  constructor() { super('check cancelled'); this.name = 'CheckCancelled'; }
}

export async function checkImage(
  files: File[],
  options: { signal?: AbortSignal; onProgress?: (p: Progress) => void; pageShift?: number } = {},
): Promise<Report> {
  const worker = startCheckWorker();
  const api = Comlink.wrap<CheckWorkerApi>(worker);
  try {
    const cancelled = new Promise<never>((_, reject) => {
      if (options.signal?.aborted) reject(new CheckCancelled());
      options.signal?.addEventListener('abort', () => reject(new CheckCancelled()), { once: true });
    });
    const progress = options.onProgress ? Comlink.proxy(options.onProgress) : undefined;
    return await Promise.race([api.check(files, { pageShift: options.pageShift }, progress), cancelled]);
  } finally {
    worker.terminate();
  }
}
