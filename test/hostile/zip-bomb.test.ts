// SPDX-License-Identifier: Apache-2.0
// Zip bombs as disk images: a zip (written here by hand, PKWARE APPNOTE 4.3)
// whose one member inflates 512 MiB of zeros from half a megabyte. The engine
// reads the member through its random-access index, so memory stays bounded
// whatever the expansion, and the index pass is bounded by the time budget; a
// member whose directory claims more (or less) than its data holds is named.
import { describe, it, expect } from 'vitest';
import { check } from './harness';
import { deflateBomb } from './bombs';

const COPIES = 32; // × 16 MiB

/** CRC-32 (IEEE) of `n` zero bytes. */
function crcOfZeros(n: number): number {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) { let c = i; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; t[i] = c >>> 0; }
  let c = 0xffffffff;
  for (let i = 0; i < n; i++) c = t[c & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A zip holding `name`, deflated, with the sizes and CRC the directory states. */
function zip(name: string, data: Uint8Array, crc: number, size: number): Uint8Array {
  const enc = new TextEncoder().encode(name);
  const local = new Uint8Array(30 + enc.length);
  const lv = new DataView(local.buffer);
  lv.setUint32(0, 0x04034b50, true); lv.setUint16(4, 20, true); lv.setUint16(8, 8, true);
  lv.setUint32(14, crc, true); lv.setUint32(18, data.length, true); lv.setUint32(22, size, true); lv.setUint16(26, enc.length, true);
  local.set(enc, 30);
  const cd = new Uint8Array(46 + enc.length);
  const cv = new DataView(cd.buffer);
  cv.setUint32(0, 0x02014b50, true); cv.setUint16(4, 20, true); cv.setUint16(6, 20, true); cv.setUint16(10, 8, true);
  cv.setUint32(16, crc, true); cv.setUint32(20, data.length, true); cv.setUint32(24, size, true); cv.setUint16(28, enc.length, true);
  cd.set(enc, 46);
  const eocd = new Uint8Array(22);
  const ev = new DataView(eocd.buffer);
  const cdAt = local.length + data.length;
  ev.setUint32(0, 0x06054b50, true); ev.setUint16(8, 1, true); ev.setUint16(10, 1, true); ev.setUint32(12, cd.length, true); ev.setUint32(16, cdAt, true);
  const out = new Uint8Array(cdAt + cd.length + eocd.length);
  out.set(local); out.set(data, local.length); out.set(cd, cdAt); out.set(eocd, cdAt + cd.length);
  return out;
}

describe('zip bombs', () => {
  const bytes = COPIES * (16 << 20);
  const data = deflateBomb(new Uint8Array(0), COPIES);
  const crc = crcOfZeros(bytes);

  it('512 MiB of zeros from half a megabyte: read in bounded memory, judged as the empty disk it is', async () => {
    const z = zip('disk.img', data, crc, bytes);
    expect(z.length).toBeLessThan(1 << 20);
    const r = await check([z], ['bomb.zip']);
    expect(r.error).toBeUndefined();
    expect(r.image.archive?.format).toBe('zip');
    expect(r.image.virtualSize).toBe(bytes);
    expect(r.findings.find((f) => f.name === 'SystemImage')?.value).toBe('Empty');
    // the index keeps checkpoints, not the output: memory does not follow the expansion
    expect(r.stats.peakWasmBytes).toBeLessThan(160 << 20);
  });

  it('a directory that claims 4 GiB for 512 MiB of data: zip.size names both', async () => {
    const r = await check([zip('disk.img', data, crc, 0xfffffff0)], ['claims-more.zip']);
    expect(r.error?.code).toBe('zip.size');
    expect(r.error?.message).toMatch(new RegExp(`holds ${bytes} bytes, the zip directory says ${0xfffffff0}`));
  });

  it('a wrong CRC-32 is zip.crc', async () => {
    const r = await check([zip('disk.img', data, crc ^ 1, bytes)], ['bad-crc.zip']);
    expect(r.error?.code).toBe('zip.crc');
  });
});
