// SPDX-License-Identifier: Apache-2.0
// The compressions the kernel accepts for an initramfs part (init/initramfs.c
// via lib/decompress.c), told apart by their magic, and decoded by well-kept
// npm decoders:
//   zstd  zstddec (Emscripten build of the reference libzstd; ~700 MB/s here,
//         close to the zstd CLI, where the pure-JS fzstd gives 100–175 MB/s)
//   gzip  fflate            xz  xz-decompress (xz-embedded in WebAssembly)
//   bzip2 compressjs        lzma (.lzma "alone") LZMA-JS
//   lz4   lz4js's block decoder; the kernel's *legacy* frame around it
//         (magic 0x184C2102, then u32 block sizes) is read here because no
//         npm decoder reads that frame.
// Every decoder's output is bounded as it grows (zstd, xz, lz4, gzip fed to
// fflate's streaming inflate in small pieces, bzip2 through a counting output
// stream), by the caller's limit and by a ratio: past RATIO_FLOOR bytes, more
// than MAX_RATIO bytes out per byte in is a decompression bomb, not an
// initramfs. LZMA-JS decodes in one call: an .lzma header that declares its
// size is checked before decoding; one that does not ("unknown", as a pipe
// writes it) is checked after, so only that rare format is bounded late.
// LZO (lzop) has no maintained JS decoder and is reported as not supported.
// compressjs and LZMA-JS are old CommonJS/AMD code that a browser bundle can
// only load with Node shims; no initramfs tool writes bzip2 or lzma by default,
// so they are loaded on first use, and a build where they cannot load says so.

/// <reference path="../types/decoders.d.ts" />
import { Inflate } from 'fflate';
import { ZSTDDecoder } from 'zstddec/stream';
// CommonJS packages: their default export is module.exports in Node and in bundles alike
import xzDecompress from 'xz-decompress';
import lz4js from 'lz4js';

export type Codec = 'gzip' | 'xz' | 'zstd' | 'lz4' | 'bzip2' | 'lzma' | 'lzo';

export class DecompressError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

const ZSTD_MAGIC = 0xfd2fb528;
const LZ4_LEGACY_MAGIC = 0x184c2102;
/** lz4 legacy blocks hold at most 8 MiB of output (LZ4_DEFAULT_UNCOMPRESSED_CHUNK_SIZE) */
const LZ4_LEGACY_BLOCK = 8 << 20;

const u32le = (b: Uint8Array, o: number) => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;

/** The codec whose magic starts at `off`, as lib/decompress.c's table matches them. */
export function detectCodec(b: Uint8Array, off: number): Codec | null {
  if (off + 4 > b.length) return null;
  const b0 = b[off], b1 = b[off + 1];
  if (b0 === 0x1f && (b1 === 0x8b || b1 === 0x9e)) return 'gzip';
  if (b0 === 0xfd && b1 === 0x37 && b[off + 2] === 0x7a && b[off + 3] === 0x58) return 'xz';
  if (u32le(b, off) === ZSTD_MAGIC) return 'zstd';
  if (u32le(b, off) === LZ4_LEGACY_MAGIC) return 'lz4';
  if (b0 === 0x42 && b1 === 0x5a && b[off + 2] === 0x68) return 'bzip2';
  if (b0 === 0x5d && b1 === 0x00 && b[off + 2] === 0x00) return 'lzma';
  if (b0 === 0x89 && b1 === 0x4c && b[off + 2] === 0x5a && b[off + 3] === 0x4f) return 'lzo';
  return null;
}

let zstd: ZSTDDecoder | null = null;

/** Loads the WebAssembly decoders once; the decoders below need it first. */
export async function initDecoders(): Promise<void> {
  if (zstd) return;
  const d = new ZSTDDecoder();
  await d.init();
  zstd = d;
}

/**
 * The end of the zstd frames starting at `off` (RFC 8878 §3.1): frame headers
 * and block headers give every size, so the compressed part's end is known
 * without decoding, and a later archive can follow it.
 */
export function zstdFramesEnd(b: Uint8Array, off: number): number {
  return zstdFrames(b, off).end;
}

/**
 * The frames' end, and the sum of the content sizes their headers declare
 * (-1 when a frame does not declare one: a stream written through a pipe).
 */
