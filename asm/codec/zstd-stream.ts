// SPDX-License-Identifier: Apache-2.0
// zstd frames decoded block by block into a WindowIndex's buffer
// (window-index.ts), so one frame holding a whole disk image — what plain
// `zstd FILE` writes — is read at any offset. Blocks are the resume points: at
// a block boundary the decoder's state is the window (kept by the index), the
// repeat offsets and the entropy tables later blocks may reuse (ZstdState).
// During the index pass each frame's size and XXH64 checksum are verified.

import { Device } from "../io/device";
import { corrupt, limit, addContext } from "../util/error";
import { hex64 } from "../util/bytes";
import { ResumeState, WindowDecoder } from "./window-index";
import { ZstdState, zstdFrameHeader, zstdBeginFrame, zstdBlock, zstdBlockEnd, zstdBlockLast, zstdSaveState, zstdRestoreState } from "./zstd";
import { Xxh64Stream } from "./zstd-xxh64";

const BLOCK_MAX: i32 = 128 * 1024;
/**
 * Largest window of a frame read here: 128 MiB, what `zstd --long=27` and
 * `--ultra -22` use and the most the zstd tool itself decodes without --memory.
 */
export const MAX_WINDOW: u64 = 128 << 20;
/** Frames read through the index (each starts a checkpoint that cannot be dropped). */
const MAX_FRAMES: i32 = 1 << 20;
/** Compressed bytes read from the file at a time. */
const INPUT: i32 = 1 << 20;

/** Where a frame is and what its header said. */
export class ZstdFrame {
  constructor(
    public off: u64, // the frame's first byte in the file
    public headerLen: i32,
    public end: u64, // just past its last block (before the checksum); 0 until the pass finds it
    public window: u64,
    public checksum: bool,
    public contentSize: i64, // -1 when the header does not say
  ) {}
}

/** False with a limit error when frame f's window is beyond MAX_WINDOW. */
export function windowFits(name: string, f: ZstdFrame): bool {
  if (f.window <= MAX_WINDOW) return true;
  limit("zstd.window-too-large", name + ": the zstd frame at " + hex64(f.off) + " needs a " + (f.window >> 20).toString() +
    " MiB window; guestcheck reads a frame this large with at most a " + (MAX_WINDOW >> 20).toString() + " MiB window (as the zstd tool without --memory) — " +
    "recompress it with a smaller window (zstd --long=27 or less) or with pzstd, or decompress it first");
  return false;
}

class ZstdResume extends ResumeState {
  constructor(public z: ZstdState, public frame: i32, public inAt: u64) { super(); }
  get bytes(): i32 { return this.z.bytes + 32; }
}

export class ZstdStreamDecoder extends WindowDecoder {
  private frame: i32 = 0;
  private inBuf: Uint8Array = new Uint8Array(INPUT);
  private src: Uint8Array = new Uint8Array(0);
  private inAbs: u64 = 0;
  private inPos: i32 = 0;
  private readSize: i32 = INPUT;
  private lastSeen: bool = false;
  private produced: u64 = 0;
  private xxh: Xxh64Stream = new Xxh64Stream();
  private saved: ZstdState | null = null;

  constructor(public file: Device, public frames: ZstdFrame[]) { super(); }

  get streams(): i32 { return this.frames.length; }
  window(s: i32): i32 { return <i32>this.frames[s].window; }
  get maxUnit(): i32 { return BLOCK_MAX; }
  get inputAt(): u64 { return this.inAbs + <u64>this.inPos; }

  private seek(at: u64): void {
    this.readSize = this.verifying ? INPUT : 64 << 10;
    this.inAbs = at;
    this.inPos = 0;
    this.src = this.inBuf.subarray(0, 0);
  }

  /** Makes `need` bytes from the input position available in src; false with the error set. */
  private ensure(need: i32): bool {
    if (this.inPos + need <= this.src.length) return true;
    const at = this.inAbs + <u64>this.inPos;
    const f = this.frames[this.frame];
    const size = this.file.size;
    if (at + <u64>need > size) {
      corrupt("zstd.truncated", this.file.name + ": the zstd frame at " + hex64(f.off) + " is truncated: " + need.toString() + " bytes are needed at " + hex64(at) + ", the file ends at " + hex64(size));
      return false;
    }
    const limitAt = f.end > 0 ? min(size, f.end + (f.checksum ? 4 : 0)) : size;
    if (at + <u64>need > limitAt) {
      corrupt("zstd.block-size", this.file.name + ": the zstd block at " + hex64(at) + " runs past its frame's end at " + hex64(limitAt));
      return false;
    }
    // after a seek (a read from a checkpoint) start small, then grow: a read needs a few blocks, the pass all of them
    const n = <i32>min<u64>(<u64>max(this.readSize, need), limitAt - at);
    this.readSize = min(this.readSize << 1, INPUT);
    if (!this.file.readInto(at, n, this.inBuf.dataStart)) return false;
    this.inAbs = at;
    this.inPos = 0;
    this.src = this.inBuf.subarray(0, n);
    return true;
  }

