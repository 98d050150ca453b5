// SPDX-License-Identifier: Apache-2.0
// A PE image's headers and its version resource, read from the file as the
// Microsoft PE/COFF specification lays them out: the DOS header's e_lfanew →
// "PE\0\0" → COFF file header (machine) → optional header (subsystem, data
// directory 2 = the resource table) → section table (to turn RVAs into file
// offsets) → the resource directory tree (type → name → language) down to
// RT_VERSION (16) → the VS_VERSIONINFO block (VS_FIXEDFILEINFO, StringFileInfo).
// Every offset is checked against the file and its section before it is read,
// the tree is walked to its fixed depth of three and a directory met twice is a
// loop; only small pieces are read (headers, the directories on the path, the
// version block), never the whole file: ntoskrnl.exe is ~11 MiB and on modern
// systems WOF-compressed.
import type { GuestView } from '../../rules/guest-view';

export interface PeHeader {
  machine: number;
  /** x86_64, i386, arm64, arm, or null for a machine ECS never runs */
  arch: string | null;
  /** PE32 (0x10b) or PE32+ (0x20b) optional header magic, 0 when absent */
  optionalMagic: number;
}

export interface PeVersion {
  /** VS_FIXEDFILEINFO dwFileVersionMS/LS as a.b.c.d */
  fileVersion: string;
  /** VS_FIXEDFILEINFO dwProductVersionMS/LS as a.b.c.d */
  productVersion: string;
  /** VS_FIXEDFILEINFO dwFileType (1 app, 2 dll, 3 driver) and dwFileSubtype */
  fileType: number;
  fileSubtype: number;
  /** the first StringFileInfo table's key ("040904B0": language and code page), "" when none */
  stringTable: string;
  /** that table's strings (FileVersion, ProductName, CompanyName, ...) */
  strings: Record<string, string>;
  /** where the resource was: "RT_VERSION #1 language 0x0409, RVA 0x60a8, 832 bytes" */
  location: string;
}

export interface PeInfo extends PeHeader {
  /** IMAGE_SUBSYSTEM_*: 1 native (kernel, drivers), 2 GUI, 3 console, 10 EFI application, ... */
  subsystem: number;
  /** the version resource, null when the image has none (or it could not be read: versionError) */
  version: PeVersion | null;
  /** why the resource tree or the version block could not be read, null when it could (or is absent) */
  versionError: { code: string; message: string } | null;
}

/** A damaged or foreign file: code names the structure ("pe.rsrc.loop"), message says where. */
export class PeError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'PeError';
  }
}

/** Bytes of the file at offset; a short answer means the file ends there. */
export type ByteReader = (offset: number, length: number) => Uint8Array | null;

const MACHINES: Record<number, string> = { 0x14c: 'i386', 0x8664: 'x86_64', 0xaa64: 'arm64', 0x1c4: 'arm' };
const RT_VERSION = 16;
const FIXED_SIGNATURE = 0xfeef04bd;
/** the spec's limit; the loader refuses more */
const MAX_SECTIONS = 96;
/** VS_VERSIONINFO's wLength is a WORD: the block is never longer */
const MAX_VERSION_BLOCK = 0xffff;

/** How many bytes to read so that readPeHeader can see the COFF header of a usual image. */
export const PE_HEAD_BYTES = 4096;

/** The header from the first bytes, or null when they are not a PE image (or e_lfanew points past them). */
export function readPeHeader(b: Uint8Array): PeHeader | null {
  if (b.length < 64 || b[0] !== 0x4d || b[1] !== 0x5a) return null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const pe = dv.getUint32(0x3c, true);
  if (pe + 26 > b.length) return null;
  if (dv.getUint32(pe, true) !== 0x00004550) return null;
  const machine = dv.getUint16(pe + 4, true);
  const optSize = dv.getUint16(pe + 20, true);
  const optionalMagic = optSize >= 2 ? dv.getUint16(pe + 24, true) : 0;
  return { machine, arch: MACHINES[machine] ?? null, optionalMagic };
}

interface Section { name: string; va: number; vsize: number; raw: number; rawSize: number }

const hex = (n: number) => `0x${n.toString(16)}`;

class PeFile {
  constructor(private readonly read: ByteReader, readonly size: number) {}

