// SPDX-License-Identifier: Apache-2.0
// Differential test: every fixture in test/fixtures/ext/ read by e2fsprogs'
// debugfs (an independent reader of the same format) and by guestcheck's ext
// reader must agree on every path: names, inode numbers, kinds, modes, owners,
// sizes, symlink targets and the sha256 of file contents. blkid, when present,
// must agree on the type, UUID and label. Skipped, saying so, without debugfs.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { loadEngine, type Session } from '../helpers/engine';

const fixtureDir = fileURLToPath(new URL('../fixtures/ext/', import.meta.url));
const fixtures = readdirSync(fixtureDir).filter((f) => f.endsWith('.img.gz')).sort();

/** The tool on PATH or in /sbin, /usr/sbin, or null; $DEBUGFS / $BLKID name it instead (e.g. to test the skip). */
function findTool(name: string): string | null {
  const forced = process.env[name.toUpperCase()];
  for (const p of forced !== undefined ? [forced] : [name, `/sbin/${name}`, `/usr/sbin/${name}`]) {
    const r = spawnSync(p, ['-V'], { encoding: 'utf8' });
    if (!r.error) return p;
  }
  return null;
}

const debugfs = findTool('debugfs');
const blkid = findTool('blkid');
const SKIP = 'debugfs (e2fsprogs) is not installed: the differential test against it is skipped';
if (!debugfs) console.warn('ext4-diff: ' + SKIP);

function run(tool: string, args: string[], input?: string): string {
  const r = spawnSync(tool, args, { input, encoding: 'buffer', maxBuffer: 256 << 20 });
  if (r.error) throw r.error;
  return r.stdout.toString('utf8');
}

interface Node { ino: number; mode: number; uid: number; gid: number; size: number | null; kind: string; sha256?: string; target?: string }

function kindOf(mode: number): string {
  switch (mode & 0o170000) {
    case 0o100000: return 'file';
    case 0o040000: return 'dir';
    case 0o120000: return 'symlink';
    default: return 'other';
  }
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Every path below / as debugfs sees it ("ls -p": /ino/mode/uid/gid/name/size/). */
function debugfsTree(img: string, work: string): Map<string, Node> {
  const tree = new Map<string, Node>();
  const dirs = ['/'];
  while (dirs.length > 0) {
    const dir = dirs.shift()!;
    const out = run(debugfs!, ['-R', `ls -p "${dir}"`, img]);
    for (const line of out.split('\n')) {
      const m = /^\/(\d+)\/(\d+)\/(\d+)\/(\d+)\/(.*)\/(\d*)\/$/.exec(line);
      if (!m) continue;
      const [, ino, mode, uid, gid, name, size] = m;
      if (name === '.' || name === '..' || ino === '0') continue;
      const path = (dir === '/' ? '' : dir) + '/' + name;
      const n: Node = { ino: +ino, mode: parseInt(mode, 8), uid: +uid, gid: +gid, size: size === '' ? null : +size, kind: '' };
      n.kind = kindOf(n.mode);
      tree.set(path, n);
      if (n.kind === 'dir') dirs.push(path);
    }
  }
  // contents: one debugfs run dumps every distinct regular file; rdump recreates each symlink
  const cmds: string[] = [];
  const seen = new Set<number>();
  for (const [path, n] of tree) {
    if (n.kind === 'file' && !seen.has(n.ino)) {
      seen.add(n.ino);
      cmds.push(`dump "${path}" ${join(work, `f${n.ino}`)}`);
    } else if (n.kind === 'symlink') {
      mkdirSync(join(work, `l${n.ino}`), { recursive: true });
      cmds.push(`rdump "${path}" ${join(work, `l${n.ino}`)}`);
    }
  }
  const cmdFile = join(work, 'cmds');
  writeFileSync(cmdFile, cmds.join('\n') + '\n');
  run(debugfs!, ['-f', cmdFile, img]);
  for (const [path, n] of tree) {
    // debugfs 1.47.0 dumps an inline_data file as all 60 bytes of i_block: i_size is its length
    if (n.kind === 'file') n.sha256 = sha256(readFileSync(join(work, `f${n.ino}`)).subarray(0, n.size!));
    else if (n.kind === 'symlink') n.target = readlinkSync(join(work, `l${n.ino}`, path.slice(path.lastIndexOf('/') + 1)));
  }
  return tree;
}

/** The same, as guestcheck reads it. */
function guestcheckTree(s: Session): Map<string, Node> {
  const tree = new Map<string, Node>();
  const dirs = ['/'];
  while (dirs.length > 0) {
    const dir = dirs.shift()!;
    const list = s.readdir(0, dir);
    if (!list) throw new Error(`readdir ${dir}: ${JSON.stringify(s.lastError())}`);
    for (const e of list) {
      const path = (dir === '/' ? '' : dir) + '/' + e.name;
      const st = s.stat(0, path, false);
      if (!st) throw new Error(`stat ${path}: ${JSON.stringify(s.lastError())}`);
      if (st.node !== e.node || st.kind !== e.kind) throw new Error(`${path}: readdir says ${e.kind} ${e.node}, stat ${st.kind} ${st.node}`);
      const n: Node = { ino: st.node, mode: st.mode, uid: st.uid, gid: st.gid, size: st.kind === 'dir' ? null : st.size, kind: st.kind };
      if (n.kind === 'file') {
        const b = s.readFile(0, path);
        if (!b) throw new Error(`read ${path}: ${JSON.stringify(s.lastError())}`);
        n.sha256 = sha256(b);
      } else if (n.kind === 'symlink') {
        const t = s.readlink(0, path);
        if (t === null) throw new Error(`readlink ${path}: ${JSON.stringify(s.lastError())}`);
        n.target = t;
      }
      tree.set(path, n);
      if (n.kind === 'dir') dirs.push(path);
    }
  }
  return tree;
}

describe.skipIf(!debugfs)('ext reader agrees with debugfs (e2fsprogs) on every fixture', () => {
  it('has fixtures to compare', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(8);
  });

  for (const f of fixtures) {
    it(f, async () => {
      const work = mkdtempSync(join(tmpdir(), 'gc-ext-diff-'));
      try {
        const bytes = gunzipSync(readFileSync(join(fixtureDir, f)));
        const img = join(work, 'image');
        writeFileSync(img, bytes);
        const want = debugfsTree(img, work);
        expect(want.size).toBeGreaterThan(10);

        const eng = await loadEngine();
        const s = await eng.open([new Uint8Array(bytes)]);
        const vol = s.inspect().volumes[0];
        expect(vol.error).toBeUndefined();
        const got = guestcheckTree(s);

        expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
        const diffs: string[] = [];
        for (const [path, w] of want) {
          const g = got.get(path)!;
          for (const k of ['ino', 'mode', 'uid', 'gid', 'size', 'kind', 'sha256', 'target'] as const) {
            if (g[k] !== w[k]) diffs.push(`${path}: ${k} debugfs=${w[k]} guestcheck=${g[k]}`);
          }
        }
        expect(diffs).toEqual([]);

        if (blkid) {
          const tags = Object.fromEntries(run(blkid, ['-p', '-o', 'export', img]).trim().split('\n').map((l) => {
            const i = l.indexOf('=');
            return [l.slice(0, i), l.slice(i + 1)];
          }));
          expect({ fs: vol.fs, uuid: vol.uuid, label: vol.label }).toEqual({ fs: tags.TYPE, uuid: tags.UUID, label: tags.LABEL });
        }
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });
  }
});

if (!debugfs) {
  describe('ext reader vs debugfs', () => {
    it.skip(SKIP, () => {});
  });
}
