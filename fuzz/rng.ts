// SPDX-License-Identifier: Apache-2.0
// A small seeded PRNG (xorshift128+ folded to 32 bits): campaigns replay.
export class Rng {
  private a: number;
  private b: number;
  constructor(seed: number) {
    this.a = (seed ^ 0x9e3779b9) | 0 || 1;
    this.b = (Math.imul(seed, 0x85ebca6b) ^ 0xc2b2ae35) | 0 || 2;
    for (let i = 0; i < 8; i++) this.u32();
  }
  u32(): number {
    let s1 = this.a;
    const s0 = this.b;
    this.a = s0;
    s1 ^= s1 << 23;
    s1 ^= s1 >>> 17;
    s1 ^= s0 ^ (s0 >>> 26);
    this.b = s1;
    return (this.b + s0) >>> 0;
  }
  /** 0 <= n < max */
  below(max: number): number { return max <= 1 ? 0 : Math.floor((this.u32() / 4294967296) * max); }
  chance(p: number): boolean { return this.u32() / 4294967296 < p; }
}
