// SPDX-License-Identifier: Apache-2.0
// The cpio "new ASCII" formats the kernel unpacks as an initramfs: newc
// (magic 070701) and crc (070702). Each header is 110 ASCII bytes: magic and
// 13 eight-digit hex fields; the name (namesize bytes, NUL included) follows,
// padded to 4 bytes, then the data, padded to 4 bytes. "TRAILER!!!" ends an
// archive (linux Documentation/driver-api/early-userspace/buffer-format.rst).

export const CPIO_HEADER_SIZE = 110;
export const CPIO_TRAILER = 'TRAILER!!!';
/** the kernel's own limit on a name (PATH_MAX) */
const MAX_NAME = 4096;

export interface CpioEntry {
  /** the member's path as stored, without a leading "./" or "/" */
  name: string;
  mode: number;
  size: number;
  /** offset of the member's data in the buffer that was parsed */
  dataOffset: number;
}

export interface CpioArchive {
  entries: CpioEntry[];
  /** offset just past the trailer's padded data */
  end: number;
}

export class CpioError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** Is there a newc/crc header at `off`? */
export function isCpioAt(b: Uint8Array, off: number): boolean {
  return off + 6 <= b.length && b[off] === 0x30 && b[off + 1] === 0x37 && b[off + 2] === 0x30 &&
    b[off + 3] === 0x37 && b[off + 4] === 0x30 && (b[off + 5] === 0x31 || b[off + 5] === 0x32);
}

function hexField(b: Uint8Array, off: number, what: string, at: number): number {
  let v = 0;
  for (let i = 0; i < 8; i++) {
    const c = b[off + i];
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
    if (d < 0) throw new CpioError('cpio.header.hex', `cpio header at offset ${at}: ${what} is not hexadecimal`);
    v = v * 16 + d;
  }
  return v;
}

const pad4 = (n: number) => (n + 3) & ~3;
const latin1 = new TextDecoder('latin1');

/**
 * Parses one archive starting at `start` (offsets are relative to `b`, and
 * alignment is relative to `start`, as for each archive the kernel unpacks).
 * At most `maxEntries` members; a truncated archive without its trailer is an
 * error naming the offset.
 */
export function parseCpio(b: Uint8Array, start = 0, maxEntries = 1_000_000): CpioArchive {
  const entries: CpioEntry[] = [];
  let off = start;
  for (;;) {
    if (entries.length > maxEntries) throw new CpioError('cpio.entries.limit', `cpio archive at offset ${start} has more than ${maxEntries} members`);
    if (off + CPIO_HEADER_SIZE > b.length) throw new CpioError('cpio.truncated', `cpio archive at offset ${start} ends at ${b.length} without its ${CPIO_TRAILER} member`);
    if (!isCpioAt(b, off)) throw new CpioError('cpio.header.magic', `cpio header at offset ${off} has no 070701/070702 magic`);
    const mode = hexField(b, off + 14, 'c_mode', off);
    const size = hexField(b, off + 54, 'c_filesize', off);
    const nameSize = hexField(b, off + 94, 'c_namesize', off);
    if (nameSize === 0 || nameSize > MAX_NAME) throw new CpioError('cpio.name.size', `cpio header at offset ${off}: name size ${nameSize} is not 1..${MAX_NAME}`);
    const nameStart = off + CPIO_HEADER_SIZE;
    if (nameStart + nameSize > b.length) throw new CpioError('cpio.truncated', `cpio member name at offset ${nameStart} runs past the end (${b.length})`);
    if (b[nameStart + nameSize - 1] !== 0) throw new CpioError('cpio.name.nul', `cpio member name at offset ${nameStart} is not NUL-terminated within its ${nameSize} bytes`);
    const rawName = latin1.decode(b.subarray(nameStart, nameStart + nameSize - 1));
    const dataOffset = start + pad4(nameStart + nameSize - start);
    if (dataOffset + size > b.length) throw new CpioError('cpio.truncated', `cpio member "${rawName}" at offset ${off}: its ${size} bytes of data run past the end (${b.length})`);
    off = start + pad4(dataOffset + size - start);
    if (rawName === CPIO_TRAILER) return { entries, end: Math.min(off, b.length) };
    const name = rawName.replace(/^(\.\/|\/)+/, '');
    if (name === '' || name === '.') continue;
    entries.push({ name, mode, size, dataOffset });
  }
}