  /** exactly len bytes at off, or a PeError naming what was being read */
  bytes(off: number, len: number, what: string, code = 'pe.truncated'): DataView {
    if (off < 0 || len < 0 || off + len > this.size) {
      throw new PeError(code, `${what} at offset ${hex(off)} (${len} bytes) lies past the end of the file (${this.size} bytes)`);
    }
    const b = this.read(off, len);
    if (b === null || b.length < len) throw new PeError('pe.read', `${what} at offset ${hex(off)}: only ${b?.length ?? 0} of ${len} bytes could be read`);
    return new DataView(b.buffer, b.byteOffset, len);
  }
}

/**
 * The headers and the version resource of the PE file that read() gives. Throws PeError when
 * the file is not a PE image or its headers are damaged; a damaged resource tree leaves the
 * header readable and lands in versionError.
 */
export function readPe(read: ByteReader, size: number): PeInfo {
  const f = new PeFile(read, size);
  const dos = f.bytes(0, 64, 'DOS header', 'pe.not-pe');
  if (dos.getUint16(0, true) !== 0x5a4d) throw new PeError('pe.not-pe', 'no MZ signature at offset 0: not a PE image');
  const pe = dos.getUint32(0x3c, true);
  const coff = f.bytes(pe, 24, 'PE signature and COFF header (e_lfanew)');
  if (coff.getUint32(0, true) !== 0x00004550) throw new PeError('pe.signature', `no "PE\\0\\0" signature at e_lfanew ${hex(pe)}: an MZ file that is not a PE image`);
  const machine = coff.getUint16(4, true);
  const nsec = coff.getUint16(6, true);
  const optSize = coff.getUint16(20, true);
  if (nsec > MAX_SECTIONS) throw new PeError('pe.sections', `COFF header at ${hex(pe)} claims ${nsec} sections; the format allows ${MAX_SECTIONS}`);
  const optOff = pe + 24;
  const opt = f.bytes(optOff, optSize, 'optional header');
  const magic = optSize >= 2 ? opt.getUint16(0, true) : 0;
  const base: PeInfo = { machine, arch: MACHINES[machine] ?? null, optionalMagic: magic, subsystem: 0, version: null, versionError: null };
  if (magic !== 0x10b && magic !== 0x20b) {
    if (optSize === 0) return base; // an object file's header: no image parts
    throw new PeError('pe.optional.magic', `optional header at ${hex(optOff)} has magic ${hex(magic)}, neither PE32 (0x10b) nor PE32+ (0x20b)`);
  }
  // PE32+ drops BaseOfData and widens ImageBase and the stack/heap sizes: the directories sit 16 bytes later
  const wide = magic === 0x20b;
  const countAt = wide ? 108 : 92;
  if (optSize < countAt + 4) throw new PeError('pe.optional.size', `optional header at ${hex(optOff)} is ${optSize} bytes, too short for its ${wide ? 'PE32+' : 'PE32'} fields`);
  base.subsystem = opt.getUint16(68, true);
  const dirCount = opt.getUint32(countAt, true);
  const sections: Section[] = [];
  const st = f.bytes(optOff + optSize, nsec * 40, 'section table');
  for (let i = 0; i < nsec; i++) {
    const o = i * 40;
    let name = '';
    for (let k = 0; k < 8 && st.getUint8(o + k) !== 0; k++) name += String.fromCharCode(st.getUint8(o + k));
    sections.push({ name, vsize: st.getUint32(o + 8, true), va: st.getUint32(o + 12, true), rawSize: st.getUint32(o + 16, true), raw: st.getUint32(o + 20, true) });
  }
  const rsrcAt = countAt + 4 + 2 * 8;
  if (dirCount <= 2 || optSize < rsrcAt + 8) return base;
  const rva = opt.getUint32(rsrcAt, true), len = opt.getUint32(rsrcAt + 4, true);
  if (rva === 0 && len === 0) return base;
  try {
    base.version = readVersion(f, sections, rva);
  } catch (e) {
    if (!(e instanceof PeError)) throw e;
    base.versionError = { code: e.code, message: e.message };
  }
  return base;
}

