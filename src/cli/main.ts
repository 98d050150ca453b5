// SPDX-License-Identifier: Apache-2.0
// guestcheck IMAGE... [--json|--markdown [--lang en|ja]] [--repair-script FILE|-] [--time-budget SECONDS]: checks an image
// from the command line. The check runs in a worker thread (DESIGN.md), so a
// wasm trap cannot take the CLI down with it: it becomes exit code 2 with the
// message, and so does a worker that crashes, exits, or stops answering (a
// watchdog here ends it after its time budget and a grace period).
// --repair-script FILE writes the repair script (src/report/repair.ts) to FILE, "-" for stdout:
// POSIX sh for a Linux guest, PowerShell (name it repair.ps1) for a Windows guest.
// Exit codes: 0 no finding fails, 1 a finding fails, 2 unreadable image or bad arguments.
import { Worker } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { NodeCheckApi } from '../../workers/check.node-worker';
import { statSync, writeFileSync } from 'node:fs';
import { formatTable } from './table';
import { formatMarkdown } from '../report/markdown';
import { LANGS, type Lang } from '../report/i18n';
import type { Progress } from '../report/types';
import { SILENCE_MS, budgetFor, graceFor, watchdogMessage } from '../engine/budget';

const USAGE = 'usage: guestcheck IMAGE... [--json|--markdown [--lang en|ja]] [--repair-script FILE|-] [--time-budget SECONDS]';

export async function main(argv: string[], wasmDir: URL): Promise<number> {
  const rs = argv.indexOf('--repair-script');
  const repairTo = rs >= 0 ? argv[rs + 1] : undefined;
  if (rs >= 0) {
    if (repairTo === undefined || (repairTo.startsWith('--') && repairTo !== '-')) {
      process.stderr.write(`--repair-script needs a file name (or - for stdout)\n${USAGE}\n`);
      return 2;
    }
    argv = argv.filter((_, i) => i !== rs && i !== rs + 1);
  }
  const li = argv.indexOf('--lang');
  const lang = (li >= 0 ? argv[li + 1] : 'en') as Lang;
  if (li >= 0) {
    if (!LANGS.includes(lang)) {
      process.stderr.write(`--lang takes ${LANGS.join(' or ')}\n${USAGE}\n`);
      return 2;
    }
    argv = argv.filter((_, i) => i !== li && i !== li + 1);
  }
  const tb = argv.indexOf('--time-budget');
  let timeBudgetMs: number | undefined;
  if (tb >= 0) {
    const secs = Number(argv[tb + 1]);
    if (!(secs > 0) || !Number.isFinite(secs)) {
      process.stderr.write(`--time-budget takes a number of seconds\n${USAGE}\n`);
      return 2;
    }
    timeBudgetMs = secs * 1000;
    argv = argv.filter((_, i) => i !== tb && i !== tb + 1);
  }
  const json = argv.includes('--json');
  const markdown = argv.includes('--markdown');
  const paths = argv.filter((a) => !a.startsWith('--'));
  const unknown = argv.filter((a) => a.startsWith('--') && a !== '--json' && a !== '--markdown');
  if (unknown.length > 0 || paths.length === 0) {
    process.stderr.write(`${unknown.length ? `unknown option ${unknown[0]}\n` : ''}${USAGE}\n`);
    return 2;
  }
  const names = paths.map((p) => p.replace(/^.*[\\/]/, ''));
  let budgetMs = timeBudgetMs;
  if (budgetMs === undefined) {
    let bytes = 0;
    for (const p of paths) { try { bytes += statSync(p).size; } catch { /* the worker names an unopenable path */ } }
    budgetMs = budgetFor(bytes);
  }
  const worker = new Worker(new URL('./check-node-worker.js', import.meta.url));
  const api = Comlink.wrap<NodeCheckApi>(nodeEndpoint(worker));
  let last: Progress = { phase: 'opening', bytesRead: 0, readCalls: 0 };
  const t0 = performance.now();
  let heard = t0;
  worker.on('message', (m: { guestcheckProgress?: Progress }) => {
    if (m?.guestcheckProgress) { last = m.guestcheckProgress; heard = performance.now(); }
  });
  let watchdog: ReturnType<typeof setInterval> | undefined;
  try {
    const limit = budgetMs;
    const crashed = new Promise<never>((_, reject) => {
      worker.once('error', (e: Error) => reject(new Error(watchdogMessage(names, last.phase, 'crash', e.message))));
      worker.once('exit', (code) => reject(new Error(watchdogMessage(names, last.phase, 'crash', `it exited with code ${code}`))));
      watchdog = setInterval(() => {
        const t = performance.now();
        if (t - t0 > limit + graceFor(limit)) reject(new Error(watchdogMessage(names, last.phase, 'budget', String(limit))));
        else if (t - heard > SILENCE_MS) reject(new Error(watchdogMessage(names, last.phase, 'silent', String(SILENCE_MS))));
      }, Math.min(1000, limit / 4));
    });
    const result = await Promise.race([api.check(paths, wasmDir.href, { timeBudgetMs: limit }), crashed]);
    if ('openError' in result) {
      process.stderr.write(`guestcheck: ${result.openError}\n`);
      return 2;
    }
    if (repairTo !== undefined) {
      const script = result.repair?.script || '# guestcheck: no item is at risk; nothing to repair\n';
      if (repairTo === '-') process.stdout.write(script);
      // a Windows guest's script is PowerShell: Windows PowerShell 5.1 needs the BOM to read it as UTF-8
      else if (result.platform === 'Windows') writeFileSync(repairTo, `\ufeff${script}`);
      else writeFileSync(repairTo, script, { mode: 0o755 });
    }
    if (repairTo !== '-') process.stdout.write(json ? JSON.stringify(result, null, 2) + '\n' : markdown ? formatMarkdown(result, lang) : formatTable(result));
    if (result.error) {
      if (!json) process.stderr.write(`guestcheck: ${result.error.message}\n`);
      return 2;
    }
    return result.findings.some((f) => f.status === 'fail') ? 1 : 0;
  } catch (e) {
    const m = (e as Error).message;
    process.stderr.write(m.startsWith('guestcheck') ? `${m}\n` : `guestcheck: the check failed: ${m}\n`);
    return 2;
  } finally {
    clearInterval(watchdog);
    worker.removeAllListeners('exit');
    await worker.terminate();
  }
}
