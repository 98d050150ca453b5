// SPDX-License-Identifier: Apache-2.0
// A deflated zip member the host hands over as a window of the zip file: one
// raw deflate stream, indexed for random access (codec/zran.ts), its length
// and CRC-32 checked against the zip directory's on the way.

import { Device } from "../io/device";
import { DeflateIndex, InflatedDevice, OutputSink } from "../codec/zran";
import { crc32Fast } from "../codec/inflate-crc32";
import { corrupt } from "../util/error";

class CrcSink extends OutputSink {
  crc: u32 = 0;
  take(ptr: usize, len: i32): void {
    this.crc = crc32Fast(this.crc, ptr, <usize>len);
  }
}

/** `size` and `crc` (< 0: unknown) come from the zip's central directory. */
export function openDeflateMember(file: Device, size: u64, crc: i64): Device | null {
  const index = new DeflateIndex(file, file.name + " (deflated zip member)");
  index.progressTotal = <f64>file.size;
  const sink = new CrcSink();
  if (index.indexStream(0, sink) < 0) return null;
  if (index.size != size) {
    corrupt("zip.size", file.name + ": the deflated member holds " + index.size.toString() + " bytes, the zip directory says " + size.toString());
    return null;
  }
  if (crc >= 0 && <u32>crc != sink.crc) {
    corrupt("zip.crc", file.name + ": CRC-32 of the member is 0x" + sink.crc.toString(16) + ", the zip directory says 0x" + (<u32>crc).toString(16));
    return null;
  }
  return new InflatedDevice(index, file.name + " (decompressed)");
}