function zstdFrames(b: Uint8Array, off: number): { end: number; declared: number } {
  let p = off, declared = 0;
  while (p + 4 <= b.length) {
    const magic = u32le(b, p);
    if ((magic & 0xfffffff0) === 0x184d2a50) { // skippable frame
      if (p + 8 > b.length) break;
      p += 8 + u32le(b, p + 4);
      continue;
    }
    if (magic !== ZSTD_MAGIC) break;
    const at = p;
    if (p + 5 > b.length) throw new DecompressError('zstd.truncated', `zstd frame at offset ${at} is truncated`);
    const fhd = b[p + 4];
    const fcsFlag = fhd >> 6, single = (fhd >> 5) & 1, checksum = (fhd >> 2) & 1, dictFlag = fhd & 3;
    if (fhd & 0x08) throw new DecompressError('zstd.frame.reserved', `zstd frame at offset ${at} sets the reserved header bit`);
    const fcsAt = p + 5 + (single ? 0 : 1) + [0, 1, 2, 4][dictFlag];
    const fcsSize = [single ? 1 : 0, 2, 4, 8][fcsFlag];
    if (fcsAt + fcsSize > b.length) throw new DecompressError('zstd.truncated', `zstd frame at offset ${at} is truncated in its header`);
    if (fcsSize === 0) declared = -1;
    else if (declared >= 0) {
      let v = 0;
      for (let i = fcsSize - 1; i >= 0; i--) v = v * 256 + b[fcsAt + i];
      declared += fcsSize === 2 ? v + 256 : v;
    }
    p = fcsAt + fcsSize;
    for (;;) {
      if (p + 3 > b.length) throw new DecompressError('zstd.truncated', `zstd frame at offset ${at} is truncated at offset ${p}`);
      const bh = b[p] | (b[p + 1] << 8) | (b[p + 2] << 16);
      const last = bh & 1, type = (bh >> 1) & 3, size = bh >>> 3;
      if (type === 3) throw new DecompressError('zstd.block.reserved', `zstd block at offset ${p} has the reserved block type`);
      p += 3 + (type === 1 ? 1 : size);
      if (last) break;
    }
    p += checksum ? 4 : 0;
    if (p > b.length) throw new DecompressError('zstd.truncated', `zstd frame at offset ${at} runs past the end of the data (${b.length})`);
  }
  return { end: Math.min(p, b.length), declared };
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** Output up to this many bytes is allowed whatever the ratio (3cpio's bigdata.cpio: 102.5 MB from 4.8 KB). */
export const RATIO_FLOOR = 256 << 20;
/** Past the floor, at most this many output bytes per input byte (real initramfs parts: under 10). */
export const MAX_RATIO = 100;

/** The output limit of `inputBytes` of compressed data under the caller's `max`; `ratio` says which bound it is. */
function outputLimit(inputBytes: number, max: number): { max: number; ratio: boolean } {
  const byRatio = Math.max(RATIO_FLOOR, inputBytes * MAX_RATIO);
  return byRatio < max ? { max: byRatio, ratio: true } : { max, ratio: false };
}

let limitIsRatio = false;
let limitInput = 0;

function tooBig(codec: Codec, max: number): DecompressError {
  if (limitIsRatio) {
    return new DecompressError(`${codec}.ratio`, `the ${codec} data expands past ${max} bytes from ${limitInput} bytes, more than ${MAX_RATIO} times its size: a decompression bomb, not an initramfs`);
  }
  return new DecompressError(`${codec}.too-large`, `the ${codec} data decompresses to more than ${max} bytes`);
}

/** Where a gzip member's deflate data starts (RFC 1952 §2.3: the fixed header, then FEXTRA, FNAME, FCOMMENT, FHCRC). */
function gzipDataStart(b: Uint8Array): number {
  const bad = (why: string) => new DecompressError('gzip.header', `the gzip header ${why}`);
  if (b.length < 10) throw bad(`is cut short (${b.length} bytes)`);
  if (b[0] !== 0x1f || b[1] !== 0x8b || b[2] !== 8) throw bad('is not a deflate gzip member (magic 1f 8b, method 8)');
  const flags = b[3];
  let p = 10;
  if (flags & 4) {
    if (p + 2 > b.length) throw bad('is cut short in its extra field');
    p += 2 + (b[p] | (b[p + 1] << 8));
  }
  for (const bit of [8, 16]) {
    if (!(flags & bit)) continue;
    while (p < b.length && b[p] !== 0) p++;
    if (p >= b.length) throw bad(`${bit === 8 ? 'file name' : 'comment'} has no terminating NUL`);
    p++;
  }
  if (flags & 2) p += 2;
  if (p >= b.length) throw bad('is not followed by any data');
  return p;
}

/**
 * gzip through fflate's streaming inflate, fed in pieces so that a bomb stops
 * at `max` with only `max` bytes held; the raw inflate ends at the member's
 * final block (what follows — its trailer, NUL padding — is not examined) and
 * names a stream cut short ("unexpected EOF").
 */
function gzipDecode(data: Uint8Array, max: number): Uint8Array {
  const start = gzipDataStart(data);
  const parts: Uint8Array[] = [];
  let total = 0, done = false;
  const z = new Inflate((chunk, final) => {
    total += chunk.length;
    if (total > max) throw tooBig('gzip', max);
    parts.push(chunk);
    if (final) done = true;
  });
  // 64 KiB in makes at most ~64 MiB out (deflate expands at most 1032 times)
  const PIECE = 64 << 10;
  for (let p = start; p < data.length && !done; p += PIECE) z.push(data.subarray(p, p + PIECE), p + PIECE >= data.length);
  return concat(parts, total);
}

/** bzip2 through compressjs with an output stream that counts, so a bomb stops at `max`. */
function bzip2Decode(decode: (input: Uint8Array, output: unknown, multistream: boolean) => unknown, data: Uint8Array, max: number): Uint8Array {
  let buf = new Uint8Array(1 << 20);
  let n = 0;
  const out = {
    writeByte(b: number) {
      if (n === buf.length) {
        if (n >= max) throw tooBig('bzip2', max);
        const grown = new Uint8Array(Math.min(max, n * 2));
        grown.set(buf);
        buf = grown;
      }
      buf[n++] = b;
    },
  };
  decode(data, out, false);
  return buf.subarray(0, n);
}

/** The uncompressed size an .lzma ("alone") header declares at offset 5, or -1 when it says "unknown". */
function lzmaDeclaredSize(b: Uint8Array): number {
  if (b.length < 13) return -1;
  let unknown = true;
  for (let i = 5; i < 13; i++) if (b[i] !== 0xff) unknown = false;
  if (unknown) return -1;
  let v = 0;
  for (let i = 12; i >= 5; i--) v = v * 256 + b[i];
  return v;
}

function zstdDecode(data: Uint8Array, max: number, declared: number): Uint8Array {
  if (!zstd) throw new DecompressError('zstd.not-initialised', 'the zstd decoder was not loaded (initDecoders)');
  if (declared > max) throw tooBig('zstd', max);
  if (declared > 0) {
    // The headers give the size (mkinitramfs and dracut write it): one call
    // into one buffer, without the stream's 128 KiB pieces and their
    // concatenation, which cost a third of the decode. A result of any other
    // length is an error zstddec does not surface otherwise.
    const out = zstd.decode(data, declared);
    if (out.length !== declared) throw new DecompressError('zstd.corrupt', `the zstd data is corrupt: it decodes to ${out.length} bytes, not the ${declared} its frame headers declare`);
    return out;
  }
  const parts: Uint8Array[] = [];
  let total = 0, idle = 0;
  // zstddec's stream loop does not surface ZSTD_isError: on corrupt data the
  // input position stops moving and it yields empty chunks for ever, so a run
  // of empty chunks is taken as the error it is.
  for (const chunk of zstd.decodeStreaming([data])) {
    if (chunk.length === 0) {
      if (++idle > 64) throw new DecompressError('zstd.corrupt', 'the zstd data is corrupt (the decoder makes no progress)');
      continue;
    }
    idle = 0;
    total += chunk.length;
    if (total > max) throw tooBig('zstd', max);
    parts.push(chunk);
  }
  return concat(parts, total);
}

function lz4LegacyDecode(b: Uint8Array, max: number): { data: Uint8Array; end: number } {
  const parts: Uint8Array[] = [];
  let p = 4, total = 0;
  while (p + 4 <= b.length) {
    const size = u32le(b, p);
    // the kernel's unlz4 stops at the next archive's magic or at a zero size
    if (size === LZ4_LEGACY_MAGIC) { p += 4; continue; }
    if (size === 0) break;
    if (p + 4 + size > b.length) {
      // what follows the last block may be the next archive's cpio header or padding
      if (parts.length > 0) break;
      throw new DecompressError('lz4.truncated', `lz4 block at offset ${p} (${size} bytes) runs past the end of the data (${b.length})`);
    }
    const out = new Uint8Array(LZ4_LEGACY_BLOCK);
    let n: number;
    try {
      n = lz4js.decompressBlock(b, out, p + 4, size, 0);
    } catch (e) {
      throw new DecompressError('lz4.corrupt', `lz4 block at offset ${p} is corrupt: ${(e as Error).message}`);
    }
    if (n < 0 || n > LZ4_LEGACY_BLOCK) throw new DecompressError('lz4.corrupt', `lz4 block at offset ${p} is corrupt`);
    total += n;
    if (total > max) throw tooBig('lz4', max);
    parts.push(out.subarray(0, n));
    p += 4 + size;
    // a short block is the last one
    if (n < LZ4_LEGACY_BLOCK) break;
  }
  return { data: concat(parts, total), end: p };
}

async function xzDecode(data: Uint8Array, max: number): Promise<Uint8Array> {
  const input = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(data); c.close(); } });
  const reader = (new xzDecompress.XzReadableStream(input) as ReadableStream<Uint8Array>).getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > max) { await reader.cancel(); throw tooBig('xz', max); }
      parts.push(value);
    }
  } catch (e) {
    if (e instanceof DecompressError) throw e;
    throw new DecompressError('xz.corrupt', `the xz data could not be decoded: ${(e as Error).message}`);
  }
  return concat(parts, total);
}

