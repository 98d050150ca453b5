// SPDX-License-Identifier: Apache-2.0
// The fuzzer's checksum re-sealing (fuzz/fixups.ts) computes what the
// formats' own tools wrote: applied to the untouched fixtures it changes
// nothing, and after a byte changes it restores a valid seal.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { gptFixup, vhdFixup, vhdxFixup, xfsFixup, hiveLogFixup, lvmFixup, crc32c, type Fixup } from '../../fuzz/fixups';

const fx = (p: string) => new Uint8Array(gunzipSync(readFileSync(new URL('../fixtures/' + p, import.meta.url))));

function seal(fix: Fixup, b: Uint8Array) {
  const writes = [];
  for (let p = 0; p < b.length; p += 997) writes.push({ pos: p });
  let n = 0, changed = 0;
  fix(b, b.length, writes, (w) => { n++; if (w.bytes.some((x, i) => b[w.pos + i] !== x)) changed++; b.set(w.bytes, w.pos); });
  return { n, changed };
}

describe('fuzz checksum fix-ups', () => {
  for (const [name, file, fix, min] of [['GPT', 'partitions/gpt-multi.img.gz', gptFixup, 4], ['GPT 4K', 'partitions/gpt-4k.img.gz', gptFixup, 4], ['VHDX', 'containers/pattern.vhdx.gz', vhdxFixup, 4], ['XFS v5', 'xfs/xfs-v5.img.gz', xfsFixup, 1000], ['LVM (two PVs)', 'lvm/lvm-two-pvs.img.gz', lvmFixup, 6], ['VHD dynamic', 'containers/pattern-dynamic.vhd.gz', vhdFixup, 3], ['VHD fixed', 'containers/pattern-fixed.vhd.gz', vhdFixup, 1]] as const) {
    it(`${name}: re-sealing the untouched fixture changes nothing`, () => {
      const r = seal(fix, fx(file));
      expect(r.n).toBeGreaterThanOrEqual(min);
      expect(r.changed).toBe(0);
    });
  }

  it('registry log: the Marvin32 hashes of the seed log\'s HvLE entry and its base block checksum are recomputed exactly', () => {
    const b = new Uint8Array(readFileSync(new URL('./seeds/regf-log/SYSTEM.LOG1', import.meta.url)));
    const r = seal(hiveLogFixup, b);
    expect(r.n).toBe(5);
    expect(r.changed).toBe(0);
    b[600] ^= 0x40;
    // Hash-1 (both halves) changes, and Hash-2, which covers the header holding Hash-1
    expect(seal(hiveLogFixup, b).changed).toBe(4);
  });

  it('XFS v5: a changed superblock byte gets a new, valid CRC-32C', () => {
    const b = fx('xfs/xfs-v5.img.gz');
    b[0x90] ^= 1;
    const r = seal(xfsFixup, b);
    expect(r.changed).toBe(1);
    const want = crc32c(b, 0, 512, 224);
    expect(new DataView(b.buffer).getUint32(224, true)).toBe(want);
  });
});
