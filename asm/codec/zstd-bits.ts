// SPDX-License-Identifier: Apache-2.0
// The backward bitstream of zstd (RFC 8878 §4.1: Huffman streams, FSE weight
// streams, the sequences bitstream). It is written forwards and read from its
// end: the last byte's highest set bit marks where the data starts, and each
// read takes the next n bits going down. Reads past the stream's start yield
// zero bits and leave `pos` negative, which the caller treats as corruption
// (or, for the Huffman weight stream, as the documented end condition).

export class BackBits {
  base: usize = 0;
  len: i32 = 0;
  /** bits not yet read: the next read takes bits [pos-n, pos) */
  pos: i32 = 0;

  /** false when the stream is empty or its last byte is zero (no end mark). */
  init(buf: Uint8Array, off: i32, len: i32): bool {
    if (len <= 0) return false;
    this.base = buf.dataStart + <usize>off;
    this.len = len;
    const last = <u32>load<u8>(this.base + <usize>(len - 1));
    if (last == 0) return false;
    this.pos = (len - 1) * 8 + (31 - <i32>clz<u32>(last));
    return true;
  }

  /** bits [p, p+n) of the stream, n <= 32, p >= 0 */
  @inline private at(p: i32, n: i32): u32 {
    const byte = p >> 3;
    let w: u64;
    if (byte + 8 <= this.len) {
      w = load<u64>(this.base + <usize>byte);
    } else {
      w = 0;
      const stop = min(this.len, byte + 8);
      for (let i = byte; i < stop; i++) w |= (<u64>load<u8>(this.base + <usize>i)) << (<u64>((i - byte) * 8));
    }
    return <u32>((w >> <u64>(p & 7)) & ((<u64>1 << <u64>n) - 1));
  }

  /** the next n bits (n <= 24) without consuming them; zeros below the stream's start */
  @inline peek(n: i32): u32 {
    const p = this.pos - n;
    if (p >= 0) return this.at(p, n);
    const have = this.pos;
    if (have <= 0) return 0;
    return this.at(0, have) << <u32>(n - have);
  }

  @inline skip(n: i32): void {
    this.pos -= n;
  }

  /** reads n bits (n <= 31) */
  @inline read(n: i32): u32 {
    if (n == 0) return 0;
    const v = this.peek(n);
    this.pos -= n;
    return v;
  }
}
