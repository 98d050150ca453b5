// SPDX-License-Identifier: Apache-2.0
// Container detection by content, over hand-made byte images whose layout is
// given by the formats' specifications (the magic numbers at their offsets).
import { describe, it, expect } from 'vitest';
import { loadEngine } from '../helpers/engine';

const eng = await loadEngine();

function ascii(b: Uint8Array, off: number, s: string) {
  for (let i = 0; i < s.length; i++) b[off + i] = s.charCodeAt(i);
}

describe('container detection', () => {
  it('reads an all-zero raw disk as a disk without partition table or filesystem', async () => {
    const s = await eng.open([new Uint8Array(1 << 20)]);
    const img = s.inspect();
    expect(img).not.toBeNull();
    expect(img.format).toBe('raw');
    expect(img.virtualSize).toBe(1 << 20);
    expect(img.partitionTable).toBe('none');
    expect(img.volumes).toHaveLength(1);
    expect(img.volumes[0].id).toBe('disk');
    expect(img.volumes[0].fs).toBe('');
  });

  it('names an empty file as not a disk image', async () => {
    const s = await eng.open([new Uint8Array(0)]);
    expect(s.inspect()).toBeNull();
    expect(s.lastError()?.code).toBe('container.empty');
  });

  it('names a Bochs image as a container this build does not open, listing what it reads', async () => {
    const b = new Uint8Array(4096);
    ascii(b, 0, 'XPROPS');
    const s = await eng.open([b]);
    expect(s.inspect()).toBeNull();
    expect(s.lastError()).toMatchObject({ kind: 'unsupported', code: 'container.unsupported' });
    expect(s.lastError()!.message).toMatch(/Bochs.*qcow2, VHD/);
  });

  // a disc image is not refused here: it opens as raw, its volume probes as iso9660/udf,
  // and SystemImage fails it as ISO with the fix (test/engine/not-a-disk.test.ts)
  it.each([['CD001'], ['BEA01']])('opens a disc image (%s at 0x8001) as raw for SystemImage to judge', async (magic) => {
    const b = new Uint8Array(64 * 1024);
    ascii(b, 0x8001, magic);
    const s = await eng.open([b]);
    expect(s.inspect()).toMatchObject({ format: 'raw' });
  });

  it('reads a fixed VHD as its raw data without the footer', async () => {
    const b = new Uint8Array((2 << 20) + 512);
    const foot = (2 << 20);
    ascii(b, foot, 'conectix');
    const dv = new DataView(b.buffer);
    dv.setBigUint64(foot + 40, BigInt(2 << 20)); // original size
    dv.setBigUint64(foot + 48, BigInt(2 << 20)); // current size
    dv.setUint32(foot + 60, 2); // disk type: fixed
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += b[foot + i];
    dv.setUint32(foot + 64, ~sum >>> 0); // one's complement of the byte sum
    const s = await eng.open([b]);
    const img = s.inspect();
    expect(img.format).toBe('vhd');
    expect(img.container.subformat).toBe('fixed');
    expect(img.virtualSize).toBe(2 << 20);
    expect(img.notes).toEqual([]);
  });

  it('names a swap area by its signature and reads its UUID and label', async () => {
    const b = new Uint8Array(1 << 20);
    ascii(b, 4096 - 10, 'SWAPSPACE2');
    const uuid = [0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef];
    b.set(uuid, 1024 + 12);
    ascii(b, 1024 + 28, 'myswap');
    const s = await eng.open([b]);
    const v = s.inspect().volumes[0];
    expect(v.fs).toBe('swap');
    expect(v.uuid).toBe('12345678-9abc-def0-0123-456789abcdef');
    expect(v.label).toBe('myswap');
  });

  it('counts bytes read and read calls through the page cache', async () => {
    const s = await eng.open([new Uint8Array(8 << 20)], { pageShift: 16 });
    s.inspect();
    const st = s.stats();
    expect(st.readCalls).toBeGreaterThan(0);
    // detection reads the head, the last sector and the 68 KiB probe window: never the whole disk
    expect(st.bytesRead).toBeLessThan(1 << 20);
  });

  it('gives the same answer whatever the page size', async () => {
    const b = new Uint8Array(1 << 20);
    ascii(b, 4096 - 10, 'SWAPSPACE2');
    const answers = [];
    for (const shift of [9, 12, 20]) {
      const s = await eng.open([b], { pageShift: shift });
      answers.push(s.inspect());
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it('finds no guest root on a disk without filesystems', async () => {
    const s = await eng.open([new Uint8Array(1 << 20)]);
    s.inspect();
    const g = s.mount();
    expect(g.platform).toBe('');
    expect(g.root).toBe('');
    expect(g.rootReason).toMatch(/no volume holds a Linux root/);
    expect(s.stat(-1, '/etc/os-release')).toBeNull();
    expect(s.lastError()?.code).toBe('guest.no-root');
  });
});
