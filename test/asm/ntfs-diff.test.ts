// SPDX-License-Identifier: Apache-2.0
// The NTFS reader compared with sleuthkit (fls -r -p for the tree; contents
// from one tsk_recover -a run, icat for the system files it leaves out) over test/fixtures/ntfs/basic.img.gz and the dissect.ntfs corpus
// volume: every path fls lists must be listed by us with the same kind and,
// for files, the same sha256 of contents, and we must list nothing more.
// Left out on both sides: named streams ("file:stream", fls lists them as
// paths, and not the files that hold only named streams, such as $Secure),
// fls's virtual $OrphanFiles, the reparse points (sleuthkit reads a
// symlink or junction as the empty file or directory it is underneath, and a
// WOF file as its sparse unnamed stream; ntfs.test.ts checks those).
import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadEngine, type Session } from '../helpers/engine';
import { fixture, corpus, corpusPresent, CORPUS_ABSENT, hasTool, sha256 } from './disk-fixtures';

const eng = await loadEngine();
const tmp = mkdtempSync(join(tmpdir(), 'gc-ntfs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const haveSleuthkit = hasTool('fls') && hasTool('icat');
const SKIP = new Set(['/link-rel', '/link-abs', '/junction', '/wof/x4k.txt', '/wof/x8k.bin', '/wof/x16k.bin', '/wof/lzx.bin', '/wof/lzx-e8.bin']);

type Tree = Map<string, string>;

function ourTree(s: Session): Tree {
  const t: Tree = new Map();
  const walk = (dir: string) => {
    const list = s.readdir(0, dir);
    expect(list, `readdir ${dir}: ${JSON.stringify(s.lastError())}`).not.toBeNull();
    for (const e of list!) {
      const p = (dir === '/' ? '' : dir) + '/' + e.name;
      if (SKIP.has(p)) continue;
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

function sleuthkitTree(file: string, streamOnly: Set<string>): Tree {
  const r = spawnSync('fls', ['-r', '-p', '-u', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  expect(r.status, r.stderr).toBe(0);
  const out = file + '.files';
  const rec = spawnSync('tsk_recover', ['-a', file, out], { encoding: 'utf8' });
  expect(rec.status, rec.stderr).toBe(0);
  const t: Tree = new Map();
  const hashes = new Map<string, string>();
  const plain = new Set<string>();
  for (const line of r.stdout.split('\n')) {
    const m = /^([a-z-])\/([a-z-]) ([\d-]+):\t(.*)$/.exec(line);
    if (!m) continue;
    const [, , kind, inode, path] = m;
    const p = '/' + path;
    if (path.includes(':')) { streamOnly.add(p.slice(0, p.indexOf(':'))); continue; }
    plain.add(p);
    if (path.startsWith('$OrphanFiles') || SKIP.has(p)) continue;
    if ([...SKIP].some((x) => p.startsWith(x + '/'))) continue;
    if (kind === 'd') { t.set(p, 'dir'); continue; }
    if (kind !== 'r') continue;
    if (existsSync(out + p)) { t.set(p, sha256(readFileSync(out + p))); continue; }
    const ino = inode.split('-')[0];
    if (!hashes.has(ino)) {
      const c = spawnSync('icat', [file, ino], { maxBuffer: 64 << 20 });
      expect(c.status).toBe(0);
      hashes.set(ino, sha256(c.stdout));
    }
    t.set(p, hashes.get(ino)!);
  }
  for (const p of plain) streamOnly.delete(p);
  return t;
}

async function compare(img: Uint8Array, name: string) {
  const f = join(tmp, name);
  writeFileSync(f, img);
  const s = await eng.open([img]);
  expect(s.inspect().volumes[0].fs).toBe('ntfs');
  const ours = ourTree(s);
  const streamOnly = new Set<string>();
  const theirs = sleuthkitTree(f, streamOnly);
  // a file with named streams only: fls names its streams, never the file itself
  for (const p of streamOnly) if (ours.get(p) === sha256(new Uint8Array(0))) ours.delete(p);
  const diff: string[] = [];
  for (const [p, v] of theirs) if (ours.get(p) !== v) diff.push(`${p}: sleuthkit ${v}, ours ${ours.get(p)}`);
  for (const p of ours.keys()) if (!theirs.has(p)) diff.push(`${p}: only ours`);
  expect(diff).toEqual([]);
  return ours.size;
}

describe.skipIf(!haveSleuthkit)('ntfs vs sleuthkit', () => {
  it('lists and reads basic.img exactly as fls/icat do', async () => {
    const n = await compare(fixture('ntfs/basic.img.gz'), 'basic.img');
    expect(n).toBeGreaterThan(1550);
  }, 120000);

  it.skipIf(!corpusPresent)('lists and reads dissect.ntfs/ntfs.bin exactly as fls/icat do', async () => {
    const b = corpus('dissect.ntfs/ntfs.bin.gz')!;
    const n = await compare(new Uint8Array(gunzipSync(b)), 'dissect.img');
    expect(n).toBeGreaterThan(5);
  }, 120000);
});
if (!haveSleuthkit) it.skip('sleuthkit (fls, icat) is not installed: the NTFS differential test is skipped', () => {});
if (!corpusPresent) it.skip(CORPUS_ABSENT, () => {});
