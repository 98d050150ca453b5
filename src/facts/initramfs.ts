// SPDX-License-Identifier: Apache-2.0
// What an initramfs holds, read as the kernel unpacks it (init/initramfs.c):
// one or more cpio archives back to back — typically an uncompressed early
// microcode archive first, then the compressed main one — with NUL padding
// between them. Each part may be compressed (see decompress.ts). The result is
// the member paths and the kernel modules among them. It is read as it
// streams: the file in chunks, each part decoded in pieces, cpio headers
// parsed as the output flows and member data passed over (CpioStream), so
// what one reading holds is a chunk of the file, a decoder's window and a
// piece of its output, not the file and its contents whole.

import type { GuestView } from '../rules/guest-view';
import { type CpioListing, CpioError, CpioStream, isCpioAt } from './cpio';
import { type Codec, DecompressError, decompressTo, detectCodec } from './decompress';
import { type ByteSource, ChunkCursor, bufferSource } from './byte-source';

/** The most we decompress for one initramfs: real ones are 10–150 MB. */
export const MAX_INITRAMFS_OUTPUT = 1 << 30;
/** The most we read of the initramfs file itself. */
export const MAX_INITRAMFS_FILE = 512 << 20;
const MAX_PARTS = 64;

export interface InitramfsPart {
  offset: number;
  codec: Codec | 'none';
  members: number;
}

export interface Initramfs {
  path: string;
  size: number;
  parts: InitramfsPart[];
  /** every member path, without a leading "/" ("usr/lib/modules/6.1.0/kernel/drivers/block/virtio_blk.ko") */
  paths: Set<string>;
  /** module name as modprobe names it ("-" → "_") → member path */
  modules: Map<string, string>;
  /** why the rest could not be read; what was read before it is still listed */
  error?: { code: string; message: string };
  /** remarks (e.g. data after a compressed part that was not examined) */
  notes: string[];
  /** milliseconds spent decoding and listing */
  ms: number;
  /** milliseconds the GuestView.readBytes of the file's chunks took (0 when given bytes) */
  readMs: number;
}

const MODULE_RE = /(?:^|\/)([^/]+)\.ko(?:\.(?:xz|zst|gz))?$/;

/** "nvme-core" and "nvme_core" are one module to modprobe. */
export function moduleName(fileName: string): string {
  return fileName.replace(/-/g, '_');
}

/** Module name of a path ending in .ko/.ko.xz/.ko.zst/.ko.gz, or null. */
export function moduleOfPath(path: string): string | null {
  const m = MODULE_RE.exec(path);
  return m ? moduleName(m[1]) : null;
}

function addArchive(out: Initramfs, a: CpioListing, codec: Codec | 'none', offset: number): void {
  for (const name of a.names) {
    out.paths.add(name);
    const m = moduleOfPath(name);
    if (m !== null && !out.modules.has(m)) out.modules.set(m, name);
  }
  out.parts.push({ offset, codec, members: a.names.length });
  if (out.parts.length > MAX_PARTS) throw new CpioError('cpio.parts.limit', `the initramfs has more than ${MAX_PARTS} archives`);
}

/** Test hooks: the read chunk, and what a reading held at most. */
export interface ReadOptions {
  chunk?: number;
  /** told the largest read of the file and the largest piece of decompressed output handed to the lister */
  onBounds?(largestRead: number, largestOutput: number): void;
}

/**
 * Lists an uncompressed archive of the file at `off`, reading its headers and
 * passing over member data unread. Returns where it ended.
 */
function listPlain(out: Initramfs, c: ChunkCursor, off: number): number {
  let end = off;
  const s = new CpioStream((a) => { end = a.end; addArchive(out, a, 'none', off); }, off);
  while (!s.done) {
    const skip = Math.min(s.skippable(), c.size - s.pos);
    if (skip > 0) { s.skip(skip); continue; }
    const piece = c.chunkAt(s.pos);
    if (piece.length === 0) { s.finish(); break; }
    s.push(piece);
  }
  return end;
}

/**
 * Lists the archives a compressed part decompresses to, as the output flows
 * (nothing of it is kept but member names). As when the part was decoded
 * whole first: a decoder error leaves none of the part's archives listed, and
 * one the listing meets is named after the decoder has finished without one.
 */
