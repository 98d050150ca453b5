// SPDX-License-Identifier: Apache-2.0
// qcow2 refcount structures that loop: the refcount table made to point at
// itself and at the header, its refcount block at the L1 table. Reading the
// guest needs only L1/L2 (QEMU's qcow2.txt: refcounts matter to writers), so
// the damage must change nothing: the same bytes as qemu-img's raw conversion
// (chain-expected / pattern fixtures), no hang, no error. qemu-img check, when
// installed, confirms the image is damaged where we say it is.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { loadEngine } from '../helpers/engine';
import { scratchDir } from '../helpers/scratch';
import { fixture } from './harness';

const eng = await loadEngine();
const haveQemuImg = spawnSync('qemu-img', ['--version']).error === undefined;
const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function wholeDisk(b: Uint8Array): Promise<Uint8Array> {
  const s = await eng.open([b], { names: ['loop.qcow2'] });
  const img = s.inspect();
  if (img === null) throw new Error(JSON.stringify(s.lastError()));
  const out = new Uint8Array(img.virtualSize);
  for (let off = 0; off < img.virtualSize; off += 1 << 20) {
    const part = s.x.rawRead(-1, off, Math.min(1 << 20, img.virtualSize - off));
    if (part === null) throw new Error(JSON.stringify(s.lastError()));
    out.set(part, off);
  }
  return out;
}

describe('qcow2 with looping refcounts', () => {
  const name = 'containers/pattern-v3-4k.qcow2.gz';
  const expected = fixture('containers/pattern.img.gz');

  it('a refcount table whose entries point at itself, the header and the L1 table reads the same disk', async () => {
    const b = fixture(name).slice();
    const v = dv(b);
    const rtOff = Number(v.getBigUint64(48)); // refcount_table_offset
    const l1Off = v.getBigUint64(40);
    // entry 0 → the refcount table's own cluster, entry 1 → the header, entry 2 → the L1 table
    v.setBigUint64(rtOff, BigInt(rtOff));
    v.setBigUint64(rtOff + 8, 0n);
    v.setBigUint64(rtOff + 16, l1Off);
    const t = performance.now();
    const got = await wholeDisk(b);
    expect(performance.now() - t).toBeLessThan(20_000);
    expect(sha(got.subarray(0, expected.length))).toBe(sha(expected));
    if (haveQemuImg) {
      const f = join(scratchDir('gc-qcow2-loop-'), 'loop.qcow2');
      writeFileSync(f, b);
      const r = spawnSync('qemu-img', ['check', f], { encoding: 'utf8' });
      expect(r.status, 'qemu-img check finds the refcount damage').not.toBe(0);
    }
  });
});
