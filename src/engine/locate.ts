// SPDX-License-Identifier: Apache-2.0
// Finds the disk image(s) inside an archive before the wasm inspects them:
// a zip (central directory read by @zip.js/zip.js, zip64 included) or an OVA
// (tar). Each disk member is handed to the wasm as a byte window of the real
// file — stored members read in place, deflated ones as raw deflate that the
// wasm indexes for random access (asm/codec/zran.ts) — so nothing is
// extracted or copied. Anything else passes through untouched.
import { Reader, ZipReader, configure } from '@zip.js/zip.js';
import type { FileEncoding, HostFiles } from './wasm';
import { TarError, isTar, listTar } from './tar';
import type { ArchiveInfo, ArchiveMember } from '../report/types';

export interface Located {
  files: HostFiles;
  names: string[];
  archive?: ArchiveInfo;
}

export interface LocateError {
  error: { code: string; message: string };
}

const ZIP_STORED = 0;
const ZIP_DEFLATE = 8;
const ZIP_METHODS: Record<number, string> = { 9: 'Deflate64', 12: 'bzip2', 14: 'LZMA', 93: 'Zstandard', 95: 'xz', 98: 'PPMd', 99: 'AES' };
const LOCAL_HEADER_SIGNATURE = 0x04034b50;
/** Members that describe an appliance rather than hold a disk. */
const METADATA = /\.(ovf|mf|cert|txt|md|xml|json|nfo|sha1|sha256|sum|sig|asc)$/i;
const OVF_TEXT = 64 << 10;

function readAt(files: HostFiles, id: number, offset: number, length: number): Uint8Array {
  const n = Math.max(0, Math.min(length, files.size(id) - offset));
  const b = new Uint8Array(n);
  let done = 0;
  while (done < n) {
    const got = files.read(id, offset + done, b.subarray(done));
    if (got <= 0) break;
    done += got;
  }
  return done === n ? b : b.subarray(0, done);
}

interface Window { offset: number; length: number; encoding?: FileEncoding }

/** Host files that are windows [offset, offset+length) of file `id` of `base`. */
export function windowFiles(base: HostFiles, id: number, windows: Window[]): HostFiles {
  return {
    count: windows.length,
    size: (i) => windows[i]?.length ?? 0,
    read(i, offset, dst) {
      const w = windows[i];
      if (!w || offset >= w.length) return 0;
      const n = Math.min(dst.length, w.length - offset);
      return base.read(id, w.offset + offset, n === dst.length ? dst : dst.subarray(0, n));
    },
    encoding: (i) => windows[i]?.encoding,
  };
}

class HostReader extends Reader<HostFiles> {
  constructor(private readonly files: HostFiles) {
    super(files);
    this.size = files.size(0);
  }
  async readUint8Array(index: number, length: number): Promise<Uint8Array> {
    return readAt(this.files, 0, index, length);
  }
}

/** Disk members first by size, the descriptor-looking ones (small text VMDK) before their extents. */
function orderDisks<T extends { name: string; size: number }>(members: T[]): T[] {
  const disks = members.filter((m) => !m.name.endsWith('/') && !METADATA.test(m.name) && m.size > 0);
  return disks.sort((a, b) => {
    const da = /\.vmdk$/i.test(a.name) && a.size < 64 << 10, db = /\.vmdk$/i.test(b.name) && b.size < 64 << 10;
    if (da !== db) return da ? -1 : 1;
    return b.size - a.size;
  });
}