  begin(s: i32): bool {
    this.frame = s;
    const f = this.frames[s];
    zstdBeginFrame();
    this.seek(f.off + <u64>f.headerLen);
    this.lastSeen = false;
    this.produced = 0;
    this.xxh.reset();
    return true;
  }

  step(): i32 {
    const f = this.frames[this.frame];
    if (this.lastSeen) return this.finish(f);
    if (!this.ensure(3)) return -1;
    const p = this.inPos;
    const b = this.src;
    const bh = <i32>b[p] | (<i32>b[p + 1] << 8) | (<i32>b[p + 2] << 16);
    const type = (bh >> 1) & 3;
    const size = bh >>> 3;
    if (size > BLOCK_MAX) {
      corrupt("zstd.block-size", this.file.name + ": the zstd block at " + hex64(this.inputAt) + " is " + size.toString() + " bytes, above 128 KiB");
      return -1;
    }
    if (!this.ensure(3 + (type == 1 ? 1 : size))) return -1;
    const at = this.inputAt;
    const n = zstdBlock(this.src, this.inPos, this.buf, this.outPos, this.histStart, f.window, 0);
    if (n < 0) { addContext(this.file.name + ": zstd block at " + hex64(at)); return -1; }
    if (this.verifying) {
      this.xxh.update(this.buf.dataStart + <usize>this.outPos, n);
      this.produced += <u64>n;
    }
    this.outPos += n;
    this.inPos = zstdBlockEnd();
    this.lastSeen = zstdBlockLast();
    if (this.lastSeen && f.end == 0) f.end = this.inputAt;
    return 1;
  }

  /** After the frame's last block: its size and checksum (during the index pass); 0, or -1 with the error set. */
  private finish(f: ZstdFrame): i32 {
    if (!this.verifying) return 0;
    const where = this.file.name + ": the zstd frame at " + hex64(f.off);
    if (f.contentSize >= 0 && this.produced != <u64>f.contentSize) {
      corrupt("zstd.content-size", where + " decodes to " + this.produced.toString() + " bytes, its header says " + f.contentSize.toString());
      return -1;
    }
    if (f.checksum) {
      if (!this.ensure(4)) return -1;
      const want = load<u32>(this.src.dataStart + <usize>this.inPos);
      const got = <u32>this.xxh.digest();
      if (want != got) {
        corrupt("zstd.checksum", where + ": content checksum " + got.toString(16) + " does not match the stored " + want.toString(16));
        return -1;
      }
    }
    if (this.frame == this.frames.length - 1 && !this.discover(f.end + (f.checksum ? 4 : 0))) return -1;
    return 0;
  }

  /**
   * After the last frame known: the frames that follow from file offset `at`
   * (skippable ones skipped) join the list, so the pass goes on with them.
   */
  private discover(at: u64): bool {
    const size = this.file.size;
    while (at < size) {
      const head = this.file.read(at, <i32>min<u64>(18, size - at));
      if (head === null) return false;
      const info = zstdFrameHeader(head, 0);
      if (info === null) { addContext(this.file.name + ": frame at " + hex64(at)); return false; }
      if (info.skippable) {
        if (<u64>info.skipLen > size - at) {
          corrupt("zstd.frame", this.file.name + ": skippable frame at " + hex64(at) + " runs past the end of the file");
          return false;
        }
        at += <u64>info.skipLen;
        continue;
      }
      const f = new ZstdFrame(at, info.headerLen, 0, info.windowSize, info.checksum, info.contentSize);
      if (!windowFits(this.file.name, f)) return false;
      if (this.frames.length >= MAX_FRAMES) {
        limit("zstd.frames", this.file.name + ": more than " + MAX_FRAMES.toString() + " zstd frames after a large one; each is a checkpoint of the index");
        return false;
      }
      this.frames.push(f);
      return true;
    }
    return true;
  }

  save(): ResumeState {
    return new ZstdResume(zstdSaveState(), this.frame, this.inputAt);
  }

  restore(s: ResumeState, bufAbs: u64): bool {
    void bufAbs;
    const r = <ZstdResume>s;
    zstdRestoreState(r.z);
    this.frame = r.frame;
    this.seek(r.inAt);
    this.lastSeen = false;
    return true;
  }

  slid(shift: i32): void { void shift; }

  suspend(): void { this.saved = zstdSaveState(); }

  resume(): bool {
    const s = this.saved;
    if (s !== null) zstdRestoreState(s);
    return true;
  }
}
