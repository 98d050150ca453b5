// SPDX-License-Identifier: Apache-2.0
// Gzip-compressed images read in place: the report of the .gz equals the raw
// image's, random ranges read through the engine equal the raw bytes, and
// damaged files fail with a named error. The .gz fixtures are the committed
// fixtures themselves (made by the recipes with gzip); multi-member files and
// header fields are built here from their RFC 1952 layout.
import { describe, it, expect } from 'vitest';
import { unnamed } from '../helpers/same-report';
import { readFileSync } from 'node:fs';
import zlib from 'node:zlib';
import { checkFiles } from '../../src/engine/check';
import { memoryFiles, type Instantiate } from '../../src/engine/wasm';
import { loadEngine } from '../helpers/engine';
import { rand } from '../helpers/bytes';

const build = new URL('../../build/', import.meta.url);
const mod = await WebAssembly.compile(readFileSync(new URL('guestcheck.wasm', build)));
const inst = (await import(/* @vite-ignore */ new URL('guestcheck.js', build).href)).instantiate as Instantiate;
const eng = await loadEngine();

const fixture = (p: string) => new Uint8Array(readFileSync(new URL(`../fixtures/${p}`, import.meta.url)));

async function report(buf: Uint8Array, name: string) {
  const r = await checkFiles(inst, mod, memoryFiles([buf]), [name]);
  const { stats, ...rest } = r;
  void stats;
  return rest;
}

function withoutCompression(r: any) {
  // the container facts name the file and say whether to decompress it first: they differ by design
  const { compression, container, ...image } = r.image;
  void compression;
  void container;
  return { ...r, image: { ...image, files: [] }, repair: unnamed(r.repair) };
}

/** RFC 1952 member with every optional header field. */
function member(data: Uint8Array, opts: { extra?: Uint8Array; name?: string; comment?: string; hcrc?: boolean } = {}) {
  const parts: number[] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
  let flg = 0;
  if (opts.extra) { flg |= 4; parts.push(opts.extra.length & 0xff, opts.extra.length >> 8, ...opts.extra); }
  if (opts.name !== undefined) { flg |= 8; parts.push(...Buffer.from(opts.name, 'latin1'), 0); }
  if (opts.comment !== undefined) { flg |= 16; parts.push(...Buffer.from(opts.comment, 'latin1'), 0); }
  if (opts.hcrc) flg |= 2;
  parts[3] = flg;
  if (opts.hcrc) { const c = zlib.crc32(Buffer.from(parts)); parts.push(c & 0xff, (c >> 8) & 0xff); }
  const body = zlib.deflateRawSync(data, { level: 6 });
  const t = Buffer.alloc(8);
  t.writeUInt32LE(zlib.crc32(data), 0);
  t.writeUInt32LE(data.length >>> 0, 4);
  return Buffer.concat([Buffer.from(parts), body, t]);
}

describe('a gzipped image reports as its raw image', () => {
  for (const f of ['guest/debian12-gpt.img.gz', 'guest/mbr-ext2.img.gz', 'partitions/mbr-logical.img.gz', 'partitions/gpt-4k.img.gz']) {
    it(f, async () => {
      const gz = fixture(f);
      const raw = new Uint8Array(zlib.gunzipSync(gz));
      const a = await report(raw, 'x.img');
      const b = await report(gz, 'x.img.gz');
      expect(b.error).toBeUndefined();
      expect(b.image.compression).toBe('gzip');
      expect(b.image.format).toBe(a.image.format);
      expect(withoutCompression(b)).toEqual(withoutCompression(a));
    }, 120_000);
  }
});

describe('the index pass', () => {
  it('reports its progress through the host (decompressing: compressed bytes done of the file size)', async () => {
    const gz = fixture('guest/debian12-gpt.img.gz');
    const seen: { phase: string; bytesRead: number; total?: number }[] = [];
    await checkFiles(inst, mod, memoryFiles([gz]), ['x.gz'], { onProgress: (p) => seen.push(p) });
    const d = seen.filter((p) => p.phase === 'decompressing');
    expect(d.length).toBeGreaterThan(3);
    expect(d.every((p) => p.total === gz.length && p.bytesRead > 0 && p.bytesRead <= gz.length)).toBe(true);
    expect(d.map((p) => p.bytesRead)).toEqual([...d.map((p) => p.bytesRead)].sort((a, b) => a - b));
  }, 60_000);
});

