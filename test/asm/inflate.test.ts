// SPDX-License-Identifier: Apache-2.0
// The deflate decoder against Node's zlib: many inputs, every block type,
// and damaged streams, where it must agree with zlib or fail with a named
// error — never trap, never hang.
import { describe, it, expect } from 'vitest';
import zlib from 'node:zlib';
import { readFileSync } from 'node:fs';
import { loadEngine } from '../helpers/engine';
import { same, rand, randomBytes } from '../helpers/bytes';

const eng = await loadEngine();
const s = await eng.open([new Uint8Array(512)]);
const x = s.x as any;

/** format 0 raw, 1 zlib, 2 raw prefix */
function inflate(src: Uint8Array, dstLen: number, format = 0): Uint8Array | null {
  const r = x.codecInflate(src, dstLen, format);
  return r === null ? null : new Uint8Array(r);
}

function text(n: number, seed: number): Uint8Array {
  const words = ['the', 'kernel', 'boot', 'grub', 'initramfs', 'root=UUID=', '/etc/fstab', 'ext4', 'defaults', '0 1', '\n', 'cloud-init', 'virtio_blk'];
  const r = rand(seed);
  let s = '';
  while (s.length < n) s += words[r() % words.length] + (r() % 3 ? ' ' : '');
  return new TextEncoder().encode(s.slice(0, n));
}

const guestImg = new Uint8Array(zlib.gunzipSync(readFileSync(new URL('../fixtures/guest/mbr-ext2.img.gz', import.meta.url))));

/** Fibonacci symbol frequencies, shuffled: the Huffman tree is as deep as it gets, so zlib emits 15-bit codes. */
function fibonacciBytes(): Uint8Array {
  const out: number[] = [];
  let a = 1, b = 1;
  for (let sym = 0; sym < 22; sym++) { for (let k = 0; k < a; k++) out.push(sym * 11); [a, b] = [b, a + b]; }
  const r = rand(77);
  for (let i = out.length - 1; i > 0; i--) { const j = r() % (i + 1); [out[i], out[j]] = [out[j], out[i]]; }
  return new Uint8Array(out);
}

const inputs: [string, Uint8Array][] = [
  ['Fibonacci frequencies (15-bit codes)', fibonacciBytes()],
  ['empty', new Uint8Array(0)],
  ['one byte', new Uint8Array([42])],
  ['zeros 1 MiB', new Uint8Array(1 << 20)],
  ['random 100 KiB', randomBytes(100_000, 1)],
  ['random 4-symbol 200 KiB', randomBytes(200_000, 2, 4)],
  ['text 300 KiB', text(300_000, 3)],
  ['pattern period 3', new Uint8Array(70_000).map((_, i) => i % 3)],
  ['pattern period 7', new Uint8Array(70_000).map((_, i) => (i * 7) % 7 + (i % 7))],
  ['ext2 disk image head 2 MiB', guestImg.subarray(0, 2 << 20)],
];

describe('inflate agrees with zlib', () => {
  for (const [name, data] of inputs) {
    for (const level of [0, 1, 6, 9]) {
      it(`${name}, level ${level}`, () => {
        const c = zlib.deflateRawSync(data, { level });
        expect(same(inflate(c, data.length), data)).toBe(true);
      });
    }
    it(`${name}, fixed Huffman, Huffman-only and RLE strategies`, () => {
      for (const strategy of [zlib.constants.Z_FIXED, zlib.constants.Z_HUFFMAN_ONLY, zlib.constants.Z_RLE, zlib.constants.Z_FILTERED]) {
        const c = zlib.deflateRawSync(data, { level: 6, strategy });
        expect(same(inflate(c, data.length), data)).toBe(true);
      }
    });
    it(`${name}, zlib wrapper with Adler-32`, () => {
      const c = zlib.deflateSync(data, { level: 9 });
      expect(same(inflate(c, data.length, 1), data)).toBe(true);
    });
  }

  it('decodes a stream made of many flushed blocks (sync flush between writes)', () => {
    const parts: Buffer[] = [];
    const d = zlib.createDeflateRaw({ level: 5 });
    const data = text(200_000, 9);
    // deflateRawSync with a tiny chunk size and full flushes gives many small blocks of mixed types
    for (let i = 0; i < data.length; i += 7_000) {
      parts.push(zlib.deflateRawSync(data.subarray(i, i + 7_000), { level: (i / 7000) % 10, finishFlush: zlib.constants.Z_SYNC_FLUSH }));
    }
    // concatenated non-final segments, then an empty final stored block
    const c = Buffer.concat([...parts, Buffer.from([0x03, 0x00])]);
    void d;
    expect(same(inflate(c, data.length), data)).toBe(true);
  });

  it('with dst exactly the output size, and as a prefix when dst is shorter', () => {
    const data = text(50_000, 4);
    const c = zlib.deflateRawSync(data);
    expect(same(inflate(c, data.length), data)).toBe(true);
    expect(inflate(c, data.length - 1)).toBeNull();
    expect(s.lastError()).toMatchObject({ kind: 'limit', code: 'inflate.too-large' });
    expect(same(inflate(c, 1000, 2), data.subarray(0, 1000))).toBe(true);
    expect(same(inflate(c, 0, 2), new Uint8Array(0))).toBe(true);
  });

  it('ignores bytes after the final block', () => {
    const data = text(10_000, 5);
    const c = Buffer.concat([zlib.deflateRawSync(data), Buffer.from('trailing garbage')]);
    expect(same(inflate(c, data.length), data)).toBe(true);
  });
});

