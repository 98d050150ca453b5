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
// The decoders stream: input is taken from a ChunkCursor a chunk at a time and
// output handed to a sink in pieces (decompressTo), so a 50 MB initramfs is
// never held whole; only the rare bzip2 and lzma take their input whole, and
// lzma gives its output whole.
// compressjs and LZMA-JS are old CommonJS/AMD code that a browser bundle can
// only load with Node shims; no initramfs tool writes bzip2 or lzma by default,
// so they are loaded on first use, and a build where they cannot load says so.

/// <reference path="../types/decoders.d.ts" />
import { Inflate } from 'fflate';
import { ZSTDDecoder } from 'zstddec/stream';
// CommonJS packages: their default export is module.exports in Node and in bundles alike
import xzDecompress from 'xz-decompress';
import lz4js from 'lz4js';
import { ChunkCursor, bufferSource } from './byte-source';

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

/** The exports of zstddec's libzstd build that a stream decode needs (zstddec's own types name them). */
interface ZstdWasm {
  memory: WebAssembly.Memory;
  malloc(n: number): number;
  free(p: number): void;
  ZSTD_createDCtx(): number;
  ZSTD_freeDCtx(dctx: number): number;
  ZSTD_decompressStream(dctx: number, output: number, input: number): number;
}
let zstdWasm: ZstdWasm | null = null;
/** test hook: decode through zstddec's own stream generator instead */
let zstdDirect = true;
export function useZstdDirect(on: boolean): void { zstdDirect = on; }
/** Whether zstd parts decode through libzstd directly (initDecoders saw zstddec's instance). */
export function zstdDecodesDirectly(): boolean { return zstdWasm !== null && zstdDirect; }

/**
 * Loads the WebAssembly decoders once; the decoders below need it first.
 * zstddec's stream generator copies each 128 KiB of output into a new array
 * (heap.slice): 50 MB of initramfs made 50 MB of garbage that the collector
 * let pile up to ~60 MB of RSS. Its instance is not exported, but init()
 * hands the instantiated module to the decoder's `_init` (public in its
 * typings), so this decoder's own `_init` keeps the libzstd exports and the
 * stream is driven directly, the output read in place.
 */
export async function initDecoders(): Promise<void> {
  if (zstd) return;
  const d = new ZSTDDecoder();
  let seen: ZstdWasm | null = null;
  const init = d._init;
  d._init = (result: WebAssembly.WebAssemblyInstantiatedSource) => {
    const x = result.instance.exports as Partial<ZstdWasm>;
    if (typeof x.ZSTD_decompressStream === 'function' && typeof x.malloc === 'function' && x.memory instanceof WebAssembly.Memory) seen = x as ZstdWasm;
    init.call(d, result);
  };
  await d.init();
  zstd = d;
  // another zstddec user in this realm may have initialised it first: then the generator serves
  zstdWasm = seen;
}

/**
 * Walks zstd frames (RFC 8878 §3.1) from `off` by their headers alone: frame
 * and block headers give every size, so the compressed part's end is known
 * without decoding, and a later archive can follow it. It runs ahead of the
 * decoder a block at a time (advance), so the input is read once.
 */
class ZstdFrameWalk {
  /** where the walk is: the next frame or block header */
  p: number;
  /** the frames' end, once reached (-1 before) */
  end = -1;
  /** the sum of the content sizes the frame headers declare (-1 when one does not: a stream written through a pipe) */
  declared = 0;
  private inFrame = false;
  private frameAt = 0;
  private checksum = false;

  constructor(private c: ChunkCursor, off: number) {
    this.p = off;
  }

  /** Walks on until past `target` or the end (found as soon as nothing more fits before the data's end). */
  advance(target: number): void {
    while (this.end < 0 && (this.p < target || this.p + 4 > this.c.size)) this.step();
  }

