// SPDX-License-Identifier: Apache-2.0
// The FAT reader compared with two independent readers over the fixtures of
// test/fixtures/recipes/fat.sh and the dissect.fat corpus: sleuthkit (fls -r -p
// for the tree, icat for contents) and mtools (mdir -/ -b, mtype). Every path
// each tool lists must be listed by us with the same kind and, for files, the
// same sha256 of contents, and we must list nothing more.
import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEngine, type Session } from '../helpers/engine';
import { fixture, corpus, corpusPresent, CORPUS_ABSENT, hasTool, sha256 } from './disk-fixtures';

const eng = await loadEngine();
const tmp = mkdtempSync(join(tmpdir(), 'gc-fat-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Tree = Map<string, string>; // path → "dir" or the file's sha256

/** Our tree: every path below / with its kind or contents' hash. */
function ourTree(s: Session): Tree {
  const t: Tree = new Map();
  const walk = (dir: string) => {
    const list = s.readdir(0, dir);
    expect(list, `readdir ${dir}: ${JSON.stringify(s.lastError())}`).not.toBeNull();
    for (const e of list!) {
      const p = (dir === '/' ? '' : dir) + '/' + e.name;
      if (e.kind === 'dir') { t.set(p, 'dir'); walk(p); } else {
        const b = s.readFile(0, p);
        expect(b, `read ${p}: ${JSON.stringify(s.lastError())}`).not.toBeNull();
        t.set(p, sha256(b!));
      }
    }
  };
  walk('/');
  return t;
}

function sleuthkitTree(file: string): Tree {
  const r = spawnSync('fls', ['-r', '-p', '-u', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  expect(r.status, r.stderr).toBe(0);
  const t: Tree = new Map();
  for (const line of r.stdout.split('\n')) {
    const m = /^([a-z-])\/([a-z-]) (\d+):\t(.*)$/.exec(line);
    if (!m || line.includes('(Volume Label Entry)')) continue;
    const [, , kind, inode, path] = m;
    if (kind === 'd') { t.set('/' + path, 'dir'); continue; }
    if (kind !== 'r') continue;
    const c = spawnSync('icat', [file, inode], { maxBuffer: 64 << 20 });
    expect(c.status).toBe(0);
    t.set('/' + path, sha256(c.stdout));
  }
  return t;
}

function mtoolsTree(file: string): Tree {
  const env = { ...process.env, MTOOLSRC: '/dev/null', LC_ALL: 'C.UTF-8' };
  const r = spawnSync('mdir', ['-i', file, '-/', '-b', '::/'], { encoding: 'utf8', env, maxBuffer: 64 << 20 });
  expect(r.status, r.stderr).toBe(0);
  const t: Tree = new Map();
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('::/')) continue;
    const p = line.slice(2);
    if (p.endsWith('/')) { t.set(p.slice(0, -1), 'dir'); continue; }
    const c = spawnSync('mtype', ['-i', file, '::' + p], { env, maxBuffer: 64 << 20 });
    expect(c.status).toBe(0);
    t.set(p, sha256(c.stdout));
  }
  return t;
}

const sorted = (t: Tree) => [...t.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

const cases: { name: string; bytes: () => Uint8Array | null; corpus?: true }[] = [
  { name: 'fat12.img', bytes: () => fixture('fat/fat12.img.gz') },
  { name: 'fat16.img', bytes: () => fixture('fat/fat16.img.gz') },
  { name: 'fat32.img', bytes: () => fixture('fat/fat32.img.gz') },
  { name: 'dissect fat12.bin', bytes: () => corpus('dissect.fat/fat12.bin'), corpus: true },
  { name: 'dissect disk2.img', bytes: () => corpus('dissect.fat/disk2.img'), corpus: true },
];

for (const [tool, have, reader] of [
  ['sleuthkit (fls/icat)', hasTool('fls') && hasTool('icat'), sleuthkitTree],
  ['mtools (mdir/mtype)', hasTool('mdir') && hasTool('mtype'), mtoolsTree],
] as const) {
  describe.skipIf(!have)(`FAT trees agree with ${tool}`, () => {
    for (const c of cases) {
      it.skipIf(c.corpus && !corpusPresent)(`${c.name}: same paths, kinds and contents`, async () => {
        const img = c.bytes()!;
        const file = join(tmp, c.name.replace(/\W+/g, '_'));
        writeFileSync(file, img);
        const s = await eng.open([img]);
        expect(s.inspect().volumes[0].fs).toBe('vfat');
        const theirs = reader(file);
        expect(theirs.size).toBeGreaterThan(0);
        expect(sorted(ourTree(s))).toEqual(sorted(theirs));
      });
    }
    if (!corpusPresent) it.skip(CORPUS_ABSENT, () => {});
  });
  if (!have) describe(`FAT trees agree with ${tool}`, () => it.skip(`${tool} is not installed: comparison skipped`, () => {}));
}