/** The file range an RVA lands in: its offset and how many bytes of its section's raw data follow. */
function mapRva(f: PeFile, sections: Section[], rva: number, what: string): { off: number; avail: number } {
  for (const s of sections) {
    const span = Math.max(s.vsize, s.rawSize);
    if (rva >= s.va && rva < s.va + span) {
      const delta = rva - s.va;
      // a part of the section the file holds no bytes for (virtual size beyond raw size)
      if (delta >= s.rawSize) throw new PeError('pe.rsrc.outside', `${what} at RVA ${hex(rva)} is in section ${s.name || '?'} past its ${s.rawSize} bytes of file data`);
      const off = s.raw + delta;
      const end = Math.min(s.raw + s.rawSize, f.size);
      if (off >= end) throw new PeError('pe.rsrc.outside', `${what} at RVA ${hex(rva)} maps to file offset ${hex(off)}, past the end of the file (${f.size} bytes)`);
      return { off, avail: end - off };
    }
  }
  throw new PeError('pe.rsrc.outside', `${what} at RVA ${hex(rva)} lies in no section of the image`);
}

interface DirEntry { id: number; named: boolean; subdir: boolean; target: number }

/** RT_VERSION → its first name → its first language → the data entry → VS_VERSIONINFO. */
function readVersion(f: PeFile, sections: Section[], rsrcRva: number): PeVersion | null {
  const root = mapRva(f, sections, rsrcRva, 'resource directory');
  const seen = new Set<number>();
  const dir = (rel: number, level: number): DirEntry[] => {
    if (seen.has(rel)) throw new PeError('pe.rsrc.loop', `resource directory at offset ${hex(rel)} of the resource table is reached twice (level ${level}): the tree loops`);
    seen.add(rel);
    if (rel + 16 > root.avail) throw new PeError('pe.rsrc.truncated', `resource directory at offset ${hex(rel)} (level ${level}) lies outside the resource section's ${root.avail} bytes in the file`);
    const h = f.bytes(root.off + rel, 16, `resource directory (level ${level})`, 'pe.rsrc.truncated');
    const n = h.getUint16(12, true) + h.getUint16(14, true);
    if (rel + 16 + n * 8 > root.avail) {
      throw new PeError('pe.rsrc.truncated', `resource directory at offset ${hex(rel)} (level ${level}) lists ${n} entries, which run past the resource section's ${root.avail} bytes in the file`);
    }
    const e = f.bytes(root.off + rel + 16, n * 8, `resource directory entries (level ${level})`, 'pe.rsrc.truncated');
    const out: DirEntry[] = [];
    for (let i = 0; i < n; i++) {
      const name = e.getUint32(i * 8, true), to = e.getUint32(i * 8 + 4, true);
      out.push({ id: name & 0x7fffffff, named: (name & 0x80000000) !== 0, subdir: (to & 0x80000000) !== 0, target: to & 0x7fffffff });
    }
    return out;
  };
  const types = dir(0, 1);
  const ver = types.find((e) => !e.named && e.id === RT_VERSION);
  if (!ver) return null;
  if (!ver.subdir) throw new PeError('pe.rsrc.shape', 'the RT_VERSION entry of the resource root points at data, not at a name directory');
  const names = dir(ver.target, 2);
  if (names.length === 0) return null;
  const name = names[0];
  if (!name.subdir) throw new PeError('pe.rsrc.shape', 'the version resource\'s name entry points at data, not at a language directory');
  const langs = dir(name.target, 3);
  if (langs.length === 0) return null;
  const lang = langs[0];
  // the tree has three levels: a fourth directory is not a resource
  if (lang.subdir) throw new PeError('pe.rsrc.depth', `the version resource's language entry ${hex(lang.id)} points at a fourth directory level; the tree has three`);
  if (lang.target + 16 > root.avail) throw new PeError('pe.rsrc.truncated', `the version resource's data entry at offset ${hex(lang.target)} lies outside the resource section`);
  const de = f.bytes(root.off + lang.target, 16, 'resource data entry', 'pe.rsrc.truncated');
  const dataRva = de.getUint32(0, true), dataSize = de.getUint32(4, true);
  if (dataSize < 6) throw new PeError('pe.version.size', `the version resource is ${dataSize} bytes: too short for a VS_VERSIONINFO header`);
  const data = mapRva(f, sections, dataRva, 'version resource data');
  const len = Math.min(dataSize, MAX_VERSION_BLOCK);
  if (len > data.avail) throw new PeError('pe.rsrc.outside', `version resource at RVA ${hex(dataRva)} is ${dataSize} bytes, but its section holds only ${data.avail} from there`);
  const block = f.bytes(data.off, len, 'version resource');
  const where = `RT_VERSION ${name.named ? '(named)' : `#${name.id}`} language 0x${lang.id.toString(16).padStart(4, '0')}, RVA ${hex(dataRva)}, ${dataSize} bytes`;
  return { ...parseVersionInfo(block), location: where };
}