  private step(): void {
    const c = this.c, size = c.size;
    let p = this.p;
    if (this.inFrame) {
      const at = this.frameAt;
      if (p + 3 > size) throw new DecompressError('zstd.truncated', `zstd frame at offset ${at} is truncated at offset ${p}`);
      const h = c.peek(p, 3);
      const bh = h[0] | (h[1] << 8) | (h[2] << 16);
      const last = bh & 1, type = (bh >> 1) & 3, bsize = bh >>> 3;
      if (type === 3) throw new DecompressError('zstd.block.reserved', `zstd block at offset ${p} has the reserved block type`);
      p += 3 + (type === 1 ? 1 : bsize);
      if (last) {
        p += this.checksum ? 4 : 0;
        if (p > size) throw new DecompressError('zstd.truncated', `zstd frame at offset ${at} runs past the end of the data (${size})`);
        this.inFrame = false;
      }
      this.p = p;
      return;
    }
    if (p + 4 > size) { this.end = Math.min(p, size); return; }
    const magic = u32le(c.peek(p, 4), 0);
    if ((magic & 0xfffffff0) === 0x184d2a50) { // skippable frame
      if (p + 8 > size) { this.end = Math.min(p, size); return; }
      this.p = p + 8 + u32le(c.peek(p + 4, 4), 0);
      return;
    }
    if (magic !== ZSTD_MAGIC) { this.end = Math.min(p, size); return; }
    const at = p;
    if (p + 5 > size) throw new DecompressError('zstd.truncated', `zstd frame at offset ${at} is truncated`);
    const fhd = c.byte(p + 4);
    const fcsFlag = fhd >> 6, single = (fhd >> 5) & 1, dictFlag = fhd & 3;
    if (fhd & 0x08) throw new DecompressError('zstd.frame.reserved', `zstd frame at offset ${at} sets the reserved header bit`);
    const fcsAt = p + 5 + (single ? 0 : 1) + [0, 1, 2, 4][dictFlag];
    const fcsSize = [single ? 1 : 0, 2, 4, 8][fcsFlag];
    if (fcsAt + fcsSize > size) throw new DecompressError('zstd.truncated', `zstd frame at offset ${at} is truncated in its header`);
    if (fcsSize === 0) this.declared = -1;
    else if (this.declared >= 0) {
      const f = c.peek(fcsAt, fcsSize);
      let v = 0;
      for (let i = fcsSize - 1; i >= 0; i--) v = v * 256 + f[i];
      this.declared += fcsSize === 2 ? v + 256 : v;
    }
    this.frameAt = at;
    this.checksum = ((fhd >> 2) & 1) === 1;
    this.inFrame = true;
    this.p = fcsAt + fcsSize;
  }
}

