// SPDX-License-Identifier: Apache-2.0
// xz blocks decoded LZMA2 chunk by chunk into a WindowIndex's buffer
// (window-index.ts), so one block holding a whole disk image — what plain
// single-threaded `xz FILE` writes — is read at any offset. Chunks are the
// resume points: the range coder starts afresh at each one, so the state to
// keep is the dictionary (kept by the index), the probability model, the
// state number, the four repeat distances and lc/lp/pb (Lzma2State). xz
// resets that state only at a block's start (and after uncompressed chunks),
// so checkpoints must carry it. During the index pass each block's size,
// padding and CRC-32 / CRC-64 are verified.

import { Device } from "../io/device";
import { corrupt, addContext } from "../util/error";
import { hex64, u32le } from "../util/bytes";
import { ResumeState, WindowDecoder } from "./window-index";
import { Lzma2Decoder, Lzma2State, LZMA2_CHUNK_IN, LZMA2_CHUNK_OUT } from "./xz-lzma2";
import { Block, checkSize, crc64, parseBlockHeader } from "./xz";
import { crc32Fast } from "./inflate-crc32";

/** Compressed bytes read from the file at a time (at least one whole chunk). */
const INPUT: i32 = 1 << 20;
/** Largest block header (xz: (255 + 1) * 4 bytes). */
const HEADER_MAX: i32 = 1024;

class XzResume extends ResumeState {
  constructor(public lz: Lzma2State, public block: i32, public inAt: u64) { super(); }
  get bytes(): i32 { return Lzma2State.bytes + 32; }
}

export class XzStreamDecoder extends WindowDecoder {
  private lzma: Lzma2Decoder = new Lzma2Decoder();
  private block: i32 = 0;
  private dict: u32 = 0;
  private dataEnd: u64 = 0; // just past the block's LZMA2 data
  private inBuf: Uint8Array = new Uint8Array(INPUT);
  private inAbs: u64 = 0;
  private inPos: i32 = 0;
  private inLen: i32 = 0;
  private readSize: i32 = INPUT;
  private produced: u64 = 0;
  private crc32: u32 = 0;
  private crc64v: u64 = 0;

  /** windows[i]: the history block i may reach (its dictionary, at most its size) */
  constructor(public file: Device, public blocks: Block[], public windows: i32[]) {
    super();
    // LZMA decodes 20-50 MB of compressed input a second, zstd ten times that: denser checkpoints in data
    this.firstSpacing = 256 << 10;
    this.outShift = 5;
  }

  get streams(): i32 { return this.blocks.length; }
  window(s: i32): i32 { return this.windows[s]; }
  get maxUnit(): i32 { return LZMA2_CHUNK_OUT; }
  get inputAt(): u64 { return this.inAbs + <u64>this.inPos; }

  private seek(at: u64): void {
    this.readSize = this.verifying ? INPUT : LZMA2_CHUNK_IN;
    this.inAbs = at;
    this.inPos = 0;
    this.inLen = 0;
  }

  /** Makes at least min(need, bytes left in the block's data) bytes available from the input position. */
  private ensure(need: i32): bool {
    const at = this.inputAt;
    const want = <i32>min<u64>(<u64>need, this.dataEnd - at);
    if (this.inPos + want <= this.inLen) return true;
    // after a seek (a read from a checkpoint) start small, then grow: a read needs a few chunks, the pass all of them
    const n = <i32>min<u64>(<u64>max(this.readSize, need), this.dataEnd - at);
    this.readSize = min(this.readSize << 1, INPUT);
    if (!this.file.readInto(at, n, this.inBuf.dataStart)) return false;
    this.inAbs = at;
    this.inPos = 0;
    this.inLen = n;
    return true;
  }