interface Node { key: string; type: number; valueOff: number; valueLen: number; children: number; end: number }

/** One VS_VERSIONINFO-style node at off inside [.., limit): wLength, wValueLength, wType, szKey, padding, value, children. */
function node(b: DataView, off: number, limit: number, what: string): Node {
  if (off + 6 > limit) throw new PeError('pe.version.truncated', `${what} at offset ${off} of the version block: no room for its header`);
  const len = b.getUint16(off, true), valueLen = b.getUint16(off + 2, true), type = b.getUint16(off + 4, true);
  if (len < 6 || off + len > limit) throw new PeError('pe.version.length', `${what} at offset ${off} of the version block claims ${len} bytes; its parent leaves ${limit - off}`);
  const end = off + len;
  let key = '', p = off + 6;
  for (; p + 1 < end; p += 2) {
    const c = b.getUint16(p, true);
    if (c === 0) break;
    key += String.fromCharCode(c);
  }
  if (p + 1 >= end) throw new PeError('pe.version.key', `${what} at offset ${off} of the version block: its key is not terminated inside the node`);
  const valueOff = (p + 2 + 3) & ~3;
  // wValueLength counts WORDs for text values (wType 1), bytes for binary ones
  const bytes = type === 1 ? valueLen * 2 : valueLen;
  const valueEnd = Math.min(valueOff + bytes, end);
  return { key, type, valueOff: Math.min(valueOff, end), valueLen: valueEnd - Math.min(valueOff, end), children: Math.min((valueEnd + 3) & ~3, end), end };
}

/** The nodes from off to end, one after another at 32-bit boundaries. */
function children(b: DataView, off: number, end: number, what: string): Node[] {
  const out: Node[] = [];
  // each node is at least 6 bytes, so this ends; the cap guards against a block of tiny nodes
  for (let p = off; p + 6 <= end && out.length < 4096; ) {
    const n = node(b, p, end, what);
    out.push(n);
    p = (n.end + 3) & ~3;
  }
  return out;
}

function utf16z(b: DataView, off: number, len: number): string {
  let s = '';
  for (let p = off; p + 1 < off + len; p += 2) {
    const c = b.getUint16(p, true);
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

const dotted = (ms: number, ls: number) => `${ms >>> 16}.${ms & 0xffff}.${ls >>> 16}.${ls & 0xffff}`;

/** VS_VERSIONINFO: the fixed file info and the first StringFileInfo table. */
export function parseVersionInfo(b: DataView): Omit<PeVersion, 'location'> {
  const top = node(b, 0, b.byteLength, 'VS_VERSIONINFO');
  if (top.key !== 'VS_VERSION_INFO') throw new PeError('pe.version.key', `the version resource starts with key ${JSON.stringify(top.key)}, not "VS_VERSION_INFO"`);
  let fileVersion = '', productVersion = '', fileType = 0, fileSubtype = 0;
  if (top.valueLen >= 52) {
    const v = top.valueOff;
    const sig = b.getUint32(v, true);
    if (sig !== FIXED_SIGNATURE) throw new PeError('pe.version.fixed', `VS_FIXEDFILEINFO signature is ${hex(sig)}, not 0xfeef04bd`);
    fileVersion = dotted(b.getUint32(v + 8, true), b.getUint32(v + 12, true));
    productVersion = dotted(b.getUint32(v + 16, true), b.getUint32(v + 20, true));
    fileType = b.getUint32(v + 36, true);
    fileSubtype = b.getUint32(v + 40, true);
  }
  let stringTable = '';
  const strings: Record<string, string> = {};
  for (const c of children(b, top.children, top.end, 'StringFileInfo/VarFileInfo')) {
    if (c.key !== 'StringFileInfo') continue;
    const tables = children(b, c.children, c.end, 'StringTable');
    if (tables.length === 0) continue;
    stringTable = tables[0].key;
    for (const s of children(b, tables[0].children, tables[0].end, `String of table ${stringTable}`)) {
      strings[s.key] = utf16z(b, s.valueOff, s.valueLen);
    }
    break;
  }
  return { fileVersion, productVersion, fileType, fileSubtype, stringTable, strings };
}

/** The PE facts of a guest file: null when it is absent; throws PeError when it is not a readable PE image. */
export function readPeFile(g: GuestView, path: string): PeInfo | null {
  const st = g.stat(path);
  if (st === null || st.kind !== 'file') return null;
  return readPe((off, len) => g.readBytes(path, off, len), st.size);
}
