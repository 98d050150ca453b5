// SPDX-License-Identifier: Apache-2.0
// Byte helpers the codec tests share: deterministic data and a fast equality.

/** Byte equality without vitest's slow element-wise diff of large arrays. */
export function same(got: Uint8Array | null, want: Uint8Array): boolean {
  return got !== null && Buffer.from(got.buffer, got.byteOffset, got.length).equals(Buffer.from(want.buffer, want.byteOffset, want.length));
}

/** Deterministic pseudo-random 32-bit numbers (xorshift32). */
export function rand(seed: number): () => number {
  let v = seed >>> 0 || 1;
  return () => { v ^= v << 13; v >>>= 0; v ^= v >>> 17; v ^= v << 5; v >>>= 0; return v; };
}

/** n pseudo-random bytes below `alphabet` (a small alphabet compresses). */
export function randomBytes(n: number, seed: number, alphabet = 256): Uint8Array {
  const r = rand(seed), b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = r() % alphabet;
  return b;
}
