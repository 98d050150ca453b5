// SPDX-License-Identifier: Apache-2.0
// Differential test: every directory of the XFS fixtures listed by xfs_db
// (xfsprogs, an independent reader: `xfs_db -r -c 'ls /dir'`) and by
// guestcheck must agree on names, inode numbers and (with ftype) kinds; and
// the file sizes xfs_db prints for a sample of inodes must match. blkid, when
// present, must agree on type, UUID and label. Skipped, saying so, without xfs_db.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEngine } from '../helpers/engine';
import { IMAGES, image, walk } from './xfs-fixtures';

function findTool(name: string): string | null {
  const forced = process.env[name.toUpperCase()];
  for (const p of forced !== undefined ? [forced] : [name, `/sbin/${name}`, `/usr/sbin/${name}`]) {
    const r = spawnSync(p, ['-V'], { encoding: 'utf8' });
    if (!r.error) return p;
  }
  return null;
}
const xfsDb = findTool('xfs_db');
const xfsLogprint = findTool('xfs_logprint');
const blkid = findTool('blkid');
const SKIP = 'xfs_db (xfsprogs) is not installed: the differential test against it is skipped';
if (!xfsDb) console.warn('xfs-diff: ' + SKIP);

const KIND: Record<string, string> = { directory: 'dir', regular: 'file', symlink: 'symlink', unknown: '?' };

/** name -> [inode, kind] for each directory, from one xfs_db run. */
function xfsDbListing(img: string, dirs: string[]): Map<string, Map<string, [number, string]>> {
  const args = ['-r'];
  for (const d of dirs) args.push('-c', `ls /${d}`);
  const r = spawnSync(xfsDb!, [...args, img], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const out = new Map<string, Map<string, [number, string]>>();
  let cur: Map<string, [number, string]> | null = null;
  for (const line of r.stdout.split('\n')) {
    const h = /^\/(.*):$/.exec(line);
    if (h) { cur = new Map(); out.set(h[1], cur); continue; }
    const m = /^\d+\s+(\d+)\s+(\S+)\s+0x[0-9a-f]+\s+(\d+) (.*) \(good\)$/.exec(line);
    if (m && cur) {
      const name = m[4];
      if (name !== '.' && name !== '..') cur.set(name, [Number(m[1]), KIND[m[2]] ?? 'other']);
    }
  }
  return out;
}

describe('XFS fixtures: guestcheck agrees with xfs_db', () => {
  for (const [name, want] of Object.entries(IMAGES)) {
    it.skipIf(!xfsDb)(`${name}: every directory's names, inode numbers and kinds` + (xfsDb ? '' : ` (${SKIP})`), async () => {
      const bytes = image(name);
      const work = mkdtempSync(join(tmpdir(), 'xfs-diff-'));
      try {
        const img = join(work, name + '.img');
        writeFileSync(img, bytes);
        const s = await (await loadEngine()).open([bytes]);
        s.inspect();
        const tree = walk(s, 0);
        const dirs = ['', ...[...tree.values()].filter((e) => e.kind === 'dir').map((e) => e.path)];
        const theirs = xfsDbListing(img, dirs);
        expect(theirs.size).toBe(dirs.length);
        for (const d of dirs) {
          const ours = new Map<string, [number, string]>();
          for (const e of s.readdir(0, '/' + d)!) ours.set(e.name, [e.node, want.ftype ? e.kind : '?']);
          expect(ours, '/' + d).toEqual(theirs.get(d));
        }
        // sizes of a sample of inodes, as xfs_db prints them
        const sample = [...tree.values()].filter((e) => e.kind !== 'dir').filter((_, i) => i % 97 === 0 || _.path.startsWith('data/') || _.path.startsWith('links/'));
        const args = ['-r'];
        for (const e of sample) args.push('-c', `inode ${e.node}`, '-c', 'print core.size');
        const sizes = spawnSync(xfsDb!, [...args, img], { encoding: 'utf8' }).stdout.trim().split('\n').map((l) => Number(l.split('=')[1]));
        expect(sizes).toEqual(sample.map((e) => e.size));
        if (blkid) {
          const b = spawnSync(blkid, ['-p', '-o', 'export', img], { encoding: 'utf8' }).stdout;
          expect(b).toContain('TYPE=xfs');
          expect(b).toContain('UUID=' + want.uuid);
          expect(b).toContain('LABEL=' + want.label);
        }
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });
  }
});

describe('XFS journal state: guestcheck agrees with xfs_logprint', () => {
  for (const name of [...Object.keys(IMAGES), 'xfs-v5-dirty-log']) {
    it(`${name}: clean or dirty, and where the head is` + (xfsLogprint ? '' : ' (xfs_logprint is not installed: compared with the recipe\'s expectation only)'), async () => {
      const bytes = image(name);
      const s = await (await loadEngine()).open([bytes]);
      const f = s.inspect().volumes[0].features;
      expect(f.log).toBe(name === 'xfs-v5-dirty-log' ? 'dirty' : 'clean');
      expect(f.needsRecovery).toBe(name === 'xfs-v5-dirty-log');
      if (!xfsLogprint) return;
      const work = mkdtempSync(join(tmpdir(), 'xfs-log-'));
      try {
        const img = join(work, name + '.img');
        writeFileSync(img, bytes);
        const out = spawnSync(xfsLogprint, ['-t', img], { encoding: 'utf8' }).stdout;
        const m = /log tail: (\d+) head: (\d+) state: <(\w+)>/.exec(out)!;
        expect(m, out.slice(0, 400)).not.toBeNull();
        expect(f.log).toBe(m[3].toLowerCase());
        expect(f.logHead).toBe(Number(m[2]));
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });
  }

  it('a dirty log still reads as of its last checkpoint, and says so', async () => {
    const s = await (await loadEngine()).open([image('xfs-v5-dirty-log')]);
    const v = s.inspect().volumes[0];
    expect(v.features.logDetail).toMatch(/not cleanly unmounted/);
    expect(s.stat(0, '/hello.txt')!.size).toBe(13);
  });
});
