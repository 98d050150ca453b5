// SPDX-License-Identifier: Apache-2.0
// Damaged containers: each a copy of a qemu-img fixture (recipes/containers.sh)
// with one field overwritten at its specification offset, or cut short. Each
// must end in a clear error naming the file and the structure — never a trap,
// a hang or a silent wrong answer.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { loadEngine } from '../helpers/engine';

const eng = await loadEngine();
const dir = new URL('../fixtures/containers/', import.meta.url);
const load = (name: string) => new Uint8Array(gunzipSync(readFileSync(new URL(name + '.gz', dir))));
const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

/** Opens the files and reads the whole virtual disk; returns the first error. */
async function firstError(files: Uint8Array[], names: string[]) {
  const s = await eng.open(files, { names });
  const img = s.inspect();
  if (img === null) return s.lastError()!;
  for (let off = 0; off < img.virtualSize; off += 1 << 20) {
    if (s.x.rawRead(-1, off, Math.min(1 << 20, img.virtualSize - off)) === null) return s.lastError()!;
  }
  return null;
}

/** Sets a qcow2 image's backing file name (header fields at 8 and 16). */
function setBacking(b: Uint8Array, name: string) {
  const off = Number(dv(b).getBigUint64(8));
  for (let i = 0; i < name.length; i++) b[off + i] = name.charCodeAt(i);
  dv(b).setUint32(16, name.length);
}

describe('qcow2, damaged', () => {
  const name = 'pattern-v2.qcow2';
  it('L1 table past the end of the file', async () => {
    const b = load(name);
    dv(b).setBigUint64(40, 0x7fff0000n);
    const e = await firstError([b], [name]);
    expect(e).toMatchObject({ kind: 'corrupt', code: 'qcow2.l1.out-of-range' });
    expect(e!.message).toMatch(/pattern-v2\.qcow2: L1 table at 0x7fff0000/);
  });

  it('absurd L1 size', async () => {
    const b = load(name);
    dv(b).setUint32(36, 0x7fffffff);
    expect(await firstError([b], [name])).toMatchObject({ kind: 'limit', code: 'qcow2.l1.size' });
  });

  it('L1 too small for the virtual size', async () => {
    const b = load(name);
    dv(b).setBigUint64(24, 1n << 50n);
    expect(await firstError([b], [name])).toMatchObject({ kind: 'corrupt', code: 'qcow2.l1.size' });
  });

  it('cluster_bits out of range', async () => {
    const b = load(name);
    dv(b).setUint32(20, 31);
    expect(await firstError([b], [name])).toMatchObject({ code: 'qcow2.header.cluster-bits' });
  });

  it('an L2 entry pointing past the end of the file', async () => {
    const b = load(name);
    const l1 = Number(dv(b).getBigUint64(40));
    const l2 = Number(dv(b).getBigUint64(l1) & 0x00fffffffffffe00n);
    let i = 0;
    while (dv(b).getBigUint64(l2 + i * 8) === 0n) i++;
    dv(b).setBigUint64(l2 + i * 8, (1n << 63n) | 0x7fff0000n);
    const e = await firstError([b], [name]);
    expect(e).toMatchObject({ kind: 'corrupt', code: 'qcow2.l2.out-of-range' });
    expect(e!.message).toMatch(/points to 0x7fff0000/);
  });

  it('an L2 table past the end of the file', async () => {
    const b = load(name);
    const l1 = Number(dv(b).getBigUint64(40));
    dv(b).setBigUint64(l1, (1n << 63n) | 0x7fff0000n);
    expect(await firstError([b], [name])).toMatchObject({ code: 'qcow2.l2.out-of-range' });
  });

  it('cut short: the data clusters past the cut', async () => {
    const b = load(name).slice(0, 5 << 20);
    const e = await firstError([b], [name]);
    expect(e).not.toBeNull();
    expect(e!.message).toMatch(/pattern-v2\.qcow2/);
    expect(e!.message).toMatch(/past the end/);
  });

  it('cut inside the header', async () => {
    const b = load(name).slice(0, 40);
    expect(await firstError([b], [name])).toMatchObject({ code: 'qcow2.header.short' });
  });

  it('encrypted (crypt_method 1, AES)', async () => {
    const b = load(name);
    dv(b).setUint32(32, 1);
    const e = await firstError([b], [name]);
    expect(e).toMatchObject({ kind: 'unsupported', code: 'qcow2.encrypted' });
    expect(e!.message).toMatch(/AES/);
  });

  it('an unknown incompatible feature bit', async () => {
    const b = load('pattern-v3-4k.qcow2');
    dv(b).setBigUint64(72, 1n << 40n);
    expect(await firstError([b], ['x.qcow2'])).toMatchObject({ kind: 'unsupported', code: 'qcow2.features' });
  });

  it('a backing file naming itself', async () => {
    const b = load('chain-mid.qcow2');
    setBacking(b, 'chain-mid.qcow2');
    const e = await firstError([b], ['chain-mid.qcow2']);
    expect(e).toMatchObject({ kind: 'corrupt', code: 'container.chain.cycle' });
    expect(e!.message).toMatch(/chain-mid\.qcow2 → chain-mid\.qcow2/);
  });

  it('two overlays naming each other', async () => {
    const a = load('chain-mid.qcow2');
    const b = load('chain-top.qcow2');
    setBacking(a, 'chain-top.qcow2');
    expect(await firstError([a, b], ['chain-mid.qcow2', 'chain-top.qcow2'])).toMatchObject({ code: 'container.chain.cycle' });
  });

  it('a cycle below the top image', async () => {
    const top = load('chain-top.qcow2');
    const mid = load('chain-mid.qcow2');
    setBacking(mid, 'chain-x.qcow2');
    const x = load('chain-mid.qcow2');
    setBacking(x, 'chain-mid.qcow2');
    const e = await firstError([top, mid, x], ['chain-top.qcow2', 'chain-mid.qcow2', 'chain-x.qcow2']);
    expect(e).toMatchObject({ code: 'container.chain.cycle' });
    expect(e!.message).toMatch(/chain-top\.qcow2 → chain-mid\.qcow2 → chain-x\.qcow2 → chain-mid\.qcow2/);
  });
});

