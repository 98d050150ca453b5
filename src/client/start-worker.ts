// SPDX-License-Identifier: Apache-2.0
// Starts the check worker from its own file next to this module, so the
// element works when a portal loads it from another origin or folder.
export function startCheckWorker(): Worker {
  return new Worker(new URL('../../workers/check.worker.ts', import.meta.url), { type: 'module' });
}