describe('random ranges read through the gzip device equal the raw bytes', () => {
  it('debian12-gpt: 300 ranges, including across checkpoints, and the last byte', async () => {
    const gz = fixture('guest/debian12-gpt.img.gz');
    const raw = new Uint8Array(zlib.gunzipSync(gz));
    const s = await eng.open([gz]);
    const img = s.inspect();
    expect(img.virtualSize).toBe(raw.length);
    const r = rand(99);
    for (let k = 0; k < 300; k++) {
      const len = 1 + (r() % (k % 10 === 0 ? 3 << 20 : 70_000));
      const off = k === 0 ? raw.length - len : (r() * 64 + (r() & 63)) % (raw.length - len);
      const got = s.x.rawRead(-1, off, len);
      expect(got, `${off}+${len}`).not.toBeNull();
      expect(Buffer.from(got!).equals(Buffer.from(raw.subarray(off, off + len))), `${off}+${len}`).toBe(true);
    }
    expect(s.x.rawRead(-1, raw.length - 10, 11)).toBeNull();
  }, 120_000);

  it('with a tiny window budget: checkpoints thinned, spacing doubled, big segments decoded through', async () => {
    const gz = fixture('guest/mbr-ext2.img.gz');
    const raw = new Uint8Array(zlib.gunzipSync(gz));
    const s = await eng.open([gz]);
    (s.x as any).codecConfigureIndex(64 << 10, 8, 256 << 10);
    expect(s.inspect().virtualSize).toBe(raw.length);
    const r = rand(3);
    for (let k = 0; k < 60; k++) {
      const len = 1 + (r() % 300_000);
      const off = (r() * 16 + (r() & 15)) % (raw.length - len);
      expect(Buffer.from(s.x.rawRead(-1, off, len)!).equals(Buffer.from(raw.subarray(off, off + len))), `${off}+${len}`).toBe(true);
    }
  }, 60_000);

  it('checkpoints inside stored, fixed-Huffman and dynamic blocks all restart exactly (64 KiB spacing)', async () => {
    const raw = new Uint8Array(zlib.gunzipSync(fixture('partitions/gpt-multi.img.gz')));
    // some non-zero content everywhere, so windows are kept and matches reach back into them
    const r0 = rand(11);
    for (let i = 0; i < raw.length; i += 509) raw[i] ^= r0() & 0xff;
    for (const opts of [{ level: 0 }, { level: 1 }, { level: 9 }, { level: 6, strategy: zlib.constants.Z_FIXED }, { level: 6, strategy: zlib.constants.Z_RLE }]) {
      const gz = new Uint8Array(zlib.gzipSync(raw, opts));
      const s = await eng.open([gz]);
      (s.x as any).codecConfigureIndex(64 << 10, 4096, 8 << 20);
      expect(s.inspect()?.virtualSize, JSON.stringify(opts)).toBe(raw.length);
      const r = rand(21);
      for (let k = 0; k < 40; k++) {
        const len = 1 + (r() % 150_000);
        const off = r() % (raw.length - len);
        const got = s.x.rawRead(-1, off, len);
        expect(got && Buffer.from(got).equals(Buffer.from(raw.subarray(off, off + len))), `${JSON.stringify(opts)} ${off}+${len}`).toBe(true);
      }
    }
  }, 60_000);

  it('a multi-member file (cat a.gz b.gz c.gz) with FEXTRA, FNAME, FCOMMENT and FHCRC', async () => {
    const raw = new Uint8Array(zlib.gunzipSync(fixture('partitions/gpt-multi.img.gz')));
    const third = Math.floor(raw.length / 3);
    const gz = Buffer.concat([
      member(raw.subarray(0, third), { name: 'gpt-multi.img', extra: new Uint8Array([65, 66, 2, 0, 1, 2]), hcrc: true }),
      member(raw.subarray(third, 2 * third), { comment: 'second part' }),
      member(new Uint8Array(0)),
      member(raw.subarray(2 * third), { name: 'x', comment: 'y', hcrc: true }),
    ]);
    const a = await report(raw, 'x');
    const b = await report(gz, 'x');
    expect(withoutCompression(b)).toEqual(withoutCompression(a));
    const s = await eng.open([gz]);
    s.inspect();
    const r = rand(5);
    for (let k = 0; k < 100; k++) {
      const len = 1 + (r() % 200_000);
      const off = r() % (raw.length - len);
      expect(Buffer.from(s.x.rawRead(-1, off, len)!).equals(Buffer.from(raw.subarray(off, off + len)))).toBe(true);
    }
  });

  it('zero padding after the last member is a note, not an error', async () => {
    const raw = new Uint8Array(zlib.gunzipSync(fixture('partitions/mbr-logical.img.gz')));
    const gz = Buffer.concat([zlib.gzipSync(raw), Buffer.alloc(4096)]);
    const s = await eng.open([gz]);
    const img = s.inspect();
    expect(img.notes.join(' ')).toMatch(/4096 zero bytes after the last member/);
  });
});

