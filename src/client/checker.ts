// SPDX-License-Identifier: Apache-2.0
// The one module that knows a Worker exists (STYLE.md, squoosh): it starts a
// worker per check, relays progress, and terminates it on cancel — an
// AbortSignal cannot cross postMessage. A worker that crashes, traps outside
// the engine's guard or stops answering is ended here too: the check resolves
// to a report whose error names the image, the phase and what happened, and
// the next check starts a fresh worker.
import * as Comlink from 'comlink';
import type { CheckWorkerApi } from '../../workers/check-api';
import { startCheckWorker } from './start-worker';
import type { Progress, Report } from '../report/types';
import { SILENCE_MS, budgetFor, failureReport, graceFor, phaseText, watchdogMessage } from '../engine/budget';

export class CheckCancelled extends Error {
  constructor() { super('check cancelled'); this.name = 'CheckCancelled'; }
}

export interface CheckImageOptions {
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  pageShift?: number;
  /** the engine's time budget (default: budgetFor the files' size) */
  timeBudgetMs?: number;
  /** how long the worker may say nothing before it is taken to have hung (default SILENCE_MS) */
  silenceMs?: number;
}

export async function checkImage(files: File[], options: CheckImageOptions = {}): Promise<Report> {
  const names = files.map((f) => f.name);
  const budgetMs = options.timeBudgetMs ?? budgetFor(files.reduce((n, f) => n + f.size, 0));
  const silenceMs = options.silenceMs ?? SILENCE_MS;
  const t0 = performance.now();
  let last: Progress = { phase: 'opening', bytesRead: 0, readCalls: 0 };
  let heard = t0;
  const worker = startCheckWorker();
  const api = Comlink.wrap<CheckWorkerApi>(worker);
  let watchdog: ReturnType<typeof setInterval> | undefined;
  const failed = (code: string, message: string) => failureReport(names, code, message, last, performance.now() - t0);
  try {
    const cancelled = new Promise<never>((_, reject) => {
      if (options.signal?.aborted) reject(new CheckCancelled());
      options.signal?.addEventListener('abort', () => reject(new CheckCancelled()), { once: true });
    });
    // the worker's end, as the page sees it: an uncaught error, a message it cannot read, or silence
    const ended = new Promise<Report>((resolve) => {
      worker.addEventListener('error', (e) => {
        e.preventDefault();
        resolve(failed('engine.crashed', watchdogMessage(names, last.phase, 'crash', e.message)));
      });
      worker.addEventListener('messageerror', () => resolve(failed('engine.crashed', watchdogMessage(names, last.phase, 'crash', 'a message from it could not be read'))));
      watchdog = setInterval(() => {
        const t = performance.now();
        if (t - t0 > budgetMs + graceFor(budgetMs)) resolve(failed('limit.time', watchdogMessage(names, last.phase, 'budget', String(budgetMs))));
        else if (t - heard > silenceMs) resolve(failed('engine.unresponsive', watchdogMessage(names, last.phase, 'silent', String(silenceMs))));
      }, Math.min(1000, silenceMs / 4));
    });
    const progress = Comlink.proxy((p: Progress) => {
      heard = performance.now();
      const changed = p.phase !== last.phase || p.bytesRead !== last.bytesRead;
      last = p;
      // a heartbeat repeats the last progress: the page need not redraw for it
      if (changed) options.onProgress?.(p);
    });
    const checked = api.check(files, { pageShift: options.pageShift, timeBudgetMs: budgetMs }, progress).catch((e: unknown) =>
      // the worker threw past the engine's guard (a bug outside the wasm): still this image's error
      failed('engine.failed', `guestcheck failed while ${phaseText(last.phase)} of ${names.join(', ')}: ${(e as Error)?.message ?? String(e)}`));
    return await Promise.race([checked, cancelled, ended]);
  } finally {
    clearInterval(watchdog);
    worker.terminate();
  }
}

