// SPDX-License-Identifier: Apache-2.0
// Hostile registry hives: a hive made at test time by hivexsh -w from hivex's
// minimal hive (corpus, read in place; skipped when it or hivexsh is absent),
// then a cell's size field set negative, huge, zero or to i32's minimum, a
// subkey count made absurd, and the file cut inside its bins. Each is a named
// error at the cell that is wrong; the keys it does not touch still read.
import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '../helpers/scratch';
import { loadEngine } from '../helpers/engine';

const MINIMAL = '/work/shared/corpus/hivex/minimal';
const haveHivex = spawnSync('hivexsh', ['--help']).error === undefined && existsSync(MINIMAL);
const eng = await loadEngine();
const HBIN = 4096;

/** A hive with \\Good (value Name = "kept") and \\Bad (subkey Child; values Target = "x" and Other = "y"). */
function makeHive(): Uint8Array {
  const d = scratchDir('gc-hive-');
  const f = join(d, 'hive');
  copyFileSync(MINIMAL, f);
  chmodSync(f, 0o644);
  const script = ['add Good', 'cd Good', 'setval 1', 'Name', 'string:kept', 'cd ..', 'add Bad', 'cd Bad', 'add Child', 'setval 2', 'Target', 'string:x', 'Other', 'string:y', 'commit', ''].join('\n');
  execFileSync('hivexsh', ['-w', f], { input: script });
  return new Uint8Array(readFileSync(f));
}

/** The file offset of the vk (or nk) cell holding `name`: its size field is 4 bytes before the signature. */
function cellOf(b: Uint8Array, sig: 'vk' | 'nk', name: string): number {
  const needle = new TextEncoder().encode(name);
  const nameAt = sig === 'vk' ? 0x14 : 0x4c;
  for (let i = HBIN; i + nameAt + needle.length < b.length; i += 8) {
    if (b[i + 4] !== sig.charCodeAt(0) || b[i + 5] !== sig.charCodeAt(1)) continue;
    if (needle.every((c, k) => b[i + 4 + nameAt + k] === c)) return i;
  }
  throw new Error(`no ${sig} cell named ${name}`);
}

async function open(b: Uint8Array) {
  const s = await eng.open([b]);
  const h = s.hiveOpenHost(0);
  return { s, h };
}

describe.skipIf(!haveHivex)(`hostile hive cells (hivexsh; ${haveHivex ? '' : 'skipped: hivexsh or the corpus minimal hive is absent'})`, () => {
  const base = haveHivex ? makeHive() : new Uint8Array(0);

  it('the unbroken hive reads both keys', async () => {
    const { s, h } = await open(base);
    expect(h).toBeGreaterThanOrEqual(0);
    expect(s.hiveKey(h, 'Bad').values.map((v: any) => v.string).sort()).toEqual(['x', 'y']);
    expect(s.hiveKey(h, 'Good').values[0].string).toBe('kept');
  });

  const sizes: [string, number, RegExp][] = [
    ['huge negative (allocated, 2 GiB)', -0x7ffffff8, /hive\.cell\.size/],
    ['i32 minimum (its negation overflows)', -0x80000000, /hive\.cell\.size/],
    ['positive (a free cell where a value should be)', 0x20, /hive\.cell\.free/],
    ['zero', 0, /hive\.cell\.(free|size)/],
    ['negative but smaller than its header', -4, /hive\.cell\.size/],
  ];
  for (const [what, size, code] of sizes) {
    it(`a value cell whose size is ${what}: a named error for that value; the other key still reads`, async () => {
      const b = base.slice();
      const at = cellOf(b, 'vk', 'Target');
      new DataView(b.buffer).setInt32(at, size, true);
      const { s, h } = await open(b);
      expect(h).toBeGreaterThanOrEqual(0);
      const bad = s.hiveKey(h, 'Bad');
      const text = bad === null ? JSON.stringify(s.lastError()) : JSON.stringify(bad.values);
      expect(text).toMatch(code);
      expect(s.hiveKey(h, 'Good').values[0].string).toBe('kept');
    });
  }

  it('a key claiming 2^31 subkeys: hive.list.count or a cell error, never a huge allocation', async () => {
    const b = base.slice();
    const at = cellOf(b, 'nk', 'Bad');
    new DataView(b.buffer).setUint32(at + 4 + 0x14, 0x7fffffff, true); // number of subkeys
    const { s, h } = await open(b);
    // the list cell's own count bounds the walk: the child is found, or the mismatch is named
    const r = s.hiveKey(h, 'Bad\\Child');
    if (r === null) expect(JSON.stringify(s.lastError())).toMatch(/hive\./);
    else expect(r.name).toBe('Child');
    expect(s.hiveKey(h, 'Good').values[0].string).toBe('kept');
  });

  it('a key claiming 2^31 values: hive.values.count', async () => {
    const b = base.slice();
    const at = cellOf(b, 'nk', 'Bad');
    new DataView(b.buffer).setUint32(at + 4 + 0x24, 0x7fffffff, true); // number of values
    const { s, h } = await open(b);
    expect(s.hiveKey(h, 'Bad')).toBeNull();
    expect(s.lastError()).toMatchObject({ kind: 'limit', code: 'hive.values.count' });
    expect(s.hiveKey(h, 'Good').values[0].string).toBe('kept');
  });

  it('cut inside its bins: a named error, at open or at the first key past the cut', async () => {
    const b = base.subarray(0, HBIN + 512);
    const { s, h } = await open(b);
    const err = h < 0 ? s.lastError() : (s.hiveKey(h, 'Bad') === null ? s.lastError() : null);
    expect(err).not.toBeNull();
    expect(err!.code).toMatch(/^(hive|io)\./);
  });
});