describe('damaged gzip files fail with a named error', () => {
  const raw = new Uint8Array(zlib.gunzipSync(fixture('partitions/mbr-logical.img.gz')));
  const good = new Uint8Array(zlib.gzipSync(raw, { level: 9 }));
  async function openErr(b: Uint8Array) {
    const s = await eng.open([b]);
    expect(s.inspect()).toBeNull();
    return s.lastError()!;
  }
  it('truncated inside the deflate data, the trailer and the header', async () => {
    expect(await openErr(good.subarray(0, good.length >> 1))).toMatchObject({ kind: 'corrupt', code: 'inflate.truncated' });
    expect(await openErr(good.subarray(0, good.length - 3))).toMatchObject({ kind: 'corrupt', code: 'gzip.truncated' });
    expect(await openErr(good.subarray(0, 7))).toMatchObject({ kind: 'corrupt', code: 'gzip.truncated' });
  });
  it('a wrong CRC-32 and a wrong ISIZE', async () => {
    const badCrc = good.slice(); badCrc[good.length - 8] ^= 1;
    const e = await openErr(badCrc);
    expect(e).toMatchObject({ kind: 'corrupt', code: 'gzip.crc' });
    expect(e.message).toMatch(/gzip member 1 at 0x0/);
    const badSize = good.slice(); badSize[good.length - 1] ^= 0x80;
    expect(await openErr(badSize)).toMatchObject({ kind: 'corrupt', code: 'gzip.isize' });
  });
  it('a wrong header CRC16, reserved flags, another method', async () => {
    const m = new Uint8Array(member(raw, { name: 'a', hcrc: true }));
    m[12] ^= 1;
    expect(await openErr(m)).toMatchObject({ code: 'gzip.header-crc' });
    const flags = good.slice(); flags[3] |= 0x20;
    expect(await openErr(flags)).toMatchObject({ code: 'gzip.flags' });
    const method = good.slice(); method[2] = 7;
    expect(await openErr(method)).toMatchObject({ code: 'gzip.method' });
  });
  it('the CRC-32 skips zero runs by its GF(2) shift, and still sees one stray byte in them', async () => {
    // zero runs around the 4 KiB blocks the CRC skips: shorter, equal, longer, unaligned, long
    const r = rand(3);
    const parts: Uint8Array[] = [];
    for (const zeros of [1, 4095, 4096, 4097, 12289, 1 << 20, 70000, 8192]) {
      parts.push(Uint8Array.from({ length: 1 + (r() % 5000) }, () => r() & 0xff), new Uint8Array(zeros));
    }
    const data = new Uint8Array(Buffer.concat(parts));
    const s = await eng.open([new Uint8Array(zlib.gzipSync(data))]);
    expect(s.inspect()?.virtualSize, JSON.stringify(s.lastError())).toBe(data.length);
    // one byte set inside a zero run, at a block's last byte and at an odd place; the
    // trailer keeps the CRC-32 of the unaltered data
    const start = (i: number) => parts.slice(0, i).reduce((a, p) => a + p.length, 0);
    for (const at of [start(5) + 4095, start(11) + 1234, start(13) + 5]) {
      expect(data[at]).toBe(0);
      const bad = data.slice(); bad[at] = 1;
      const gz = new Uint8Array(zlib.gzipSync(bad));
      new DataView(gz.buffer).setUint32(gz.length - 8, zlib.crc32(data), true);
      expect(await openErr(gz)).toMatchObject({ code: 'gzip.crc' });
    }
  });
  it('trailing garbage after the last member', async () => {
    expect(await openErr(new Uint8Array(Buffer.concat([good, Buffer.from('not gzip at all')])))).toMatchObject({ code: 'gzip.trailing-garbage' });
  });
  it('bit flips in the compressed data: an inflate or CRC error, never a trap (60 variants)', async () => {
    const r = rand(7);
    for (let k = 0; k < 60; k++) {
      const b = good.slice();
      const bit = 80 + (r() % ((b.length - 18) * 8));
      b[bit >> 3] ^= 1 << (bit & 7);
      const s = await eng.open([b]);
      const img = s.inspect();
      if (img === null) expect(s.lastError()!.code).toMatch(/^(inflate|gzip)\./);
      else expect(img.virtualSize).toBe(raw.length); // a flip in an unused bit of the last byte
    }
  });
  it('an xz or zstd header without a stream is named; bzip2 is named as not supported yet', async () => {
    const x = new Uint8Array(4096); x.set([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0]);
    expect((await openErr(x)).code).toMatch(/^xz\./);
    const z = new Uint8Array(4096); z.set([0x28, 0xb5, 0x2f, 0xfd]);
    expect((await openErr(z)).code).toMatch(/^zstd\./);
    for (const [magic, name] of [[[0x42, 0x5a, 0x68, 0x39], 'bzip2']] as const) {
      const b = new Uint8Array(4096); b.set(magic);
      const e = await openErr(b);
      expect(e).toMatchObject({ kind: 'unsupported', code: 'compressed.unsupported' });
      expect(e.message).toContain(name);
    }
  });
});
