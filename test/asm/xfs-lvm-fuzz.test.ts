// SPDX-License-Identifier: Apache-2.0
// "Never traps, never hangs": the XFS and LVM2 fixtures with random bytes of
// their metadata flipped (seeded, so a failure replays) must give results or
// clear errors; a wasm trap surfaces here as a thrown RuntimeError.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { loadEngine, type Session } from '../helpers/engine';

const fx = (p: string) => new Uint8Array(gunzipSync(readFileSync(fileURLToPath(new URL('../fixtures/' + p, import.meta.url)))));

function rng(seed: number) {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
}

/** Reads everything reachable, up to a budget; errors are fine, traps are not. */
function explore(s: Session, vol: number, budget = 60) {
  const todo = ['/'];
  while (todo.length > 0 && budget-- > 0) {
    const d = todo.shift()!;
    const list = s.readdir(vol, d);
    if (!list) continue;
    for (const e of list.slice(0, 20)) {
      const p = (d === '/' ? '' : d) + '/' + e.name;
      const st = s.stat(vol, p, false);
      if (!st) continue;
      if (st.kind === 'dir') todo.push(p);
      else if (st.kind === 'file') s.readFile(vol, p, 0, 1 << 16);
      else if (st.kind === 'symlink') s.readlink(vol, p);
    }
  }
}

/** Metadata regions worth damaging: the first 64 KiB of every 16 MiB (XFS AG headers, inode chunks, LVM labels). */
function mutate(img: Uint8Array, r: () => number, flips: number, regions: [number, number][]) {
  const out = img.slice();
  for (let i = 0; i < flips; i++) {
    const [a, b] = regions[Math.floor(r() * regions.length)];
    const at = a + Math.floor(r() * (b - a));
    out[at] = Math.floor(r() * 256);
  }
  return out;
}

describe('damaged XFS and LVM2 never trap', () => {
  for (const name of ['xfs/xfs-v5.img.gz', 'xfs/xfs-v4.img.gz']) {
    it(`${name}: 25 seeded mutations of the AG headers and inode chunks`, async () => {
      const img = fx(name);
      const eng = await loadEngine();
      // where inodes of the first dirs live: take them from a clean walk
      const clean = await eng.open([img]);
      clean.inspect();
      const regions: [number, number][] = [[0, 4 * 4096]];
      const bs = 4096, agBlocks = new DataView(img.buffer).getUint32(84), agBlkLog = img[124], inopbLog = img[123], isz = new DataView(img.buffer).getUint16(104);
      for (const p of ['/', '/node', '/leaf', '/block', '/links', '/data', '/small']) {
        const st = clean.stat(0, p);
        if (!st) continue;
        const ino = st.node, agno = Math.floor(ino / 2 ** (agBlkLog + inopbLog)), agino = ino % 2 ** (agBlkLog + inopbLog);
        const pos = (agno * agBlocks + (agino >> inopbLog)) * bs + (agino & ((1 << inopbLog) - 1)) * isz;
        regions.push([pos, pos + isz]);
      }
      const r = rng(name.length * 7919);
      for (let k = 0; k < 25; k++) {
        const s = await eng.open([mutate(img, r, 1 + Math.floor(r() * 8), regions)]);
        const info = s.inspect();
        expect(info).not.toBeNull();
        if (info.volumes[0]?.features) explore(s, 0);
      }
    }, 120_000);
  }

  it('lvm-two-pvs: 40 seeded mutations of labels, metadata area headers and text', async () => {
    const img = fx('lvm/lvm-two-pvs.img.gz');
    const eng = await loadEngine();
    const regions: [number, number][] = [];
    for (const part of [2048 * 512, 22528 * 512]) regions.push([part + 512, part + 1024], [part + 4096, part + 4096 + 512], [part + 4096 + 512, part + 4096 + 12288]);
    const r = rng(4242);
    for (let k = 0; k < 40; k++) {
      const s = await eng.open([mutate(img, r, 1 + Math.floor(r() * 4), regions)]);
      const info = s.inspect();
      expect(info).not.toBeNull();
      for (const [i, v] of info.volumes.entries()) if (v.lvm && !v.error) s.x.rawRead(i, 0, Math.min(v.size, 1 << 20));
    }
  }, 120_000);

  it('lvm-two-pvs: 60 seeded edits of the metadata text with its checksums fixed (the parser and the layout checks)', async () => {
    const base = fx('lvm/lvm-two-pvs.img.gz');
    const eng = await loadEngine();
    const r = rng(977);
    const alphabet = '{}[]=",#-0123456789 \n\\abcxyz';
    for (let k = 0; k < 60; k++) {
      const img = base.slice();
      const dv = new DataView(img.buffer);
      for (const part of [2048 * 512, 22528 * 512]) {
        const mda = part + 4096;
        const text = mda + Number(dv.getBigUint64(mda + 40, true)), size = Number(dv.getBigUint64(mda + 48, true));
        const n = 1 + Math.floor(r() * 6);
        for (let i = 0; i < n; i++) img[text + Math.floor(r() * (size - 1))] = alphabet.charCodeAt(Math.floor(r() * alphabet.length));
        dv.setUint32(mda + 56, lvmCrc(img.subarray(text, text + size)), true);
        dv.setUint32(mda, lvmCrc(img.subarray(mda + 4, mda + 512)), true);
      }
      const s = await eng.open([img]);
      const info = s.inspect();
      expect(info).not.toBeNull();
      for (const [i, v] of info.volumes.entries()) if (v.lvm && !v.error) s.x.rawRead(i, 0, Math.min(v.size, 1 << 20));
    }
  }, 120_000);
});

const CRC = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; t[n] = c >>> 0; }
  return t;
})();
function lvmCrc(b: Uint8Array): number {
  let c = 0xf597a6cf;
  for (const x of b) c = (CRC[(c ^ x) & 0xff] ^ (c >>> 8)) >>> 0;
  return c >>> 0;
}
