// SPDX-License-Identifier: Apache-2.0
// An in-memory HiveView for rule unit tests: keys by backslash path (any
// case) to their values; a string is REG_SZ, a number REG_DWORD, a string
// array REG_MULTI_SZ. Parent keys exist implicitly.
import type { HiveView, HiveValue, HiveKey, HiveInfo } from '../../src/engine/wasm-guest-view';
import { fakeGuest, type FakeNode } from './fake-guest';
import type { RuleContext } from '../../src/rules/rule';
import type { BcdStore } from '../../src/facts/windows/bcd';
import type { VolumeInfo } from '../../src/report/types';
import { vol } from './rule-context';

export type FakeValue = string | number | string[];

function value(name: string, v: FakeValue): HiveValue {
  if (typeof v === 'number') return { name, type: 4, typeName: 'REG_DWORD', size: 4, hex: '', number: v };
  if (Array.isArray(v)) return { name, type: 7, typeName: 'REG_MULTI_SZ', size: 0, hex: '', strings: v };
  return { name, type: 1, typeName: 'REG_SZ', size: 0, hex: '', string: v };
}

export function fakeHive(keys: Record<string, Record<string, FakeValue>>, info: Partial<HiveInfo> = {}): HiveView {
  const norm = (p: string) => p.toUpperCase().replace(/^\\+|\\+$/g, '');
  const all = new Map<string, { path: string; values: Record<string, FakeValue> }>();
  all.set('', { path: '', values: {} });
  for (const [p, vals] of Object.entries(keys)) {
    const parts = p.split('\\');
    for (let i = 1; i < parts.length; i++) {
      const q = parts.slice(0, i).join('\\');
      if (!all.has(norm(q))) all.set(norm(q), { path: q, values: {} });
    }
    all.set(norm(p), { path: p, values: vals });
  }
  const view: HiveView = {
    info: { path: '', version: '1.5', primarySequence: 5, secondarySequence: 5, checksumOk: true, dirty: false, lastWritten: 0, fileName: '', binsSize: 4096, logs: [], logsApplied: false, rootName: 'ROOT', ...info },
    key(path): HiveKey | null {
      const k = all.get(norm(path));
      if (!k) return null;
      const prefix = norm(path) === '' ? '' : norm(path) + '\\';
      const subkeys = [...all.entries()].filter(([n]) => n !== norm(path) && n.startsWith(prefix) && !n.substring(prefix.length).includes('\\'))
        .map(([, v]) => ({ name: v.path.split('\\').pop()!, offset: 0 }));
      return { name: path.split('\\').pop() ?? '', path, offset: 0, lastWritten: 0, subkeys, values: Object.entries(k.values).map(([n, v]) => value(n, v)) };
    },
    value(path, name) {
      return view.key(path)?.values.find((v) => v.name.toUpperCase() === name.toUpperCase()) ?? null;
    },
    close() {},
  };
  return view;
}

/** A Windows RuleContext: the guest tree, hives by guest path, per-volume trees and BCD stores ("vol:path"). */
export function winCtx(tree: Record<string, FakeNode>, hives: Record<string, HiveView | Error>, opts: {
  volumes?: VolumeInfo[]; volumeTrees?: Record<string, Record<string, FakeNode>>; bcd?: Record<string, BcdStore | Error>;
} = {}): RuleContext {
  const full: Record<string, FakeNode> = { ...tree };
  for (const p of Object.keys(hives)) full[p] ??= 'regf';
  const guest = fakeGuest(full);
  const vt = opts.volumeTrees ?? {};
  const find = <T>(m: Record<string, T>, k: string) => Object.entries(m).find(([n]) => n.toUpperCase() === k.toUpperCase())?.[1];
  return {
    image: { files: ['win.img'], format: 'raw', virtualSize: 8 << 30, partitionTable: 'gpt', notes: [], volumes: opts.volumes ?? [vol('p1', { fs: 'vfat' }), vol('p2', { fs: 'ntfs', mountedAt: '/' })] },
    platform: 'Windows', guest, rootReason: 'volume p2 holds Windows/System32/config/SYSTEM and SOFTWARE', os: null,
    volumeView: (id) => (vt[id] ? fakeGuest(vt[id]) : null),
    hive: (p, v) => {
      if (v !== undefined) return null;
      const h = find(hives, p);
      if (h instanceof Error) throw h;
      return h ?? null;
    },
    bcd: (p, v) => {
      const b = find(opts.bcd ?? {}, `${v}:${p}`);
      if (b instanceof Error) throw b;
      return b ?? null;
    },
  };
}
