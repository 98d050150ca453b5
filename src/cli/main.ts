// SPDX-License-Identifier: Apache-2.0
// guestcheck IMAGE... [--json]: checks an image from the command line.
// Exit codes: 0 no finding fails, 1 a finding fails, 2 unreadable image or bad arguments.
import { openSync, readSync, fstatSync, closeSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { checkFiles } from '../engine/check';
import type { HostFiles, Instantiate } from '../engine/wasm';
import type { Report } from '../report/types';
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
  const fds: number[] = [];
  try {
    for (const p of paths) {
      try {
        fds.push(openSync(p, 'r'));
      } catch (e) {
        process.stderr.write(`guestcheck: cannot open ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
        return 2;
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
    const report: Report = await checkFiles(inst, mod, files, paths.map((p) => basename(p)));
    process.stdout.write(json ? JSON.stringify(report, null, 2) + '\n' : formatTable(report));
    if (report.error) {
      if (!json) process.stderr.write(`guestcheck: ${report.error.message}\n`);
      return 2;
    }
    return report.findings.some((f) => f.status === 'fail') ? 1 : 0;
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}
