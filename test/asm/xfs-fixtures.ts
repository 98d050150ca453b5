// SPDX-License-Identifier: Apache-2.0
// The XFS fixtures of test/fixtures/recipes/xfs.sh, their manifest (the
// source tree the recipe fed mkfs.xfs), and a walk of a volume through the engine.
import { expect } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { Session } from '../helpers/engine';

const dir = fileURLToPath(new URL('../fixtures/xfs/', import.meta.url));
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

export interface Want { kind: string; path: string; size: number; mode: number; hash: string }
export function manifest(v4: boolean): Map<string, Want> {
  const m = new Map<string, Want>();
  for (const line of readFileSync(dir + 'xfs-manifest.txt', 'utf8').split('\n')) {
    if (!line) continue;
    const [kind, path, size, mode, hash] = line.split('\t');
    if (v4 && path === 'data/frag.bin') continue; // v5 only (written through the kernel)
    m.set(path, { kind, path, size: Number(size), mode: parseInt(mode, 8), hash });
  }
  return m;
}

export const IMAGES = {
  'xfs-v5': { uuid: '5e6c7a1d-4b8f-4d52-9f3e-6a7b8c9d0e15', label: 'xfs-five', version: 5, ftype: true },
  'xfs-v4': { uuid: '0a4d2c6e-93b1-4f07-8e5a-1c2d3e4f5a6b', label: 'xfs-four', version: 4, ftype: false },
  'xfs-v5-1k': { uuid: '9b3f6e2a-7c41-4d8e-a5b2-3c4d5e6f7a8b', label: 'xfs-1k', version: 5, ftype: true },
} as const;

export function image(name: string): Uint8Array { return new Uint8Array(gunzipSync(readFileSync(dir + name + '.img.gz'))); }

/** Every path below `root` as guestcheck reads it (kind, size, mode bits, sha256 / link target). */
export function walk(s: Session, vol: number): Map<string, Want & { node: number }> {
  const out = new Map<string, Want & { node: number }>();
  const todo = [''];
  while (todo.length > 0) {
    const d = todo.shift()!;
    const list = s.readdir(vol, '/' + d);
    if (list === null) throw new Error(`readdir /${d}: ${JSON.stringify(s.lastError())}`);
    for (const e of list) {
      const p = d ? d + '/' + e.name : e.name;
      const st = s.stat(vol, '/' + p, false);
      if (st === null) throw new Error(`stat /${p}: ${JSON.stringify(s.lastError())}`);
      expect(st.kind, p).toBe(e.kind);
      expect(st.node, p).toBe(e.node);
      let hash = '-';
      if (st.kind === 'file') {
        const b = s.readFile(vol, '/' + p);
        if (b === null) throw new Error(`read /${p}: ${JSON.stringify(s.lastError())}`);
        hash = sha256(b);
      } else if (st.kind === 'symlink') hash = s.readlink(vol, '/' + p) ?? 'null';
      else if (st.kind === 'dir') todo.push(p);
      out.set(p, { kind: st.kind, path: p, size: st.kind === 'dir' ? 0 : st.size, mode: st.mode & 0o7777, hash, node: st.node });
    }
  }
  return out;
}