async function locateZip(files: HostFiles, names: string[]): Promise<Located | LocateError> {
  configure({ useWebWorkers: false });
  const zip = new ZipReader(new HostReader(files));
  let entries;
  try {
    entries = await zip.getEntries();
  } catch (e) {
    return { error: { code: 'zip.directory', message: `${names[0]}: the zip central directory cannot be read (${(e as Error).message})` } };
  } finally {
    await zip.close();
  }
  const all = entries.filter((e) => !e.directory);
  const disks = orderDisks(all.map((e) => ({ e, name: e.filename, size: e.uncompressedSize })));
  if (disks.length === 0) {
    return { error: { code: 'zip.no-disk', message: `${names[0]} is a zip archive without a disk image (members: ${all.map((e) => e.filename).join(', ') || 'none'})` } };
  }
  const windows: Window[] = [];
  const info: ArchiveMember[] = [];
  for (const { e } of disks) {
    if (e.encrypted) {
      return { error: { code: 'zip.encrypted', message: `${names[0]}: member "${e.filename}" is encrypted; unzip it with its password and check the image itself` } };
    }
    const method = e.compressionMethod ?? -1;
    if (method !== ZIP_STORED && method !== ZIP_DEFLATE) {
      return { error: { code: 'zip.method', message: `${names[0]}: member "${e.filename}" is compressed with ${ZIP_METHODS[method] ?? `method ${method}`}; this build reads stored and deflated zip members — unzip it first` } };
    }
    // The data follows the local header, whose name and extra field lengths may differ from the central directory's.
    const lh = readAt(files, 0, e.offset, 30);
    const dv = new DataView(lh.buffer, lh.byteOffset, lh.length);
    if (lh.length < 30 || dv.getUint32(0, true) !== LOCAL_HEADER_SIGNATURE) {
      return { error: { code: 'zip.local-header', message: `${names[0]}: no local header for "${e.filename}" at offset ${e.offset}` } };
    }
    const data = e.offset + 30 + dv.getUint16(26, true) + dv.getUint16(28, true);
    if (data + e.compressedSize > files.size(0)) {
      return { error: { code: 'zip.truncated', message: `${names[0]}: member "${e.filename}" (${e.compressedSize} bytes at ${data}) runs past the end of the file` } };
    }
    if (method === ZIP_STORED) {
      windows.push({ offset: data, length: e.uncompressedSize });
    } else {
      windows.push({ offset: data, length: e.compressedSize, encoding: { kind: 'deflate-raw', size: e.uncompressedSize, crc32: e.crc32 } });
    }
    info.push({ name: e.filename, size: e.compressedSize, uncompressedSize: e.uncompressedSize, method: method === ZIP_STORED ? 'stored' : 'deflate' });
  }
  return {
    files: windowFiles(files, 0, windows),
    names: disks.map((d) => `${names[0]}:${d.name}`),
    archive: { format: 'zip', disks: info, members: all.map((e) => e.filename) },
  };
}

function locateOva(files: HostFiles, names: string[]): Located | LocateError {
  let members;
  try {
    members = listTar((o, l) => readAt(files, 0, o, l), files.size(0));
  } catch (e) {
    if (e instanceof TarError) return { error: { code: e.code, message: `${names[0]}: ${e.message}` } };
    throw e;
  }
  const ovfMember = members.find((m) => /\.ovf$/i.test(m.name));
  const ovf = ovfMember ? new TextDecoder().decode(readAt(files, 0, ovfMember.offset, Math.min(ovfMember.size, OVF_TEXT))) : undefined;
  let disks = orderDisks(members);
  // The OVF's References list the disk files in the appliance's order.
  if (ovf) {
    const refs = [...ovf.matchAll(/<(?:\w+:)?File\b[^>]*\bhref="([^"]+)"/g)].map((m) => m[1]);
    const listed = disks.filter((d) => refs.includes(d.name)).sort((a, b) => refs.indexOf(a.name) - refs.indexOf(b.name));
    if (listed.length > 0) disks = [...listed, ...disks.filter((d) => !refs.includes(d.name))];
  }
  if (disks.length === 0) {
    return { error: { code: 'ova.no-disk', message: `${names[0]} is a tar archive without a disk image (members: ${members.map((m) => m.name).join(', ') || 'none'})` } };
  }
  return {
    files: windowFiles(files, 0, disks.map((d) => ({ offset: d.offset, length: d.size }))),
    names: disks.map((d) => `${names[0]}:${d.name}`),
    archive: {
      format: 'ova',
      disks: disks.map((d) => ({ name: d.name, size: d.size, uncompressedSize: d.size, method: 'stored' })),
      members: members.map((m) => m.name),
      ...(ovf !== undefined ? { ovf } : {}),
    },
  };
}

/** The files the wasm should open: the archive's disk members, or the files as given. */
export async function locateImage(files: HostFiles, names: string[]): Promise<Located | LocateError> {
  if (files.count !== 1) return { files, names };
  const head = readAt(files, 0, 0, 512);
  const sig = head.length >= 4 ? new DataView(head.buffer, head.byteOffset, head.length).getUint32(0, true) : 0;
  if (sig === LOCAL_HEADER_SIGNATURE || sig === 0x06054b50 || sig === 0x08074b50) return locateZip(files, names);
  if (isTar(head)) return locateOva(files, names);
  return { files, names };
}
