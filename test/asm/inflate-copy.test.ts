// SPDX-License-Identifier: Apache-2.0
// The match copies of the inflate fast loop against Node's zlib: every short
// period (1..7 bytes, laid down byte by byte then copied in words), periods
// around the 8- and 16-byte word steps, and every match length at those
// periods, each also cut to end at every offset near the end of the output.
import { describe, it, expect } from 'vitest';
import zlib from 'node:zlib';
import { loadEngine } from '../helpers/engine';

const eng = await loadEngine();
const s = await eng.open([new Uint8Array(512)]);
const x = s.x as unknown as { codecInflate(src: Uint8Array, n: number, f: number): Uint8Array | null };

function roundTrip(data: Uint8Array): boolean {
  const z = zlib.deflateRawSync(data, { level: 9 });
  const got = x.codecInflate(z, data.length, 0);
  return got !== null && Buffer.from(got).equals(Buffer.from(data));
}

/** `reps` copies of a `period`-byte pattern between random literals, for `rounds` rounds. */
function periodic(period: number, reps: number, rounds: number, seed: number): Uint8Array {
  let v = seed;
  const r = () => { v ^= v << 13; v >>>= 0; v ^= v >>> 17; v ^= v << 5; v >>>= 0; return v; };
  const out: number[] = [];
  for (let k = 0; k < rounds; k++) {
    const pat = Array.from({ length: period }, () => r() & 255);
    for (let i = 0; i < reps; i++) out.push(...pat);
    const lits = r() % 40;
    for (let i = 0; i < lits; i++) out.push(r() & 255);
  }
  return new Uint8Array(out);
}

describe('inflate match copies', () => {
  it('short periods 1..7 and periods around the word steps, many lengths', () => {
    for (const period of [1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 31, 32, 33]) {
      for (const reps of [1, 2, 3, 5, 9, 17, 40, 100]) {
        expect(roundTrip(periodic(period, reps, 30, period * 1000 + reps)), `period ${period} × ${reps}`).toBe(true);
      }
    }
  });

  it('outputs that end at every offset after a long short-period match (the careful path near the end)', () => {
    for (const period of [2, 3, 5, 7, 12]) {
      const base = periodic(period, 200, 3, period);
      for (let cut = base.length - 300; cut <= base.length; cut += 7) {
        expect(roundTrip(base.subarray(0, cut)), `period ${period}, ${cut} bytes`).toBe(true);
      }
    }
  });

  it('long literal runs (two literals per refill) with matches between', () => {
    let v = 7;
    const r = () => { v = (v * 1103515245 + 12345) >>> 0; return v >>> 16; };
    const data = new Uint8Array(300_000);
    for (let i = 0; i < data.length; i++) data[i] = i % 97 < 60 ? r() & 255 : data[i - 50] ?? 0;
    expect(roundTrip(data)).toBe(true);
  });
});
