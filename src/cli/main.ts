// SPDX-License-Identifier: Apache-2.0
// guestcheck IMAGE... [--json|--markdown [--lang en|ja]] [--repair-script FILE|-]: checks an image from the command line. The
// check runs in a worker thread (DESIGN.md), so a wasm trap cannot take the
// CLI down with it: it becomes exit code 2 with the message.
// --repair-script FILE writes the repair script (src/report/repair.ts) to FILE, "-" for stdout:
// POSIX sh for a Linux guest, PowerShell (name it repair.ps1) for a Windows guest.
// Exit codes: 0 no finding fails, 1 a finding fails, 2 unreadable image or bad arguments.
import { Worker } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { NodeCheckApi } from '../../workers/check.node-worker';
import { writeFileSync } from 'node:fs';
import { formatTable } from './table';
import { formatMarkdown } from '../report/markdown';
import { LANGS, type Lang } from '../report/i18n';

const USAGE = 'usage: guestcheck IMAGE... [--json|--markdown [--lang en|ja]] [--repair-script FILE|-]';

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
  const json = argv.includes('--json');
  const markdown = argv.includes('--markdown');
  const paths = argv.filter((a) => !a.startsWith('--'));
  const unknown = argv.filter((a) => a.startsWith('--') && a !== '--json' && a !== '--markdown');
  if (unknown.length > 0 || paths.length === 0) {
    process.stderr.write(`${unknown.length ? `unknown option ${unknown[0]}\n` : ''}${USAGE}\n`);
    return 2;
  }
  const worker = new Worker(new URL('./check-node-worker.js', import.meta.url));
  const api = Comlink.wrap<NodeCheckApi>(nodeEndpoint(worker));
  try {
    const crashed = new Promise<never>((_, reject) => worker.once('error', reject));
    const result = await Promise.race([api.check(paths, wasmDir.href), crashed]);
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
    process.stderr.write(`guestcheck: the check failed: ${(e as Error).message}\n`);
    return 2;
  } finally {
    await worker.terminate();
  }
}