  /** Parses block s's header and sets the input at its data; false with the error set. */
  private enter(s: i32): bool {
    const b = this.blocks[s];
    this.block = s;
    const raw = this.file.read(b.inOffset, <i32>min<u64>(<u64>HEADER_MAX, b.unpadded));
    if (raw === null) return false;
    const h = parseBlockHeader(this.file.name, b, raw);
    if (h === null) return false;
    const csize = <i64>b.unpadded - <i64>h.size - <i64>checkSize(b.check);
    if (csize <= 0) {
      corrupt("xz.index", this.file.name + ": xz block at " + hex64(b.inOffset) + ": the index's unpadded size leaves no room for data");
      return false;
    }
    this.dict = h.dict;
    this.dataEnd = b.inOffset + <u64>h.size + <u64>csize;
    this.lzma.name = this.file.name + ": xz block at " + hex64(b.inOffset);
    this.seek(b.inOffset + <u64>h.size);
    return true;
  }

  begin(s: i32): bool {
    if (!this.enter(s)) return false;
    this.lzma.setOutput(this.buf.dataStart, this.outPos, this.buf.length, this.histStart);
    this.lzma.begin(this.dict);
    this.produced = 0;
    this.crc32 = 0;
    this.crc64v = 0;
    return true;
  }

  step(): i32 {
    if (!this.ensure(LZMA2_CHUNK_IN)) return -1;
    const lz = this.lzma;
    lz.setInput(this.inBuf.dataStart, this.inPos, this.inLen);
    lz.setOutput(this.buf.dataStart, this.outPos, this.buf.length, this.histStart);
    const before = this.outPos;
    const r = lz.chunk();
    if (r < 0) return -1;
    this.inPos = lz.inputPos;
    this.outPos = lz.outPos;
    const n = this.outPos - before;
    if (this.verifying && n > 0) {
      const ptr = this.buf.dataStart + <usize>before;
      const check = this.blocks[this.block].check;
      if (check == 1) this.crc32 = crc32Fast(this.crc32, ptr, <usize>n);
      else if (check == 4) this.crc64v = crc64(this.crc64v, ptr, <usize>n);
      this.produced += <u64>n;
    }
    if (r == 0) return this.finish();
    return 1;
  }

  /** After the end marker: the data's size, padding and check (during the index pass); 0, or -1 with the error set. */
  private finish(): i32 {
    if (!this.verifying) return 0;
    const b = this.blocks[this.block];
    const where = this.file.name + ": xz block at " + hex64(b.inOffset);
    const at = this.inputAt;
    if (at != this.dataEnd) {
      corrupt("xz.block-size", where + ": LZMA2 data ends " + (this.dataEnd - at).toString() + " bytes before the size the index gives");
      return -1;
    }
    if (this.produced != b.size) {
      corrupt("xz.size", where + ": the block decoded to " + this.produced.toString() + " bytes, the index says " + b.size.toString());
      return -1;
    }
    const padded = b.inOffset + ((b.unpadded + 3) & ~<u64>3);
    const cs = checkSize(b.check);
    const tail = this.file.read(at, <i32>(padded - at));
    if (tail === null) return -1;
    const c = tail.length - cs;
    for (let k = 0; k < c; k++) if (tail[k] != 0) { corrupt("xz.padding", where + ": block padding is not zero"); return -1; }
    if (b.check == 1 && this.crc32 != u32le(tail, c)) { corrupt("xz.check", where + ": CRC-32 of the decoded block does not match"); return -1; }
    if (b.check == 4) {
      const want = (<u64>u32le(tail, c + 4) << 32) | <u64>u32le(tail, c);
      if (this.crc64v != want) { corrupt("xz.check", where + ": CRC-64 of the decoded block does not match"); return -1; }
    }
    return 0;
  }

  save(): ResumeState {
    // outPos - (buffer index) is not known here: the index passes bufAbs to restore; save keeps an absolute reset offset
    return new XzResume(this.lzma.save(this.bufAbs), this.block, this.inputAt);
  }

  restore(s: ResumeState, bufAbs: u64): bool {
    const r = <XzResume>s;
    if (!this.enter(r.block)) { addContext("restoring a checkpoint"); return false; }
    this.seek(r.inAt);
    this.lzma.restore(r.lz, bufAbs, this.dict);
    this.lzma.setOutput(this.buf.dataStart, this.outPos, this.buf.length, this.histStart);
    return true;
  }

  slid(shift: i32): void { this.lzma.slid(shift); }
}
