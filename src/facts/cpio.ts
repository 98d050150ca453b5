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

/** One archive as the streaming lister gives it: member names only. */
export interface CpioListing {
  names: string[];
  /** offset where the archive started, and just past its trailer's padded data */
  start: number;
  end: number;
}

const enum St { Gap, Header, Name, Skip }

/**
 * The same archives parseCpio reads, listed as their bytes flow past: only
 * the header being read (at most 110 + 4096 bytes) is held, member data is
 * counted off, not kept. Offsets are those of the whole stream (`base` is the
 * offset of the first byte pushed). `multi`: archives follow each other,
 * padded with NULs, until the data ends (a decompressed part); otherwise one
 * archive, after which push() consumes nothing more. Errors are those of
 * parseCpio over the same bytes, thrown as soon as the bytes decide them, and
 * by finish() for data that ends early.
 */
export class CpioStream {
  /** set after the one archive of a non-multi stream */
  done = false;
  /** the offset the stream has reached */
  pos: number;
  private st: St = St.Gap;
  private hdr = new Uint8Array(CPIO_HEADER_SIZE + MAX_NAME);
  private have = 0;
  private need = 0;
  private left = 0;
  private start = 0;
  private off = 0;
  private names: string[] = [];
  private rawName = '';
  private size = 0;
  private trailer = false;
  /** skipping the data (false: its padding after it) */
  private inData = false;
  private nextOff = 0;

  constructor(
    private readonly onArchive: (a: CpioListing) => void,
    base = 0,
    private readonly multi = false,
    /** names the part in the error for data that is not an archive: "the zstd part at offset 1024" */
    private readonly part = '',
    private readonly maxEntries = 1_000_000,
  ) {
    this.pos = base;
    if (multi) this.st = St.Gap;
    else this.beginArchive(base);
  }

  private beginArchive(at: number): void {
    this.start = at;
    this.names = [];
    this.beginHeader(at);
  }

  private beginHeader(at: number): void {
    if (this.names.length > this.maxEntries) throw new CpioError('cpio.entries.limit', `cpio archive at offset ${this.start} has more than ${this.maxEntries} members`);
    this.st = St.Header;
    this.off = at;
    this.have = 0;
    this.need = CPIO_HEADER_SIZE;
  }

  /** Data bytes the stream will pass over unread from here (the caller may skip them instead of pushing). */
  skippable(): number {
    return this.st === St.Skip && !this.done ? this.left : 0;
  }

  /** Passes over n ≤ skippable() bytes without their contents. */
  skip(n: number): void {
    this.left -= n;
    this.pos += n;
    if (this.left === 0) this.endSkip();
  }

  /** Takes the bytes in b; returns how many it consumed (all of them, unless a non-multi archive ended). */
  push(b: Uint8Array): number {
    let i = 0;
    while (i < b.length && !this.done) {
      switch (this.st) {
        case St.Gap: {
          if (this.have === 0) {
            while (i < b.length && b[i] === 0) { i++; this.pos++; }
            if (i >= b.length) break;
            this.off = this.pos;
          }
          // six bytes say whether an archive starts here
          const take = Math.min(6 - this.have, b.length - i);
          this.hdr.set(b.subarray(i, i + take), this.have);
          this.have += take;
          i += take;
          this.pos += take;
          if (this.have < 6) break;
          this.notArchiveUnlessMagic();
          const got = this.have;
          this.beginArchive(this.off);
          this.have = got;
          break;
        }
        case St.Header:
        case St.Name: {
          const take = Math.min(this.need - this.have, b.length - i);
          this.hdr.set(b.subarray(i, i + take), this.have);
          this.have += take;
          i += take;
          this.pos += take;
          if (this.have === this.need) {
            if (this.st === St.Header) this.headerRead();
            else this.nameRead();
          }
          break;
        }
        case St.Skip: {
          const take = Math.min(this.left, b.length - i);
          i += take;
          this.skip(take);
          break;
        }
      }
    }
    return i;
  }

