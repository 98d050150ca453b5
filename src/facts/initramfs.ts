// SPDX-License-Identifier: Apache-2.0
// What an initramfs holds, read as the kernel unpacks it (init/initramfs.c):
// one or more cpio archives back to back — typically an uncompressed early
// microcode archive first, then the compressed main one — with NUL padding
// between them. Each part may be compressed (see decompress.ts). The result is
// the member paths and the kernel modules among them.

import type { GuestView } from '../rules/guest-view';
import { type CpioArchive, CpioError, isCpioAt, parseCpio } from './cpio';
import { type Codec, DecompressError, decompress, detectCodec } from './decompress';

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
  /** milliseconds the one GuestView.readBytes of the whole file took (0 when given bytes) */
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

function addArchive(out: Initramfs, a: CpioArchive, codec: Codec | 'none', offset: number): void {
  for (const e of a.entries) {
    out.paths.add(e.name);
    const m = moduleOfPath(e.name);
    if (m !== null && !out.modules.has(m)) out.modules.set(m, e.name);
  }
  out.parts.push({ offset, codec, members: a.entries.length });
  if (out.parts.length > MAX_PARTS) throw new CpioError('cpio.parts.limit', `the initramfs has more than ${MAX_PARTS} archives`);
}

function addDecompressed(out: Initramfs, b: Uint8Array, codec: Codec, base: number): void {
  // a decompressed part may itself hold several archives, padded with NULs
  let off = 0;
  while (off < b.length) {
    while (off < b.length && b[off] === 0) off++;
    if (off >= b.length) break;
    if (!isCpioAt(b, off)) throw new CpioError('cpio.header.magic', `the ${codec} part at offset ${base} holds data that is not a cpio archive at offset ${off} of its output`);
    const a = parseCpio(b, off);
    addArchive(out, a, codec, base);
    off = a.end;
  }
}

/** Reads an initramfs image already in memory. Needs initDecoders() first for zstd. */
export async function readInitramfs(b: Uint8Array, path = ''): Promise<Initramfs> {
  const t0 = performance.now();
  const out: Initramfs = { path, size: b.length, parts: [], paths: new Set(), modules: new Map(), notes: [], ms: 0, readMs: 0 };
  let budget = MAX_INITRAMFS_OUTPUT;
  let off = 0;
  try {
    while (off < b.length) {
      while (off < b.length && b[off] === 0) off++;
      if (off >= b.length) break;
      if (isCpioAt(b, off)) {
        const a = parseCpio(b, off);
        addArchive(out, a, 'none', off);
        off = a.end;
        continue;
      }
      const codec = detectCodec(b, off);
      if (codec === null) {
        throw new DecompressError('initramfs.unknown', `the data at offset ${off} of ${path || 'the initramfs'} is neither a cpio archive nor a compression the kernel knows`);
      }
      const d = await decompress(codec, b, off, budget);
      budget -= d.data.length;
      addDecompressed(out, d.data, codec, off);
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
  out.ms = Math.round(performance.now() - t0);
  return out;
}

/** Reads the initramfs at a guest path; null when the file is absent. */
export async function readGuestInitramfs(g: GuestView, path: string): Promise<Initramfs | null> {
  const st = g.stat(path);
  if (st === null || st.kind !== 'file') return null;
  if (st.size > MAX_INITRAMFS_FILE) {
    return { path, size: st.size, parts: [], paths: new Set(), modules: new Map(), notes: [], ms: 0, readMs: 0,
      error: { code: 'initramfs.too-large', message: `${path} is ${st.size} bytes, more than the ${MAX_INITRAMFS_FILE} bytes guestcheck reads` } };
  }
  const t0 = performance.now();
  const b = g.readBytes(path, 0, st.size);
  const readMs = Math.round(performance.now() - t0);
  if (b === null) return null;
  return { ...(await readInitramfs(b, path)), readMs };
}