describe('inflate names what is wrong', () => {
  const cases: [string, number[], string][] = [
    ['block type 3', [0x07], 'inflate.block-type'],
    ['stored length vs complement', [0x01, 0x05, 0x00, 0xfa, 0xfe, 1, 2, 3, 4, 5], 'inflate.stored-length'],
    ['stored block cut short', [0x01, 0x05, 0x00, 0xfa, 0xff, 1, 2], 'inflate.truncated'],
    ['empty input', [], 'inflate.truncated'],
    // fixed block whose first symbol is length 3 (code 257 = 0000001) at distance 1
    ['distance before the start', [0x03, 0x02], 'inflate.distance-too-far'],
    // dynamic block: HLIT=257 HDIST=1 HCLEN=4, code-length code lengths all 1 (over-subscribed)
    ['over-subscribed code-length code', [0x05, 0x00, 0x00, 0x49, 0x02], 'inflate.bad-code'],
  ];
  for (const [name, bytes, code] of cases) {
    it(name, () => {
      expect(inflate(new Uint8Array(bytes), 1000)).toBeNull();
      expect(s.lastError()).toMatchObject({ kind: 'corrupt', code });
      expect(() => zlib.inflateRawSync(new Uint8Array(bytes))).toThrow();
    });
  }

  it('zlib header and Adler-32 checks', () => {
    const data = text(5_000, 6);
    const c = new Uint8Array(zlib.deflateSync(data));
    const badHeader = c.slice(); badHeader[1] ^= 1;
    expect(inflate(badHeader, data.length, 1)).toBeNull();
    expect(s.lastError()!.code).toBe('inflate.zlib-header');
    const badSum = c.slice(); badSum[badSum.length - 1] ^= 0x40;
    expect(inflate(badSum, data.length, 1)).toBeNull();
    expect(s.lastError()!.code).toBe('inflate.adler32');
    expect(inflate(c.subarray(0, c.length - 2), data.length, 1)).toBeNull();
    expect(s.lastError()!.code).toBe('inflate.truncated');
    // prefix: a shorter dst is filled; a whole stream is still checked
    expect(same(inflate(c, 100, 3), data.subarray(0, 100))).toBe(true);
    expect(same(inflate(c, data.length + 10, 3), data)).toBe(true);
    expect(inflate(badSum, data.length, 3)).toBeNull();
    expect(s.lastError()!.code).toBe('inflate.adler32');
  });
});

describe('damaged streams: same verdict as zlib, never a trap', () => {
  const sources = [
    zlib.deflateRawSync(text(40_000, 7), { level: 9 }),
    zlib.deflateRawSync(randomBytes(20_000, 8, 16), { level: 6 }),
    zlib.deflateRawSync(guestImg.subarray(0, 300_000), { level: 1 }),
    zlib.deflateRawSync(text(30_000, 10), { strategy: zlib.constants.Z_FIXED }),
    zlib.deflateRawSync(randomBytes(30_000, 11), { level: 0 }),
  ];
  it('bit flips, truncations and zeroed spans (1500 variants)', () => {
    const r = rand(1234);
    let agreed = 0;
    for (let t = 0; t < 1500; t++) {
      const src = sources[t % sources.length];
      const bad = new Uint8Array(src);
      const mode = t % 3;
      let input: Uint8Array = bad;
      if (mode === 0) {
        for (let k = 0; k <= r() % 4; k++) { const bit = r() % (bad.length * 8); bad[bit >> 3] ^= 1 << (bit & 7); }
      } else if (mode === 1) {
        input = bad.subarray(0, r() % bad.length);
      } else {
        const at = r() % bad.length; bad.fill(0, at, at + 1 + (r() % 64));
      }
      let want: Buffer | null = null;
      try { want = zlib.inflateRawSync(input, { maxOutputLength: 1 << 20 }); } catch { want = null; }
      const got = inflate(input, 1 << 20);
      if (want === null) {
        expect(got).toBeNull();
        expect(s.lastError()!.code).toMatch(/^inflate\./);
      } else {
        expect(got).not.toBeNull();
        expect(Buffer.from(got!).equals(want)).toBe(true);
      }
      agreed++;
    }
    expect(agreed).toBe(1500);
  });
});

describe('longest codes', () => {
  it('a Huffman-only block with 15-bit literal codes (memLevel 9: one 64 Ki-symbol block)', () => {
    const data = fibonacciBytes();
    const c = zlib.deflateRawSync(data, { strategy: zlib.constants.Z_HUFFMAN_ONLY, memLevel: 9 });
    expect(same(inflate(c, data.length), data)).toBe(true);
  });
});
