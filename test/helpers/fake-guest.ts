// SPDX-License-Identifier: Apache-2.0
// An in-memory guest tree for rule unit tests: paths map to file contents,
// directories, or symlinks. Symlinks resolve like the engine's path walk.

import type { GuestView, GuestStat, GuestEntry } from '../../src/rules/guest-view';

export type FakeNode = string | Uint8Array | { link: string } | { dir: true };

export function fakeGuest(tree: Record<string, FakeNode>): GuestView {
  const nodes = new Map<string, FakeNode>();
  nodes.set('/', { dir: true });
  for (const [p, n] of Object.entries(tree)) {
    nodes.set(p, n);
    // parents exist as directories
    let q = p;
    while ((q = q.substring(0, q.lastIndexOf('/'))) !== '') if (!nodes.has(q)) nodes.set(q, { dir: true });
  }
  const kindOf = (n: FakeNode) => (typeof n === 'string' || n instanceof Uint8Array ? 'file' : 'link' in n ? 'symlink' : 'dir');

  function resolve(path: string, follow: boolean, depth = 0): string | null {
    if (depth > 40) return null;
    const parts = path.split('/').filter((c) => c && c !== '.');
    let cur = '/';
    for (let i = 0; i < parts.length; i++) {
      const c = parts[i];
      if (c === '..') { cur = cur.substring(0, cur.lastIndexOf('/')) || '/'; continue; }
      const next = cur === '/' ? '/' + c : cur + '/' + c;
      const n = nodes.get(next);
      if (n === undefined) return null;
      if (kindOf(n) === 'symlink' && (i < parts.length - 1 || follow)) {
        const t = (n as { link: string }).link;
        const rest = parts.slice(i + 1).join('/');
        const base = t.startsWith('/') ? t : cur + '/' + t;
        return resolve(base + (rest ? '/' + rest : ''), follow, depth + 1);
      }
      cur = next;
    }
    return cur;
  }

  return {
    stat(path, follow = true): GuestStat | null {
      const r = resolve(path, follow);
      if (r === null) return null;
      const n = nodes.get(r)!;
      const size = typeof n === 'string' ? new TextEncoder().encode(n).length : n instanceof Uint8Array ? n.length : 0;
      return { kind: kindOf(n), mode: 0, size, path: r };
    },
    list(path): GuestEntry[] | null {
      const r = resolve(path, true);
      if (r === null || kindOf(nodes.get(r)!) !== 'dir') return null;
      const prefix = r === '/' ? '/' : r + '/';
      const out: GuestEntry[] = [];
      for (const [p, n] of nodes) {
        if (p !== r && p.startsWith(prefix) && !p.substring(prefix.length).includes('/')) out.push({ name: p.substring(prefix.length), kind: kindOf(n) });
      }
      return out;
    },
    readBytes(path, offset = 0, maxBytes = 1 << 30) {
      const r = resolve(path, true);
      if (r === null) return null;
      const n = nodes.get(r)!;
      if (kindOf(n) !== 'file') return null;
      const b = typeof n === 'string' ? new TextEncoder().encode(n) : (n as Uint8Array);
      return b.slice(offset, offset + maxBytes);
    },
    readlink(path) {
      const r = resolve(path, false);
      if (r === null) return null;
      const n = nodes.get(r)!;
      return kindOf(n) === 'symlink' ? (n as { link: string }).link : null;
    },
  };
}
