// SPDX-License-Identifier: Apache-2.0
// A file read in bounded chunks: the initramfs is 10–150 MB, and reading it
// whole (then decoding it whole) held the file, its copy in the engine and
// its decompressed contents at once. The decoders and the cpio lister take
// it a chunk at a time through this cursor instead.

/** Random access to a file's bytes; a short (or null) answer is its end. */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Uint8Array | null;
}

/** Chunk size of the reads: big enough that a guest read's fixed cost is noise, small beside the file. */
export const DEFAULT_CHUNK = 1 << 20;

export function bufferSource(b: Uint8Array): ByteSource {
  return { size: b.length, read: (o, n) => b.subarray(o, Math.min(b.length, o + n)) };
}

/**
 * Reads a source in chunks aligned to `chunk`, keeping the last two (the
 * zstd frame walk runs a block ahead of the decoder's input): every byte is
 * read from the source once when the callers move forward.
 */
export class ChunkCursor {
  size: number;
  /** the most bytes one read asked for, and how many reads there were (tests bound them) */
  largestRead = 0;
  reads = 0;
  private keys: number[] = [-1, -1];
  private bufs: Uint8Array[] = [new Uint8Array(0), new Uint8Array(0)];

  constructor(private src: ByteSource, readonly chunk = DEFAULT_CHUNK) {
    this.size = src.size;
  }

  /** The bytes from `off` to the end of its chunk (empty past the end). */
  chunkAt(off: number): Uint8Array {
    if (off >= this.size) return new Uint8Array(0);
    const k = Math.floor(off / this.chunk);
    const b = this.load(k);
    return b.subarray(off - k * this.chunk);
  }

  private load(k: number): Uint8Array {
    if (this.keys[0] === k) return this.bufs[0];
    if (this.keys[1] === k) {
      this.keys.reverse();
      this.bufs.reverse();
      return this.bufs[0];
    }
    const at = k * this.chunk;
    const want = Math.min(this.chunk, this.size - at);
    this.reads++;
    this.largestRead = Math.max(this.largestRead, want);
    const got = this.src.read(at, want) ?? new Uint8Array(0);
    // a file that reads short ends there
    if (got.length < want) this.size = at + got.length;
    this.keys = [k, this.keys[0]];
    this.bufs = [got, this.bufs[0]];
    return got;
  }

  byte(off: number): number {
    return off < this.size ? this.chunkAt(off)[0] : -1;
  }

  /** Up to `n` bytes at `off` (fewer at the end); a copy only when they span chunks. */
  peek(off: number, n: number): Uint8Array {
    const first = this.chunkAt(off);
    if (first.length >= n) return first.subarray(0, n);
    const end = Math.min(this.size, off + n);
    if (off + first.length >= end) return first;
    const out = new Uint8Array(end - off);
    let p = off;
    while (p < end) {
      const c = this.chunkAt(p);
      if (c.length === 0) break;
      const take = Math.min(c.length, end - p);
      out.set(c.subarray(0, take), p - off);
      p += take;
    }
    return p - off === out.length ? out : out.subarray(0, p - off);
  }
}