async function listCompressed(out: Initramfs, c: ChunkCursor, off: number, codec: Codec, budget: number, largest: { n: number }): Promise<{ total: number; end: number | null }> {
  const done: CpioListing[] = [];
  const s = new CpioStream((a) => done.push(a), 0, true, `the ${codec} part at offset ${off}`);
  let listError: unknown = null;
  const r = await decompressTo(codec, c, off, budget, (chunk) => {
    if (chunk.length > largest.n) largest.n = chunk.length;
    if (listError !== null) return;
    try { s.push(chunk); } catch (e) { listError = e; }
  });
  if (listError === null) {
    try { s.finish(); } catch (e) { listError = e; }
  }
  for (const a of done) addArchive(out, a, codec, off);
  if (listError !== null) throw listError;
  return r;
}

/** Reads an initramfs from a source, a chunk at a time. Needs initDecoders() first for zstd. */
export async function readInitramfsFrom(src: ByteSource, path = '', opts: ReadOptions = {}): Promise<Initramfs> {
  const t0 = performance.now();
  const c = new ChunkCursor(src, opts.chunk);
  const out: Initramfs = { path, size: src.size, parts: [], paths: new Set(), modules: new Map(), notes: [], ms: 0, readMs: 0 };
  const largest = { n: 0 };
  let budget = MAX_INITRAMFS_OUTPUT;
  let off = 0;
  try {
    while (off < c.size) {
      // NUL padding between parts
      for (let piece = c.chunkAt(off); piece.length > 0; piece = c.chunkAt(off)) {
        let i = 0;
        while (i < piece.length && piece[i] === 0) i++;
        off += i;
        if (i < piece.length) break;
      }
      if (off >= c.size) break;
      const head = c.peek(off, 6);
      if (isCpioAt(head, 0)) {
        off = listPlain(out, c, off);
        continue;
      }
      const codec = detectCodec(head, 0);
      if (codec === null) {
        throw new DecompressError('initramfs.unknown', `the data at offset ${off} of ${path || 'the initramfs'} is neither a cpio archive nor a compression the kernel knows`);
      }
      const d = await listCompressed(out, c, off, codec, budget, largest);
      budget -= d.total;
      if (d.end === null) {
        // gzip, xz, bzip2 and lzma decoders do not say where their data ended;
        // the compressed part is the last one in every layout dracut and
        // initramfs-tools write
        out.notes.push(`the ${codec} part at offset ${off} is taken to be the last part`);
        break;
      }
      off = d.end;
    }
  } catch (e) {
    if (!(e instanceof CpioError) && !(e instanceof DecompressError)) throw e;
    out.error = { code: e.code, message: e.message };
  }
  opts.onBounds?.(c.largestRead, largest.n);
  out.ms = Math.round(performance.now() - t0);
  return out;
}

/** Reads an initramfs image already in memory. Needs initDecoders() first for zstd. */
export async function readInitramfs(b: Uint8Array, path = '', opts: ReadOptions = {}): Promise<Initramfs> {
  return readInitramfsFrom(bufferSource(b), path, opts);
}

/** Reads the initramfs at a guest path, a chunk at a time; null when the file is absent. */
export async function readGuestInitramfs(g: GuestView, path: string, opts: ReadOptions = {}): Promise<Initramfs | null> {
  const st = g.stat(path);
  if (st === null || st.kind !== 'file') return null;
  if (st.size > MAX_INITRAMFS_FILE) {
    return { path, size: st.size, parts: [], paths: new Set(), modules: new Map(), notes: [], ms: 0, readMs: 0,
      error: { code: 'initramfs.too-large', message: `${path} is ${st.size} bytes, more than the ${MAX_INITRAMFS_FILE} bytes guestcheck reads` } };
  }
  let readMs = 0, first = true, absent = false;
  const src: ByteSource = {
    size: st.size,
    read(offset, length) {
      const t = performance.now();
      const b = g.readBytes(path, offset, length);
      readMs += performance.now() - t;
      if (b === null && first) absent = true;
      first = false;
      return b;
    },
  };
  const r = await readInitramfsFrom(src, path, opts);
  if (absent) return null;
  return { ...r, ms: Math.max(0, r.ms - Math.round(readMs)), readMs: Math.round(readMs) };
}
