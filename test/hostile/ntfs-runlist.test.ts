// SPDX-License-Identifier: Apache-2.0
// NTFS runlists built to overflow: pattern.bin's $DATA mapping pairs (record
// 66 of test/fixtures/ntfs/basic.img.gz, made by recipes/ntfs.sh) rewritten
// with 8-byte fields — a length of 2^64-1, LCN deltas whose running sum wraps
// past i64 either way, a VCN sum past 2^42 — each a named runlist error for that
// file while the volume's other files still read.
import { describe, it, expect } from 'vitest';
import { loadEngine } from '../helpers/engine';
import { fixture, dv } from '../asm/disk-fixtures';

const eng = await loadEngine();
const base = fixture('ntfs/basic.img.gz');

/** Record 66's $DATA attribute: the record, the attribute and its mapping pairs' offsets. */
function dataAttr(img: Uint8Array) {
  const v = dv(img);
  const cluster = v.getUint16(0x0b, true) * img[0x0d];
  const rec = Number(v.getBigUint64(0x30, true)) * cluster + 66 * 1024;
  let p = rec + v.getUint16(rec + 0x14, true);
  while (v.getUint32(p, true) !== 0x80) p += v.getUint32(p + 4, true);
  return { v, rec, p, start: p + v.getUint16(p + 0x20, true) };
}

/** The fixture's own mapping pairs of pattern.bin, without the terminator. */
function originalRuns(): number[] {
  const { start } = dataAttr(base);
  let q = start;
  while (base[q] !== 0) q += 1 + (base[q] & 15) + (base[q] >> 4);
  return [...base.subarray(start, q)];
}

/** pattern.bin with its runlist replaced by `runs` (mapping-pair bytes, the 0 terminator added). */
function withRuns(runs: number[]): Uint8Array {
  const img = base.slice();
  const { v, rec, p, start } = dataAttr(img);
  const oldLen = v.getUint32(p + 4, true);
  const next = p + oldLen;
  const newLen = (start - p + runs.length + 1 + 7) & ~7;
  const tail = img.slice(next, rec + v.getUint32(rec + 0x18, true)); // the attributes after $DATA and the end marker
  const grow = newLen - oldLen;
  // keep clear of the update sequence's sector ends (fixups at 510 and 1022)
  if (start + runs.length + 1 > rec + 508 || next + grow + tail.length > rec + 1020) throw new Error('no room for the runlist in record 66');
  img.set(tail, next + Math.max(grow, 0));
  img.fill(0, start, start + runs.length + 1);
  img.set([...runs, 0], start);
  v.setUint32(p + 4, newLen, true);
  v.setUint32(rec + 0x18, v.getUint32(rec + 0x18, true) + grow, true);
  return img;
}

const le = (n: bigint, bytes = 8) => Array.from({ length: bytes }, (_, i) => Number((BigInt.asUintN(64, n) >> BigInt(8 * i)) & 0xffn));

async function read(img: Uint8Array) {
  const s = await eng.open([img]);
  expect(s.inspect()).not.toBeNull();
  const data = s.readFile(0, '/pattern.bin');
  const err = s.lastError();
  expect(new TextDecoder().decode(s.readFile(0, '/hello.txt')!)).toBe('Hello, NTFS\n');
  return { data, err };
}

describe('NTFS runlists that overflow', () => {
  it('the rewrite itself is sound: the original runs written back read the file', async () => {
    const { data } = await read(withRuns(originalRuns()));
    expect(data?.length).toBe(300000);
  });

  it('a run length of 2^64-1 (8-byte field): ntfs.runlist.length', async () => {
    const { data, err } = await read(withRuns([0x18, ...le(-1n), 0x10]));
    expect(data).toBeNull();
    expect(err?.code).toBe('ntfs.runlist.length');
  });

  it('LCN deltas whose sum wraps past i64 max: ntfs.runlist.range, not a run at a negative or tiny cluster', async () => {
    const { data, err } = await read(withRuns([0x81, 0x01, ...le(0x10n), 0x81, 0x01, ...le(0x7fffffffffffffffn)]));
    expect(data).toBeNull();
    expect(err?.code).toBe('ntfs.runlist.range');
  });

  it('a negative LCN delta below cluster 0: ntfs.runlist.range', async () => {
    const { data, err } = await read(withRuns([0x81, 0x01, ...le(0x10n), 0x81, 0x01, ...le(-0x8000000000000000n)]));
    expect(data).toBeNull();
    expect(err?.code).toBe('ntfs.runlist.range');
  });

  it('sparse run lengths whose VCN sum passes 2^42: ntfs.runlist.length', async () => {
    const { data, err } = await read(withRuns([0x06, ...le((1n << 41n) + 1n, 6), 0x06, ...le((1n << 41n) + 1n, 6)]));
    expect(data).toBeNull();
    expect(err?.code).toBe('ntfs.runlist.length');
  });

  it('a header byte whose fields run past the attribute: ntfs.runlist.header', async () => {
    const { data, err } = await read(withRuns([0x88]));
    expect(data).toBeNull();
    expect(err?.code).toBe('ntfs.runlist.header');
  });
});
