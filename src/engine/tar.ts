// SPDX-License-Identifier: Apache-2.0
// The member list of a tar archive (an OVA is one), read from its 512-byte
// headers without touching the members' data: ustar (name + prefix), GNU long
// names ('L'), pax extended headers ('x': path, size), base-256 sizes, and
// the header checksum. Members come back as byte windows of the archive.

export interface TarMember {
  name: string;
  /** offset of the member's data in the archive */
  offset: number;
  size: number;
}

export class TarError extends Error {
  constructor(readonly code: string, message: string) { super(message); }
}

const BLOCK = 512;
/** Long names and pax records are read whole; bound them (a real one is a few hundred bytes). */
const MAX_META = 1 << 20;
/** An OVA holds a descriptor, a manifest and a few disks; stop runaway archives. */
const MAX_MEMBERS = 10_000;

function cstr(b: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && b[end] !== 0) end++;
  return new TextDecoder().decode(b.subarray(off, end));
}

function octal(b: Uint8Array, off: number, len: number, what: string, at: number): number {
  if (b[off] & 0x80) {
    // GNU base-256: big-endian after the marker bit (sizes ≥ 8 GiB).
    let v = b[off] & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + b[off + i];
    return v;
  }
  const s = cstr(b, off, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new TarError('tar.field', `tar header at ${at}: ${what} "${s}" is not an octal number`);
  return parseInt(s, 8);
}

/** pax records: "<len> <key>=<value>\n" */
function paxRecords(b: Uint8Array, at: number): Map<string, string> {
  const m = new Map<string, string>();
  const text = new TextDecoder().decode(b);
  let i = 0;
  while (i < text.length) {
    const sp = text.indexOf(' ', i);
    if (sp < 0) break;
    const len = parseInt(text.slice(i, sp), 10);
    if (!(len > 0) || i + len > text.length) throw new TarError('tar.pax', `pax header at ${at}: record length "${text.slice(i, sp)}" is invalid`);
    const rec = text.slice(sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) m.set(rec.slice(0, eq), rec.slice(eq + 1));
    i += len;
  }
  return m;
}

/** True when the first block looks like a tar header (ustar magic or a valid checksum). */
export function isTar(head: Uint8Array): boolean {
  if (head.length < BLOCK) return false;
  if (cstr(head, 257, 5) === 'ustar') return true;
  return false;
}

/** Lists the regular-file members; `read` gives exactly the bytes asked for (short only at the end). */
export function listTar(read: (offset: number, length: number) => Uint8Array, size: number): TarMember[] {
  const out: TarMember[] = [];
  let at = 0;
  let longName: string | null = null;
  let pax: Map<string, string> | null = null;
  while (at + BLOCK <= size) {
    const h = read(at, BLOCK);
    if (h.every((x) => x === 0)) break; // end of archive (two zero blocks; one is enough to stop)
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
    const want = octal(h, 148, 8, 'checksum', at);
    if (sum !== want) throw new TarError('tar.checksum', `tar header at ${at}: checksum ${want} does not match the header's bytes (${sum})`);
    const type = String.fromCharCode(h[156] || 0x30);
    let memberSize = octal(h, 124, 12, 'size', at);
    const data = at + BLOCK;
    if (data + memberSize > size) throw new TarError('tar.truncated', `tar member at ${at} (${memberSize} bytes) runs past the end of the archive (${size} bytes)`);
    const next = data + Math.ceil(memberSize / BLOCK) * BLOCK;
    if (type === 'L' || type === 'x') {
      if (memberSize > MAX_META) throw new TarError('tar.meta', `tar ${type === 'L' ? 'long name' : 'pax header'} at ${at} is ${memberSize} bytes`);
      const body = read(data, memberSize);
      if (type === 'L') longName = cstr(body, 0, body.length);
      else pax = paxRecords(body, at);
      at = next;
      continue;
    }
    let name = cstr(h, 0, 100);
    if (cstr(h, 257, 5) === 'ustar') {
      const prefix = cstr(h, 345, 155);
      if (prefix) name = prefix + '/' + name;
    }
    if (longName !== null) name = longName;
    if (pax?.has('path')) name = pax.get('path')!;
    if (pax?.has('size')) {
      memberSize = Number(pax.get('size'));
      if (!Number.isSafeInteger(memberSize) || memberSize < 0 || data + memberSize > size) {
        throw new TarError('tar.pax', `pax size "${pax.get('size')}" of tar member at ${at} is invalid or runs past the end`);
      }
    }
    longName = null;
    pax = null;
    if (type === '0' || type === '7') {
      out.push({ name, offset: data, size: memberSize });
      if (out.length > MAX_MEMBERS) throw new TarError('tar.members', `more than ${MAX_MEMBERS} members: not an OVA`);
    }
    at = data + Math.ceil(memberSize / BLOCK) * BLOCK;
  }
  return out;
}