async function lazy<T>(codec: Codec, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    throw new DecompressError(`${codec}.unavailable`, `the ${codec} decoder cannot be loaded in this environment: ${(e as Error).message}`);
  }
}

export interface Decompressed {
  data: Uint8Array;
  /** where the compressed data ended in the input, when the format says so */
  end: number | null;
}

/** Decompresses `codec` data at `b[off..]`, refusing more than `max` bytes of output. */
export async function decompress(codec: Codec, b: Uint8Array, off: number, maxOut: number): Promise<Decompressed> {
  const input = b.subarray(off);
  const lim = outputLimit(input.length, maxOut);
  const max = lim.max;
  limitIsRatio = lim.ratio;
  limitInput = input.length;
  try {
    switch (codec) {
      case 'zstd': {
        const { end, declared } = zstdFrames(b, off);
        return { data: zstdDecode(b.subarray(off, end), max, declared), end };
      }
      case 'gzip':
        return { data: gzipDecode(input, max), end: null };
      case 'xz':
        return { data: await xzDecode(input, max), end: null };
      case 'lz4': {
        const r = lz4LegacyDecode(input, max);
        return { data: r.data, end: off + r.end };
      }
      case 'bzip2': {
        const Bzip2 = (await lazy('bzip2', () => import('compressjs/lib/Bzip2.js'))).default;
        return { data: bzip2Decode(Bzip2.decompressFile, input, max), end: null };
      }
      case 'lzma': {
        const declared = lzmaDeclaredSize(input);
        if (declared > max) throw tooBig('lzma', max);
        const lzmaJs = (await lazy('lzma', () => import('lzma/src/lzma-d.js'))).default.LZMA;
        const out = lzmaJs.decompress(input) as number[] | string;
        const data = typeof out === 'string' ? new TextEncoder().encode(out) : Uint8Array.from(out, (x) => x & 0xff);
        if (data.length > max) throw tooBig('lzma', max);
        return { data, end: null };
      }
      case 'lzo':
        throw new DecompressError('lzo.unsupported', 'LZO-compressed (lzop) initramfs parts are not supported');
    }
  } catch (e) {
    if (e instanceof DecompressError) throw e;
    throw new DecompressError(`${codec}.corrupt`, `the ${codec} data at offset ${off} could not be decoded: ${(e as Error).message}`);
  }
}
