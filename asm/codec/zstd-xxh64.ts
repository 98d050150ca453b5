// SPDX-License-Identifier: Apache-2.0
// XXH64 (seed 0), for the zstd frame content checksum (RFC 8878 §3.1.1: its
// low 32 bits follow the last block when the frame header asks for them).

const P1: u64 = 11400714785074694791;
const P2: u64 = 14029467366897019727;
const P3: u64 = 1609587929392839161;
const P4: u64 = 9650029242287828579;
const P5: u64 = 2870177450012600261;

@inline function round(acc: u64, input: u64): u64 {
  acc += input * P2;
  acc = rotl<u64>(acc, 31);
  return acc * P1;
}

@inline function merge(acc: u64, val: u64): u64 {
  acc ^= round(0, val);
  return acc * P1 + P4;
}

/** XXH64 of buf[off, off+len); the caller keeps the range inside buf. */
export function xxh64(buf: Uint8Array, off: i32, len: i32): u64 {
  let p = buf.dataStart + <usize>off;
  const end = p + <usize>len;
  let h: u64;
  if (len >= 32) {
    let v1: u64 = P1 + P2, v2: u64 = P2, v3: u64 = 0, v4: u64 = 0 - P1;
    const limit = end - 32;
    while (p <= limit) {
      v1 = round(v1, load<u64>(p));
      v2 = round(v2, load<u64>(p + 8));
      v3 = round(v3, load<u64>(p + 16));
      v4 = round(v4, load<u64>(p + 24));
      p += 32;
    }
    h = rotl<u64>(v1, 1) + rotl<u64>(v2, 7) + rotl<u64>(v3, 12) + rotl<u64>(v4, 18);
    h = merge(h, v1);
    h = merge(h, v2);
    h = merge(h, v3);
    h = merge(h, v4);
  } else {
    h = P5;
  }
  return finish(h + <u64>len, p, end);
}

/** The last step of XXH64: the bytes [p, end) that did not fill a 32-byte stripe, then the avalanche. */
function finish(h: u64, p: usize, end: usize): u64 {
  while (p + 8 <= end) {
    h ^= round(0, load<u64>(p));
    h = rotl<u64>(h, 27) * P1 + P4;
    p += 8;
  }
  if (p + 4 <= end) {
    h ^= (<u64>load<u32>(p)) * P1;
    h = rotl<u64>(h, 23) * P2 + P3;
    p += 4;
  }
  while (p < end) {
    h ^= (<u64>load<u8>(p)) * P5;
    h = rotl<u64>(h, 11) * P1;
    p++;
  }
  h ^= h >> 33;
  h *= P2;
  h ^= h >> 29;
  h *= P3;
  h ^= h >> 32;
  return h;
}

/** XXH64 (seed 0) fed piece by piece: a whole zstd frame's checksum without holding the frame. */
export class Xxh64Stream {
  private v1: u64 = P1 + P2;
  private v2: u64 = P2;
  private v3: u64 = 0;
  private v4: u64 = 0 - P1;
  private total: u64 = 0;
  private buf: Uint8Array = new Uint8Array(32);
  private held: i32 = 0;

  reset(): void {
    this.v1 = P1 + P2; this.v2 = P2; this.v3 = 0; this.v4 = 0 - P1;
    this.total = 0; this.held = 0;
  }

  private stripe(p: usize): void {
    this.v1 = round(this.v1, load<u64>(p));
    this.v2 = round(this.v2, load<u64>(p + 8));
    this.v3 = round(this.v3, load<u64>(p + 16));
    this.v4 = round(this.v4, load<u64>(p + 24));
  }

  update(ptr: usize, len: i32): void {
    this.total += <u64>len;
    let p = ptr;
    const end = ptr + <usize>len;
    if (this.held > 0) {
      const take = <i32>min<usize>(<usize>(32 - this.held), end - p);
      memory.copy(this.buf.dataStart + <usize>this.held, p, <usize>take);
      this.held += take;
      p += <usize>take;
      if (this.held < 32) return;
      this.stripe(this.buf.dataStart);
      this.held = 0;
    }
    // the lanes in locals: the loop runs over a whole disk image during the index pass
    let v1 = this.v1, v2 = this.v2, v3 = this.v3, v4 = this.v4;
    while (p + 32 <= end) {
      v1 = round(v1, load<u64>(p));
      v2 = round(v2, load<u64>(p + 8));
      v3 = round(v3, load<u64>(p + 16));
      v4 = round(v4, load<u64>(p + 24));
      p += 32;
    }
    this.v1 = v1; this.v2 = v2; this.v3 = v3; this.v4 = v4;
    if (p < end) {
      memory.copy(this.buf.dataStart, p, end - p);
      this.held = <i32>(end - p);
    }
  }

  digest(): u64 {
    let h: u64;
    if (this.total >= 32) {
      h = rotl<u64>(this.v1, 1) + rotl<u64>(this.v2, 7) + rotl<u64>(this.v3, 12) + rotl<u64>(this.v4, 18);
      h = merge(h, this.v1);
      h = merge(h, this.v2);
      h = merge(h, this.v3);
      h = merge(h, this.v4);
    } else {
      h = P5;
    }
    const b = this.buf.dataStart;
    return finish(h + this.total, b, b + <usize>this.held);
  }
}
