// SPDX-License-Identifier: Apache-2.0
// Havoc mutations: bit and byte flips, interesting integers (both byte
// orders), small arithmetic, block copies, dictionary tokens (the format's
// magics), and — for small inputs — deletion, duplication, splicing and
// truncation. Large inputs (disk images) are mutated in place with an undo
// log and kept in the corpus as patches over their seed; their positions are
// drawn mostly from the byte ranges the parser actually read (the metadata),
// recorded through the host read import.
import type { Rng } from './rng';

const I8 = [0, 1, 0x7f, 0x80, 0xff, 0x10, 0x20, 0x40];
const I16 = [0, 1, 0x7fff, 0x8000, 0xffff, 0x100, 0x200, 0x1000, 0x0fff, 0x4000];
const I32 = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x10000, 0x100000, 0x1000000, 0x40000000, 0xfffffffe, 0x200, 0x1000];

/** A byte write of a mutation: where, and the bytes written */
export interface Write { pos: number; bytes: Uint8Array }

/** Ranges the parser read: [start0, end0, start1, end1, ...] */
export type Ranges = number[];

function pickPos(rng: Rng, len: number, ranges: Ranges | undefined, width: number): number {
  if (len <= width) return 0;
  if (ranges !== undefined && ranges.length >= 2 && rng.chance(0.9)) {
    const r = rng.below(ranges.length >> 1) * 2;
    const s = Math.min(ranges[r], len - width);
    const e = Math.min(ranges[r + 1], len);
    if (e - width > s) return s + rng.below(e - width - s + 1);
    return Math.max(0, s);
  }
  return rng.below(len - width + 1);
}

function intBytes(v: number, width: number, be: boolean): Uint8Array {
  const b = new Uint8Array(width);
  for (let i = 0; i < width; i++) {
    const byte = width > 4 && i >= 4 ? (v < 0 || v >= 0x80000000 ? 0xff : 0) : (v >>> (8 * i)) & 0xff;
    b[be ? width - 1 - i : i] = byte;
  }
  return b;
}

/** One in-place mutation of data[0, len) as a Write (never changes the length). */
function overwriteOp(rng: Rng, data: Uint8Array, len: number, ranges: Ranges | undefined, dict: Uint8Array[]): Write | null {
  const op = rng.below(dict.length > 0 ? 11 : 10);
  const be = rng.chance(0.5);
  switch (op) {
    case 0: { const p = pickPos(rng, len, ranges, 1); return { pos: p, bytes: Uint8Array.of(data[p] ^ (1 << rng.below(8))) }; }
    case 1: { const p = pickPos(rng, len, ranges, 1); return { pos: p, bytes: Uint8Array.of(rng.below(256)) }; }
    case 2: { const p = pickPos(rng, len, ranges, 1); return { pos: p, bytes: Uint8Array.of(I8[rng.below(I8.length)]) }; }
    case 3: { const p = pickPos(rng, len, ranges, 2); return { pos: p, bytes: intBytes(I16[rng.below(I16.length)], 2, be) }; }
    case 4: { const p = pickPos(rng, len, ranges, 4); return { pos: p, bytes: intBytes(I32[rng.below(I32.length)], 4, be) }; }
    case 5: { const p = pickPos(rng, len, ranges, 1); return { pos: p, bytes: Uint8Array.of((data[p] + (rng.chance(0.5) ? 1 : -1) * (1 + rng.below(35))) & 0xff) }; }
    case 6: {
      const p = pickPos(rng, len, ranges, 4);
      if (p + 4 > len) return null;
      const v = be ? ((data[p] << 24) | (data[p + 1] << 16) | (data[p + 2] << 8) | data[p + 3]) : ((data[p + 3] << 24) | (data[p + 2] << 16) | (data[p + 1] << 8) | data[p]);
      return { pos: p, bytes: intBytes((v + (rng.chance(0.5) ? 1 : -1) * (1 + rng.below(35))) >>> 0, 4, be) };
    }
    case 7: {
      const n = 1 + rng.below(Math.min(len, 64));
      const from = pickPos(rng, len, ranges, n);
      const to = pickPos(rng, len, ranges, n);
      return { pos: to, bytes: data.slice(from, from + n) };
    }
    case 8: { const p = pickPos(rng, len, ranges, 8); return { pos: p, bytes: intBytes(I32[rng.below(I32.length)], 8, be) }; }
    case 9: { const p = pickPos(rng, len, ranges, 4); return { pos: p, bytes: intBytes(len + (rng.below(9) - 4), 4, be) }; }
    default: {
      const d = dict[rng.below(dict.length)];
      const p = pickPos(rng, len, ranges, d.length);
      return { pos: p, bytes: d };
    }
  }
}

