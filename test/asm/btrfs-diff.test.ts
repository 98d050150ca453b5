// SPDX-License-Identifier: Apache-2.0
// Differential test: every Btrfs fixture read by btrfs-progs' `btrfs restore`
// (an independent reader of the same format: it copies files out of an
// unmounted image, following subvolumes with -s and symlinks with -S) and by
// guestcheck's reader must agree on every path: names, kinds, sizes, symlink
// targets and the sha256 of file contents (zlib, lzo and zstd extents included).
// Skipped, saying so, when btrfs-progs is not installed.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadEngine, type Session } from '../helpers/engine';

const eng = await loadEngine();
const btrfs = ['btrfs', '/sbin/btrfs', '/usr/sbin/btrfs', '/usr/bin/btrfs'].find((p) => !spawnSync(p, ['--version']).error) ?? null;
const SKIP = 'btrfs-progs (btrfs restore) is not installed: the differential test against it is skipped';
if (!btrfs) console.warn('btrfs-diff: ' + SKIP);

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
interface Entry { kind: string; size?: number; sha256?: string; target?: string }

/** What btrfs restore wrote, by path relative to its output directory. */
function restoredTree(dir: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel))) {
      const p = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(dir, p));
      if (st.isSymbolicLink()) out.set(p, { kind: 'symlink', target: readlinkSync(join(dir, p)) });
      else if (st.isDirectory()) { out.set(p, { kind: 'dir' }); walk(p); }
      else out.set(p, { kind: 'file', size: st.size, sha256: sha256(readFileSync(join(dir, p))) });
    }
  };
  walk('');
  return out;
}

/** The same, as guestcheck reads volume `vol` from its root. */
function ourTree(s: Session, vol: number, refused: Map<string, string>): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const walk = (rel: string) => {
    const list = s.readdir(vol, '/' + rel);
    expect(list, `readdir /${rel}: ${JSON.stringify(s.lastError())}`).not.toBeNull();
    for (const e of list!) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      const st = s.stat(vol, '/' + p, false)!;
      expect(st, p).not.toBeNull();
      if (st.kind === 'symlink') out.set(p, { kind: 'symlink', target: s.readlink(vol, '/' + p)! });
      else if (st.kind === 'dir') { out.set(p, { kind: 'dir' }); walk(p); }
      else {
        const b = s.readFile(vol, '/' + p);
        if (b === null) { refused.set(p, s.lastError()!.code); out.set(p, { kind: 'file', size: st.size }); }
        else out.set(p, { kind: 'file', size: st.size, sha256: sha256(b) });
      }
    }
  };
  walk('');
  return out;
}

function compare(img: Uint8Array, restoreArgs: string[], s: Session, vol: number) {
  const work = mkdtempSync(join(tmpdir(), 'btrfs-diff-'));
  try {
    const file = join(work, 'fs.img');
    writeFileSync(file, img);
    const dest = join(work, 'out');
    mkdirSync(dest);
    const r = spawnSync(btrfs!, ['restore', '-S', ...restoreArgs, file, dest], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const theirs = restoredTree(dest);
    const refused = new Map<string, string>();
    const ours = ourTree(s, vol, refused);
    expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
    for (const [p, t] of theirs) {
      const o = ours.get(p)!;
      if (refused.has(p)) {
        expect(refused.get(p), p).toBe('btrfs.compress.zstd');
        expect(o.size, p).toBe(t.size);
        continue;
      }
      expect(o, p).toEqual(t);
    }
    return { paths: theirs.size, refused: [...refused.keys()] };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const fixture = (name: string) => new Uint8Array(gunzipSync(readFileSync(new URL(`../fixtures/btrfs/${name}.img.gz`, import.meta.url))));

describe('Btrfs vs btrfs restore', () => {
  for (const name of ['btrfs-rootdir', 'btrfs-dup', 'btrfs-subvol']) {
    it.skipIf(!btrfs)(`${name}: every path, kind, size, symlink target and content hash (${btrfs ? 'btrfs restore -S -s' : SKIP})`, async () => {
      const img = fixture(name);
      const s = await eng.open([img]);
      expect(s.inspect().volumes[0].fs).toBe('btrfs');
      const { paths, refused } = compare(img, ['-s'], s, 0);
      expect(paths).toBeGreaterThan(name === 'btrfs-dup' ? 20 : 3000);
      expect(refused).toEqual([]);
    });
  }

  it.skipIf(!btrfs)(`suse-like-btrfs: the default subvolume (the root snapshot) (${btrfs ? 'btrfs restore -r <id>' : SKIP})`, async () => {
    const disk = new Uint8Array(gunzipSync(readFileSync(new URL('../fixtures/guest/suse-like-btrfs.img.gz', import.meta.url))));
    const s = await eng.open([disk]);
    const info = s.inspect();
    const idx = info.volumes.findIndex((v: any) => v.fs === 'btrfs');
    const v = info.volumes[idx];
    const part = disk.slice(v.start, v.start + v.size);
    const { paths } = compare(part, ['-r', String(v.features.defaultSubvolume)], s, idx);
    expect(paths).toBeGreaterThan(20);
  });
});
