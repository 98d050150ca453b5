// SPDX-License-Identifier: Apache-2.0
// The hive reader compared with hivex (libguestfs's reader, through its
// Debian Python binding python3-hivex) over the corpus hives in place: every
// key path, and for each key every value's name, type and data bytes, must be
// equal. hivex does not replay transaction logs, so the dirty hives are
// compared as they are on disk (our reader without their logs).
import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEngine } from '../helpers/engine';
import { corpusHive, hiveCorpusPresent, HIVE_CORPUS_ABSENT, ourDump, type Dump } from './hive-corpus';

const PY = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const haveHivex = spawnSync(PY, ['-c', 'import hivex']).status === 0;
const eng = await loadEngine();
const tmp = mkdtempSync(join(tmpdir(), 'gc-hive-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const DUMP = `
import hivex, json, sys
h = hivex.Hivex(sys.argv[1])
out = {}
stack = [(h.root(), "")]
while stack:
    n, path = stack.pop()
    vals = []
    for v in h.node_values(n):
        t, data = h.value_value(v)
        vals.append("%s|%d|%s" % (h.value_key(v), t, data.hex()))
    out[path] = sorted(vals)
    for c in h.node_children(n):
        name = h.node_name(c)
        stack.append((c, name if path == "" else path + "\\\\" + name))
json.dump(out, sys.stdout)
`;

function hivexDump(file: string): Dump {
  const r = spawnSync(PY, ['-c', DUMP, file], { encoding: 'utf8', maxBuffer: 1 << 30 });
  expect(r.status, r.stderr).toBe(0);
  return new Map(Object.entries(JSON.parse(r.stdout) as Record<string, string[]>));
}

const HIVES = [
  'regipy/SYSTEM.xz', 'regipy/SYSTEM_B.xz', 'regipy/SAM.xz', 'regipy/SECURITY.xz', 'regipy/NTUSER.DAT.xz',
  'regipy/UsrClass.dat.xz', 'regipy/amcache.hve.xz', 'regipy/BCD.xz', 'hivex/minimal', 'hivex/special',
  'hivex/rlenvalue_test_hive', 'python-registry/UNICODE_TESTS', 'python-registry/REORGANIZED_VALUES_TESTS',
  'python-registry/issue22.hive',
];

describe.skipIf(!haveHivex || !hiveCorpusPresent)('hives vs hivex', () => {
  for (const rel of HIVES) {
    it(`${rel}: every key and value equals hivex's`, async () => {
      const bytes = corpusHive(rel);
      const f = join(tmp, rel.replace(/\W/g, '_'));
      writeFileSync(f, bytes);
      const theirs = hivexDump(f);
      const s = await eng.open([bytes]);
      const h = s.hiveOpenHost(0);
      expect(h, JSON.stringify(s.lastError())).toBeGreaterThanOrEqual(0);
      const ours = ourDump(s, h);
      const diff: string[] = [];
      for (const [p, v] of theirs) {
        const o = ours.get(p);
        if (o === undefined) diff.push(`${p}: only hivex`);
        else if (JSON.stringify(o) !== JSON.stringify(v)) diff.push(`${p}: values differ`);
      }
      for (const p of ours.keys()) if (!theirs.has(p)) diff.push(`${p}: only ours`);
      expect(diff.slice(0, 20)).toEqual([]);
      expect(ours.size).toBe(theirs.size);
    }, 120000);
  }
});
if (!haveHivex) it.skip('python3-hivex is not installed: the hive differential test is skipped', () => {});
if (!hiveCorpusPresent) it.skip(HIVE_CORPUS_ABSENT, () => {});