describe('VHD, damaged', () => {
  const name = 'pattern-dynamic.vhd';
  // qemu-img writes the dynamic header right after the footer copy at offset 0
  const dynHeader = (b: Uint8Array) => Number(dv(b).getBigUint64(16));
  it('absurd Max Table Entries', async () => {
    const b = load(name);
    dv(b).setUint32(dynHeader(b) + 28, 1073741825);
    const e = await firstError([b], [name]);
    expect(e).toMatchObject({ kind: 'limit', code: 'vhd.bat.entries' });
    expect(e!.message).toMatch(/1073741825/);
  });

  it('a BAT entry pointing past the end', async () => {
    const b = load(name);
    const bat = Number(dv(b).getBigUint64(dynHeader(b) + 16));
    let i = 0;
    while (dv(b).getUint32(bat + 4 * i) === 0xffffffff) i++;
    dv(b).setUint32(bat + 4 * i, 0x7fffff00);
    expect(await firstError([b], [name])).toMatchObject({ kind: 'corrupt', code: 'vhd.bat.out-of-range' });
  });

  it('block size not a power of two', async () => {
    const b = load(name);
    dv(b).setUint32(dynHeader(b) + 32, 3 << 20);
    expect(await firstError([b], [name])).toMatchObject({ code: 'vhd.block-size' });
  });

  it('cut short, footer lost: the copy at offset 0 is used, with a note', async () => {
    const b = load(name);
    const cut = b.slice(0, b.length - 512);
    const s = await eng.open([cut], { names: [name] });
    const img = s.inspect();
    expect(img.notes.join(' ')).toMatch(/copy at offset 0/);
  });

  it('cut inside the dynamic header', async () => {
    const b = load(name).slice(0, 700);
    expect(await firstError([b], [name])).toMatchObject({ code: 'vhd.dynamic-header.out-of-range' });
  });
});

