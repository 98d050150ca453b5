// SPDX-License-Identifier: Apache-2.0
// Hives of the shared corpus read in place (xz-compressed ones through xz -dc),
// and a full dump of one hive: every key path with its values (name, type,
// data as hex), as our reader gives it, for the differential test.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { CORPUS } from './disk-fixtures';
import type { Session } from '../helpers/engine';

export const hiveCorpusPresent = existsSync(CORPUS + 'regipy') && existsSync(CORPUS + 'hivex');
export const HIVE_CORPUS_ABSENT = `corpus folders ${CORPUS}regipy and hivex are absent: hive corpus tests skipped`;

/** A corpus hive's bytes, decompressed when it ends in .xz. */
export function corpusHive(rel: string): Uint8Array {
  const p = CORPUS + rel;
  if (!p.endsWith('.xz')) return new Uint8Array(readFileSync(p));
  const r = spawnSync('xz', ['-dc', p], { maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`xz -dc ${p}: ${r.stderr}`);
  return new Uint8Array(r.stdout);
}

export type Dump = Map<string, string[]>; // key path → "name|type|hex" sorted

/** Every key below the root: path (root = "") → its values. */
export function ourDump(s: Session, h: number): Dump {
  const out: Dump = new Map();
  const root = s.hiveKey(h, '');
  if (root === null) throw new Error(JSON.stringify(s.lastError()));
  const stack: [any, string, number][] = [[root, '', 0]];
  while (stack.length > 0) {
    const [k, path, depth] = stack.pop()!;
    out.set(path, k.values.map((v: any) => `${v.name}|${v.type}|${v.hex}`).sort());
    if (depth > 512) throw new Error(`key depth past 512 at ${path}`);
    for (const sk of k.subkeys) {
      const c = s.hiveKeyAt(h, sk.offset);
      if (c === null) throw new Error(`${path}\\${sk.name}: ${JSON.stringify(s.lastError())}`);
      stack.push([c, path === '' ? sk.name : `${path}\\${sk.name}`, depth + 1]);
    }
  }
  return out;
}