/** The end of the zstd frames starting at `off` (see ZstdFrameWalk). */
export function zstdFramesEnd(b: Uint8Array, off: number): number {
  const w = new ZstdFrameWalk(new ChunkCursor(bufferSource(b), Math.max(1, b.length)), off);
  w.advance(Infinity);
  return w.end;
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

/** Counts a decoder's output against the bound as it grows, and hands it on. */
class Output {
  total = 0;
  constructor(private codec: Codec, private max: number, private sink: (chunk: Uint8Array) => void) {}
  emit(chunk: Uint8Array): void {
    this.total += chunk.length;
    if (this.total > this.max) throw tooBig(this.codec, this.max);
    if (chunk.length > 0) this.sink(chunk);
  }
}

/** Where a gzip member's deflate data starts (RFC 1952 §2.3: the fixed header, then FEXTRA, FNAME, FCOMMENT, FHCRC). */
function gzipDataStart(c: ChunkCursor, off: number): number {
  const bad = (why: string) => new DecompressError('gzip.header', `the gzip header ${why}`);
  const len = c.size - off;
  const at = (i: number) => c.byte(off + i);
  if (len < 10) throw bad(`is cut short (${len} bytes)`);
  if (at(0) !== 0x1f || at(1) !== 0x8b || at(2) !== 8) throw bad('is not a deflate gzip member (magic 1f 8b, method 8)');
  const flags = at(3);
  let p = 10;
  if (flags & 4) {
    if (p + 2 > len) throw bad('is cut short in its extra field');
    p += 2 + (at(p) | (at(p + 1) << 8));
  }
  for (const bit of [8, 16]) {
    if (!(flags & bit)) continue;
    while (p < len && at(p) !== 0) p++;
    if (p >= len) throw bad(`${bit === 8 ? 'file name' : 'comment'} has no terminating NUL`);
    p++;
  }
  if (flags & 2) p += 2;
  if (p >= len) throw bad('is not followed by any data');
  return off + p;
}

/**
 * gzip through fflate's streaming inflate, fed in pieces so that a bomb stops
 * at `max` with only `max` bytes held; the raw inflate ends at the member's
 * final block (what follows — its trailer, NUL padding — is not examined) and
 * names a stream cut short ("unexpected EOF").
 */
function gzipDecode(c: ChunkCursor, off: number, out: Output): void {
  let done = false;
  const z = new Inflate((chunk, final) => {
    out.emit(chunk);
    if (final) done = true;
  });
  // 64 KiB in makes at most ~64 MiB out (deflate expands at most 1032 times)
  const PIECE = 64 << 10;
  for (let p = gzipDataStart(c, off); p < c.size && !done;) {
    const piece = c.chunkAt(p).subarray(0, PIECE);
    p += piece.length;
    z.push(piece, p >= c.size);
  }
}

/** bzip2 through compressjs with an output stream that counts, so a bomb stops at the bound. */
function bzip2Decode(decode: (input: Uint8Array, output: unknown, multistream: boolean) => unknown, data: Uint8Array, out: Output): void {
  const buf = new Uint8Array(64 << 10);
  let n = 0;
  const stream = {
    writeByte(b: number) {
      if (n === buf.length) { out.emit(buf); n = 0; }
      buf[n++] = b;
    },
  };
  decode(data, stream, false);
  out.emit(buf.subarray(0, n));
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

/** Output buffer of the direct stream decode: one emit per MiB. */
const ZSTD_OUT = 1 << 20;

/**
 * ZSTD_decompressStream over the pieces (zstd's streaming_decompression.c),
 * each piece copied into the decoder's memory and the output handed on as a
 * view of it; everything it allocates is freed on every way out. A negative
 * return is a libzstd error code (size_t in wasm32): the decoder stops there,
 * as the generator's stall did, and is named as that was.
 */
function zstdStream(z: ZstdWasm, pieces: Iterable<Uint8Array>, out: Output): void {
  const dctx = z.ZSTD_createDCtx();
  const outPtr = z.malloc(ZSTD_OUT);
  const io = z.malloc(24); // ZSTD_inBuffer {src, size, pos} then ZSTD_outBuffer {dst, size, pos}
  let inPtr = 0, inCap = 0, ret = 0;
  try {
    if (dctx === 0 || outPtr === 0 || io === 0) throw new Error('the zstd decoder could not allocate its buffers');
    for (const piece of pieces) {
      if (piece.length > inCap) {
        if (inPtr) z.free(inPtr);
        inPtr = z.malloc(piece.length);
        inCap = piece.length;
        if (inPtr === 0) throw new Error('the zstd decoder could not allocate its input buffer');
      }
      new Uint8Array(z.memory.buffer, inPtr, piece.length).set(piece);
      let v = new DataView(z.memory.buffer);
      v.setUint32(io, inPtr, true);
      v.setUint32(io + 4, piece.length, true);
      v.setUint32(io + 8, 0, true);
      for (;;) {
        v.setUint32(io + 12, outPtr, true);
        v.setUint32(io + 16, ZSTD_OUT, true);
        v.setUint32(io + 20, 0, true);
        ret = z.ZSTD_decompressStream(dctx, io + 12, io);
        if (ret < 0) throw new DecompressError('zstd.corrupt', 'the zstd data is corrupt (the decoder makes no progress)');
        v = new DataView(z.memory.buffer); // the call may have grown the memory
        const n = v.getUint32(io + 20, true);
        if (n > 0) out.emit(new Uint8Array(z.memory.buffer, outPtr, n));
        // a full output buffer may leave more behind even when the input is used up
        if (v.getUint32(io + 8, true) >= piece.length && n < ZSTD_OUT) break;
      }
    }
  } finally {
    if (inPtr) z.free(inPtr);
    if (io) z.free(io);
    if (outPtr) z.free(outPtr);
    if (dctx) z.ZSTD_freeDCtx(dctx);
  }
  // zstddec's words for a stream that stops mid-frame
  if (ret !== 0) throw new Error('Incomplete stream, more data expected.');
}

/** A part this small whose headers declare its size decodes in one call (as it did whole). */
const ZSTD_ONE_CALL = 1 << 20;

/**
 * zstd frames through zstddec's stream decoder, the input fed a chunk at a
 * time behind the frame walk (which stops the input at the frames' end), the
 * output (128 KiB pieces) handed on as it comes: the decoder's memory is its
 * window (8 MiB at most for what mkinitramfs and dracut write) and one input
 * chunk, never the part's whole input or output. Returns the frames' end.
 */
function zstdDecode(c: ChunkCursor, off: number, out: Output, max: number): number {
  if (!zstd) throw new DecompressError('zstd.not-initialised', 'the zstd decoder was not loaded (initDecoders)');
  const dec = zstd;
  const walk = new ZstdFrameWalk(c, off);
  const firstEnd = off + c.chunkAt(off).length;
  walk.advance(firstEnd);
  if (walk.declared > max) throw tooBig('zstd', max);
  const mismatch = () => new DecompressError('zstd.corrupt', `the zstd data is corrupt: it decodes to ${out.total} bytes, not the ${walk.declared} its frame headers declare`);
  if (walk.end >= 0 && walk.declared > 0 && walk.declared <= ZSTD_ONE_CALL) {
    // small and declared: one call, and a result of any other length is an
    // error zstddec does not surface otherwise
    const data = dec.decode(c.peek(off, walk.end - off), walk.declared);
    out.emit(data);
    if (out.total !== walk.declared) throw mismatch();
    return walk.end;
  }
  function* input(): Generator<Uint8Array> {
    let p = off;
    for (;;) {
      const piece = c.chunkAt(p);
      const pieceEnd = p + piece.length;
      walk.advance(pieceEnd);
      if (walk.declared > max) throw tooBig('zstd', max);
      const stop = walk.end >= 0 ? Math.min(pieceEnd, walk.end) : pieceEnd;
      if (stop <= p) return;
      yield piece.subarray(0, stop - p);
      p = stop;
    }
  }
  if (zstdWasm !== null && zstdDirect) zstdStream(zstdWasm, input(), out);
  else {
    let idle = 0;
    // zstddec's stream loop does not surface ZSTD_isError: on corrupt data the
    // input position stops moving and it yields empty chunks for ever, so a run
    // of empty chunks is taken as the error it is.
    for (const chunk of dec.decodeStreaming(input())) {
      if (chunk.length === 0) {
        if (++idle > 64) throw new DecompressError('zstd.corrupt', 'the zstd data is corrupt (the decoder makes no progress)');
        continue;
      }
      idle = 0;
      out.emit(chunk);
    }
  }
  if (walk.declared >= 0 && out.total !== walk.declared) throw mismatch();
  return walk.end;
}

/** lz4 in the kernel's legacy frame, a block at a time through one reused 8 MiB buffer; returns its end. */
function lz4LegacyDecode(c: ChunkCursor, off: number, out: Output): number {
  const buf = new Uint8Array(LZ4_LEGACY_BLOCK);
  let p = off + 4, blocks = 0;
  const size = c.size;
  while (p + 4 <= size) {
    const bsize = u32le(c.peek(p, 4), 0);
    // the kernel's unlz4 stops at the next archive's magic or at a zero size
    if (bsize === LZ4_LEGACY_MAGIC) { p += 4; continue; }
    if (bsize === 0) break;
    if (p + 4 + bsize > size) {
      // what follows the last block may be the next archive's cpio header or padding
      if (blocks > 0) break;
      throw new DecompressError('lz4.truncated', `lz4 block at offset ${p - off} (${bsize} bytes) runs past the end of the data (${size - off})`);
    }
    let n: number;
    try {
      n = lz4js.decompressBlock(c.peek(p + 4, bsize), buf, 0, bsize, 0);
    } catch (e) {
      throw new DecompressError('lz4.corrupt', `lz4 block at offset ${p - off} is corrupt: ${(e as Error).message}`);
    }
    if (n < 0 || n > LZ4_LEGACY_BLOCK) throw new DecompressError('lz4.corrupt', `lz4 block at offset ${p - off} is corrupt`);
    out.emit(buf.subarray(0, n));
    blocks++;
    p += 4 + bsize;
    // a short block is the last one
    if (n < LZ4_LEGACY_BLOCK) break;
  }
  return p;
}

async function xzDecode(c: ChunkCursor, off: number, out: Output): Promise<void> {
  let p = off;
  const input = new ReadableStream<Uint8Array>({
    pull(ctl) {
      const piece = c.chunkAt(p);
      if (piece.length === 0) { ctl.close(); return; }
      p += piece.length;
      ctl.enqueue(piece);
    },
  }, { highWaterMark: 0 });
  const reader = (new xzDecompress.XzReadableStream(input) as ReadableStream<Uint8Array>).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      try {
        out.emit(value);
      } catch (e) {
        await reader.cancel();
        throw e;
      }
    }
  } catch (e) {
    if (e instanceof DecompressError) throw e;
    throw new DecompressError('xz.corrupt', `the xz data could not be decoded: ${(e as Error).message}`);
  }
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

/**
 * Decompresses `codec` data at `off` of the cursor's file, handing the output
 * to `sink` as it comes (in pieces the sink must not keep past the call: a
 * decoder may reuse them), refusing more than `maxOut` bytes of output.
 * Returns the output's length and where the compressed data ended, when the
 * format says so.
 */
export async function decompressTo(codec: Codec, c: ChunkCursor, off: number, maxOut: number, sink: (chunk: Uint8Array) => void): Promise<{ total: number; end: number | null }> {
  const inputBytes = c.size - off;
  const lim = outputLimit(inputBytes, maxOut);
  const max = lim.max;
  limitIsRatio = lim.ratio;
  limitInput = inputBytes;
  const out = new Output(codec, max, sink);
  try {
    switch (codec) {
      case 'zstd': {
        const end = zstdDecode(c, off, out, max);
        return { total: out.total, end };
      }
      case 'gzip':
        gzipDecode(c, off, out);
        return { total: out.total, end: null };
      case 'xz':
        await xzDecode(c, off, out);
        return { total: out.total, end: null };
      case 'lz4': {
        const end = lz4LegacyDecode(c, off, out);
        return { total: out.total, end };
      }
      case 'bzip2': {
        const Bzip2 = (await lazy('bzip2', () => import('compressjs/lib/Bzip2.js'))).default;
        // the rare codecs' decoders take their input whole
        bzip2Decode(Bzip2.decompressFile, c.peek(off, inputBytes), out);
        return { total: out.total, end: null };
      }
      case 'lzma': {
        const input = c.peek(off, inputBytes);
        const declared = lzmaDeclaredSize(input);
        if (declared > max) throw tooBig('lzma', max);
        const lzmaJs = (await lazy('lzma', () => import('lzma/src/lzma-d.js'))).default.LZMA;
        const res = lzmaJs.decompress(input) as number[] | string;
        const data = typeof res === 'string' ? new TextEncoder().encode(res) : Uint8Array.from(res, (x) => x & 0xff);
        out.emit(data);
        return { total: out.total, end: null };
      }
      case 'lzo':
        throw new DecompressError('lzo.unsupported', 'LZO-compressed (lzop) initramfs parts are not supported');
    }
  } catch (e) {
    if (e instanceof DecompressError) throw e;
    throw new DecompressError(`${codec}.corrupt`, `the ${codec} data at offset ${off} could not be decoded: ${(e as Error).message}`);
  }
}

/** Decompresses `codec` data at `b[off..]` whole, refusing more than `max` bytes of output. */
export async function decompress(codec: Codec, b: Uint8Array, off: number, maxOut: number): Promise<Decompressed> {
  const parts: Uint8Array[] = [];
  const r = await decompressTo(codec, new ChunkCursor(bufferSource(b)), off, maxOut, (chunk) => parts.push(chunk.slice()));
  return { data: concat(parts, r.total), end: r.end };
}