  private notArchiveUnlessMagic(): void {
    if (!isCpioAt(this.hdr.subarray(0, this.have), 0)) {
      throw new CpioError('cpio.header.magic', `${this.part} holds data that is not a cpio archive at offset ${this.off} of its output`);
    }
  }

  private headerRead(): void {
    const h = this.hdr, off = this.off;
    if (!isCpioAt(h, 0)) throw new CpioError('cpio.header.magic', `cpio header at offset ${off} has no 070701/070702 magic`);
    hexField(h, 14, 'c_mode', off);
    this.size = hexField(h, 54, 'c_filesize', off);
    const nameSize = hexField(h, 94, 'c_namesize', off);
    if (nameSize === 0 || nameSize > MAX_NAME) throw new CpioError('cpio.name.size', `cpio header at offset ${off}: name size ${nameSize} is not 1..${MAX_NAME}`);
    this.st = St.Name;
    this.need = CPIO_HEADER_SIZE + nameSize;
  }

  private nameRead(): void {
    const nameStart = this.off + CPIO_HEADER_SIZE;
    const nameSize = this.need - CPIO_HEADER_SIZE;
    if (this.hdr[this.need - 1] !== 0) throw new CpioError('cpio.name.nul', `cpio member name at offset ${nameStart} is not NUL-terminated within its ${nameSize} bytes`);
    this.rawName = latin1.decode(this.hdr.subarray(CPIO_HEADER_SIZE, this.need - 1));
    const dataOffset = this.start + pad4(nameStart + nameSize - this.start);
    this.nextOff = this.start + pad4(dataOffset + this.size - this.start);
    this.trailer = this.rawName === CPIO_TRAILER;
    this.st = St.Skip;
    this.inData = true;
    this.left = dataOffset + this.size - this.pos;
    if (this.left === 0) this.endSkip();
  }

  private endSkip(): void {
    if (this.inData) {
      // the member is whole: its padding need not be (the next header's read names a cut)
      if (!this.trailer) {
        const name = this.rawName.replace(/^(\.\/|\/)+/, '');
        if (name !== '' && name !== '.') this.names.push(name);
      }
      this.inData = false;
      this.left = this.nextOff - this.pos;
      if (this.left > 0) return;
    }
    if (this.trailer) this.endArchive(this.nextOff);
    else this.beginHeader(this.nextOff);
  }

  private endArchive(end: number): void {
    this.onArchive({ names: this.names, start: this.start, end });
    this.names = [];
    if (this.multi) { this.st = St.Gap; this.have = 0; } else this.done = true;
  }

  /** The data ended at the current offset: names what it cut short, or ends the last archive there. */
  finish(): void {
    if (this.done) return;
    const len = this.pos;
    switch (this.st) {
      case St.Gap:
        if (this.have > 0) this.notArchiveUnlessMagic();
        return;
      case St.Header:
        if (this.names.length > this.maxEntries) throw new CpioError('cpio.entries.limit', `cpio archive at offset ${this.start} has more than ${this.maxEntries} members`);
        throw new CpioError('cpio.truncated', `cpio archive at offset ${this.start} ends at ${len} without its ${CPIO_TRAILER} member`);
      case St.Name:
        throw new CpioError('cpio.truncated', `cpio member name at offset ${this.off + CPIO_HEADER_SIZE} runs past the end (${len})`);
      case St.Skip:
        if (this.inData) throw new CpioError('cpio.truncated', `cpio member "${this.rawName}" at offset ${this.off}: its ${this.size} bytes of data run past the end (${len})`);
        if (this.trailer) { this.endArchive(len); return; }
        if (this.names.length > this.maxEntries) throw new CpioError('cpio.entries.limit', `cpio archive at offset ${this.start} has more than ${this.maxEntries} members`);
        throw new CpioError('cpio.truncated', `cpio archive at offset ${this.start} ends at ${len} without its ${CPIO_TRAILER} member`);
    }
  }
}