describe('VHDX, damaged', () => {
  const name = 'pattern.vhdx';
  it('both headers fail their CRC-32C', async () => {
    const b = load(name);
    b[65536 + 100] ^= 1;
    b[131072 + 100] ^= 1;
    expect(await firstError([b], [name])).toMatchObject({ code: 'vhdx.header.checksum' });
  });

  it('one header damaged: the other is used, with a note', async () => {
    const b = load(name);
    b[65536 + 100] ^= 1;
    const s = await eng.open([b], { names: [name] });
    expect(s.inspect().notes.join(' ')).toMatch(/one VHDX header is damaged/);
  });

  it('both region tables damaged', async () => {
    const b = load(name);
    b[196608 + 40] ^= 1;
    b[262144 + 40] ^= 1;
    expect(await firstError([b], [name])).toMatchObject({ code: 'vhdx.region.checksum' });
  });

  it('cut below 1 MiB', async () => {
    expect(await firstError([load(name).slice(0, 300000)], [name])).toMatchObject({ code: 'vhdx.header.short' });
  });

  it('cut short: blocks past the cut', async () => {
    const b = load(name);
    const e = await firstError([b.slice(0, b.length - (2 << 20))], [name]);
    expect(e).not.toBeNull();
    expect(e!.message).toMatch(/pattern\.vhdx/);
  });
});

describe('VMDK, damaged', () => {
  it('grain directory past the end', async () => {
    const b = load('pattern-sparse.vmdk');
    dv(b).setBigUint64(56, 0x7fffffn, true);
    expect(await firstError([b], ['a.vmdk'])).toMatchObject({ code: 'vmdk.gd.out-of-range' });
  });

  it('grain size zero', async () => {
    const b = load('pattern-sparse.vmdk');
    dv(b).setBigUint64(20, 0n, true);
    expect(await firstError([b], ['a.vmdk'])).toMatchObject({ code: 'vmdk.grain-size' });
  });

  it('a grain table past the end', async () => {
    const b = load('pattern-sparse.vmdk');
    const gd = Number(dv(b).getBigUint64(56, true)) * 512;
    dv(b).setUint32(gd, 0x7fffff, true);
    expect(await firstError([b], ['a.vmdk'])).toMatchObject({ code: 'vmdk.gt.out-of-range' });
  });

  it('streamOptimized with the grain directory at the end but no footer', async () => {
    const b = load('pattern-stream.vmdk');
    dv(b).setBigUint64(56, 0xffffffffffffffffn, true); // GD_AT_END
    expect(await firstError([b], ['s.vmdk'])).toMatchObject({ code: 'vmdk.footer.missing' });
  });

  it('a flat extent shorter than the descriptor says', async () => {
    const d = load('pattern-mflat.vmdk');
    const f = load('pattern-mflat-flat.vmdk').slice(0, 1 << 20);
    const e = await firstError([d, f], ['pattern-mflat.vmdk', 'pattern-mflat-flat.vmdk']);
    expect(e).toMatchObject({ code: 'vmdk.extent.short' });
    expect(e!.message).toMatch(/pattern-mflat-flat\.vmdk/);
  });
});

describe('VDI, damaged', () => {
  it('block map past the end', async () => {
    const b = load('pattern-dynamic.vdi');
    dv(b).setUint32(0x154, 0x7fffff00, true);
    expect(await firstError([b], ['a.vdi'])).toMatchObject({ code: 'vdi.map.out-of-range' });
  });

  it('a block number past the end', async () => {
    const b = load('pattern-dynamic.vdi');
    const map = dv(b).getUint32(0x154, true);
    let i = 0;
    while (dv(b).getUint32(map + 4 * i, true) >= 0xfffffffe) i++;
    dv(b).setUint32(map + 4 * i, 0x00ffffff, true);
    expect(await firstError([b], ['a.vdi'])).toMatchObject({ code: 'vdi.map.out-of-range' });
  });

  it('block size not a power of two', async () => {
    const b = load('pattern-dynamic.vdi');
    dv(b).setUint32(0x178, 3 << 19, true);
    expect(await firstError([b], ['a.vdi'])).toMatchObject({ code: 'vdi.block-size' });
  });
});