function apply(data: Uint8Array, len: number, w: Write, undo?: Write[]): void {
  const n = Math.min(w.bytes.length, len - w.pos);
  if (n <= 0) return;
  undo?.push({ pos: w.pos, bytes: data.slice(w.pos, w.pos + n) });
  data.set(n === w.bytes.length ? w.bytes : w.bytes.subarray(0, n), w.pos);
}

/** Applies writes in place, pushing what they overwrote onto `undo`. */
export function applyWrites(data: Uint8Array, writes: Write[], undo: Write[]): void {
  for (const w of writes) apply(data, data.length, w, undo);
}

/** Reverts in-place writes (newest first). */
export function revert(data: Uint8Array, undo: Write[]): void {
  for (let i = undo.length - 1; i >= 0; i--) data.set(undo[i].bytes, undo[i].pos);
  undo.length = 0;
}

/**
 * Mutates a large input in place (1 to 8 writes, rarely a truncation).
 * Returns the new length; the writes made go to `out`, the undo log to `undo`.
 */
export function havocInPlace(rng: Rng, data: Uint8Array, len: number, ranges: Ranges | undefined, dict: Uint8Array[], out: Write[], undo: Write[]): number {
  const k = 1 << rng.below(4);
  for (let i = 0; i < k; i++) {
    const w = overwriteOp(rng, data, len, ranges, dict);
    if (w === null) continue;
    apply(data, len, w, undo);
    out.push(w);
  }
  if (rng.chance(0.02)) {
    const cut = ranges !== undefined && ranges.length >= 2 && rng.chance(0.5) ? pickPos(rng, len, ranges, 1) : rng.below(len);
    return Math.max(1, cut);
  }
  return len;
}

/** A mutated copy of a small input (at most maxLen bytes); `other` gives a splice partner. */
export function havocCopy(rng: Rng, src: Uint8Array, maxLen: number, ranges: Ranges | undefined, dict: Uint8Array[], other: () => Uint8Array): Uint8Array {
  let data = src.slice();
  const k = 1 << (1 + rng.below(4));
  for (let i = 0; i < k; i++) {
    const op = rng.below(16);
    if (data.length === 0) { data = Uint8Array.of(rng.below(256)); continue; }
    if (op < 10) {
      const w = overwriteOp(rng, data, data.length, ranges, dict);
      if (w !== null) apply(data, data.length, w);
    } else if (op === 10) { // delete a block
      const n = 1 + rng.below(Math.min(data.length, rng.chance(0.8) ? 16 : 1024));
      const p = rng.below(data.length - n + 1);
      const d = new Uint8Array(data.length - n);
      d.set(data.subarray(0, p)); d.set(data.subarray(p + n), p);
      data = d;
    } else if (op === 11 || op === 12) { // insert a copy of a block, or a dictionary token
      const ins = op === 12 && dict.length > 0 ? dict[rng.below(dict.length)] : (() => {
        const n = 1 + rng.below(Math.min(data.length, rng.chance(0.8) ? 16 : 1024));
        const from = rng.below(data.length - n + 1);
        return data.slice(from, from + n);
      })();
      if (data.length + ins.length > maxLen) continue;
      const p = rng.below(data.length + 1);
      const d = new Uint8Array(data.length + ins.length);
      d.set(data.subarray(0, p)); d.set(ins, p); d.set(data.subarray(p), p + ins.length);
      data = d;
    } else if (op === 13) { // splice: our head, the other's tail
      const o = other();
      if (o.length < 2) continue;
      const cut = rng.below(Math.min(data.length, o.length));
      const d = new Uint8Array(Math.min(maxLen, cut + o.length - cut));
      d.set(data.subarray(0, cut)); d.set(o.subarray(cut, cut + d.length - cut), cut);
      data = d;
    } else if (op === 14) { // truncate
      if (rng.chance(0.3)) data = data.slice(0, rng.below(data.length));
    } else { // repeat a byte run (lengths, run-length coding)
      const n = 1 + rng.below(64);
      const p = rng.below(data.length);
      const v = rng.chance(0.5) ? data[p] : rng.below(256);
      const end = Math.min(data.length, p + n);
      data.fill(v, p, end);
    }
  }
  return data;
}
