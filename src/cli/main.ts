// SPDX-License-Identifier: Apache-2.0
// guestcheck IMAGE... [--json]: checks an image from the command line. The
// check runs in a worker thread (DESIGN.md), so a wasm trap cannot take the
// CLI down with it: it becomes exit code 2 with the message.
// Exit codes: 0 no finding fails, 1 a finding fails, 2 unreadable image or bad arguments.
import { Worker } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { NodeCheckApi } from '../../workers/check.node-worker';
import { formatTable } from './table';

const USAGE = 'usage: guestcheck IMAGE... [--json]';

export async function main(argv: string[], wasmDir: URL): Promise<number> {
  const json = argv.includes('--json');
  const paths = argv.filter((a) => !a.startsWith('--'));
  const unknown = argv.filter((a) => a.startsWith('--') && a !== '--json');
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
    process.stdout.write(json ? JSON.stringify(result, null, 2) + '\n' : formatTable(result));
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
