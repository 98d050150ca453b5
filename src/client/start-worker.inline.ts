// SPDX-License-Identifier: Apache-2.0
// The single-file offline build (vite.config.ts, mode "offline") swaps this in
// for start-worker.ts: the worker's code travels inside the page and starts
// from a blob: URL, because a page opened from file:// cannot load a worker
// file beside it.
import CheckWorker from '../../workers/check.worker.ts?worker&inline';

export function startCheckWorker(): Worker {
  return new CheckWorker();
}
