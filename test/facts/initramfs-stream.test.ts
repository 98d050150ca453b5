// SPDX-License-Identifier: Apache-2.0
// The initramfs is listed as it streams: read from the guest in bounded
// chunks, decoded in pieces, its cpio headers parsed as the output flows.
// These tests hold that to the whole-buffer reading it replaced — decompress
// the part whole, parseCpio over it — on the real initramfs files of the
// committed Debian images (zstd, xz, and a head-only zstd cut at 64 KiB), on
// 3cpio's archives with every codec, and on damaged and truncated copies, at
// several chunk sizes; and they bound what one reading holds by counting the
// largest read and the largest piece of output the lister is handed.
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { initDecoders, decompress, detectCodec, useZstdDirect, zstdDecodesDirectly } from '../../src/facts/decompress';
import { readInitramfs, readGuestInitramfs, moduleOfPath, MAX_INITRAMFS_OUTPUT } from '../../src/facts/initramfs';
import { parseCpio, isCpioAt, CpioError, CpioStream, type CpioListing } from '../../src/facts/cpio';
import { DecompressError } from '../../src/facts/decompress';
import { wasmGuestView } from '../../src/engine/wasm-guest-view';
import { loadEngine } from '../helpers/engine';
import type { GuestView } from '../../src/rules/guest-view';

beforeAll(async () => { await initDecoders(); });

interface Listing { paths: string[]; modules: [string, string][]; parts: { offset: number; codec: string; members: number }[]; error?: { code: string; message: string } }

/** The whole-buffer reading: each part decompressed whole, then parseCpio over it. */
async function wholeBuffer(b: Uint8Array): Promise<Listing> {
  const paths = new Set<string>(), modules = new Map<string, string>(), parts: Listing['parts'] = [];
  const add = (names: string[], codec: string, offset: number) => {
    for (const n of names) { paths.add(n); const m = moduleOfPath(n); if (m !== null && !modules.has(m)) modules.set(m, n); }
    parts.push({ offset, codec, members: names.length });
  };
  let error: Listing['error'];
  try {
    let off = 0, budget = MAX_INITRAMFS_OUTPUT;
    while (off < b.length) {
      while (off < b.length && b[off] === 0) off++;
      if (off >= b.length) break;
      if (isCpioAt(b, off)) { const a = parseCpio(b, off); add(a.entries.map((e) => e.name), 'none', off); off = a.end; continue; }
      const codec = detectCodec(b, off);
      if (codec === null) throw new DecompressError('initramfs.unknown', `the data at offset ${off} of the initramfs is neither a cpio archive nor a compression the kernel knows`);
      const d = await decompress(codec, b, off, budget);
      budget -= d.data.length;
      let o = 0;
      while (o < d.data.length) {
        while (o < d.data.length && d.data[o] === 0) o++;
        if (o >= d.data.length) break;
        if (!isCpioAt(d.data, o)) throw new CpioError('cpio.header.magic', `the ${codec} part at offset ${off} holds data that is not a cpio archive at offset ${o} of its output`);
        const a = parseCpio(d.data, o);
        add(a.entries.map((e) => e.name), codec, off);
        o = a.end;
      }
      if (d.end === null) break;
      off = d.end;
    }
  } catch (e) {
    if (!(e instanceof CpioError) && !(e instanceof DecompressError)) throw e;
    error = { code: e.code, message: e.message };
  }
  return { paths: [...paths], modules: [...modules], parts, ...(error ? { error } : {}) };
}

async function streamed(b: Uint8Array, chunk?: number): Promise<Listing> {
  const r = await readInitramfs(b, '', chunk ? { chunk } : {});
  return { paths: [...r.paths], modules: [...r.modules], parts: r.parts, ...(r.error ? { error: r.error } : {}) };
}

// ---- the real initramfs files of the committed images ----

const guestDir = new URL('../fixtures/guest/', import.meta.url);
const IMAGES = [
  ['debian12-cloud', 'zstd, the real mkinitramfs output'],
  ['debian12-cloud-novirtio', 'xz -9'],
  ['debian12-gpt', 'zstd, head-only: cut at 64 KiB'],
] as const;

async function guestOf(name: string): Promise<{ g: GuestView; path: string; bytes: Uint8Array }> {
  const manifest = JSON.parse(readFileSync(new URL('manifest.json', guestDir), 'utf8'));
  const img = manifest.images.find((i: { name: string }) => i.name === name);
  const disk = new Uint8Array(gunzipSync(readFileSync(new URL(img.file, guestDir))));
  const s = await (await loadEngine()).open([disk]);
  s.inspect();
  s.mount();
  const g = wasmGuestView(s.x);
  const path = img.kernel.initrd.path as string;
  return { g, path, bytes: g.readBytes(path)! };
}

describe('the real initramfs files, read from the guest in chunks', () => {
  it.each(IMAGES)('%s (%s): the same members, modules, parts and error as the whole-buffer reading', async (name) => {
    const { g, path, bytes } = await guestOf(name);
    const want = await wholeBuffer(bytes);
    // the head-only file stops in its first zstd frame: an error, and nothing listed
    if (name === 'debian12-gpt') expect(want.error?.code).toMatch(/^zstd\./);
    else expect(want.paths.length).toBeGreaterThan(100);
    for (const chunk of [4096, 65536, undefined]) {
      let reads = 0, largest = 0;
      const counted: GuestView = { ...g, readBytes(p, o, n) { reads++; largest = Math.max(largest, n ?? 0); return g.readBytes(p, o, n); } };
      const r = (await readGuestInitramfs(counted, path, chunk ? { chunk } : {}))!;
      const got: Listing = { paths: [...r.paths], modules: [...r.modules], parts: r.parts, ...(r.error ? { error: r.error } : {}) };
      expect(got, `chunk ${chunk}`).toEqual(want);
      // read once, front to back, never more than a chunk at a time
      const c = chunk ?? 1 << 20;
      expect(largest).toBeLessThanOrEqual(c);
      if (want.error) expect(reads).toBeLessThanOrEqual(Math.ceil(bytes.length / c));
      else expect(reads).toBe(Math.ceil(bytes.length / c));
    }
  });

  it('zstd through libzstd directly and through zstddec\'s stream generator (the fallback) list the same', async () => {
    // initDecoders found zstddec's instance (else every check takes the generator's garbage)
    expect(zstdDecodesDirectly()).toBe(true);
    const { bytes } = await guestOf('debian12-cloud');
    const direct = await streamed(bytes, 65536);
    useZstdDirect(false);
    expect(zstdDecodesDirectly()).toBe(false);
    try {
      expect(await streamed(bytes, 65536)).toEqual(direct);
    } finally {
      useZstdDirect(true);
    }
    expect(direct.parts.at(-1)).toMatchObject({ codec: 'zstd' });
  });

  it('holds one chunk of the file and one decoder piece of the output, never the part whole', async () => {
    for (const [name] of IMAGES.slice(0, 2)) {
      const { g, path, bytes } = await guestOf(name);
      let largestRead = 0, largestOutput = 0;
      const r = (await readGuestInitramfs(g, path, { chunk: 65536, onBounds: (a, b) => { largestRead = a; largestOutput = b; } }))!;
      expect(r.error).toBeUndefined();
      const total = (await decompress(r.parts.at(-1)!.codec as never, bytes, r.parts.at(-1)!.offset, MAX_INITRAMFS_OUTPUT)).data.length;
      expect(total, name).toBeGreaterThan(4 << 20);
      expect(largestRead, name).toBeLessThanOrEqual(65536);
      // zstd hands 1 MiB pieces, xz-embedded its own buffer's worth
      expect(largestOutput, name).toBeLessThanOrEqual(1 << 20);
    }
  });
});

// ---- 3cpio's archives, whole and damaged ----

const CORPUS = '/work/shared/corpus/3cpio';
const have = existsSync(CORPUS);
const corpus = (n: string) => new Uint8Array(readFileSync(`${CORPUS}/${n}`));

describe.skipIf(!have)(`3cpio archives streamed in small chunks (${have ? CORPUS : `${CORPUS} is absent: skipped`})`, () => {
  const files = ['single.cpio', 'gzip.cpio', 'bzip2.cpio', 'xz.cpio', 'lzma.cpio', 'lz4.cpio', 'zstd.cpio', 'lzop.cpio', 'path-traversal.cpio', 'bigdata.cpio'];
  it.each(files)('%s lists as the whole-buffer reading does, at chunks of 7, 512 and 64 KiB', async (f) => {
    const b = corpus(f);
    const want = await wholeBuffer(b);
    for (const chunk of [7, 512, 65536]) expect(await streamed(b, chunk), `chunk ${chunk}`).toEqual(want);
  });

  it.each(['single.cpio', 'gzip.cpio', 'zstd.cpio', 'lz4.cpio', 'xz.cpio'])('%s cut short anywhere: the same error and the same members listed before it', async (f) => {
    const b = corpus(f);
    const step = Math.max(1, Math.floor(b.length / 97));
    for (let cut = 1; cut < b.length; cut += step) {
      const part = b.slice(0, cut);
      expect(await streamed(part, 13), `${f} cut at ${cut}`).toEqual(await wholeBuffer(part));
    }
  });

  it.each(['single.cpio', 'zstd.cpio', 'lz4.cpio', 'gzip.cpio'])('%s with bytes changed: the same error and listing', async (f) => {
    const b = corpus(f);
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let k = 0; k < 60; k++) {
      const x = b.slice();
      const at = Math.floor(rnd() * x.length);
      x[at] ^= 1 << Math.floor(rnd() * 8);
      expect(await streamed(x, 29), `${f} bit flipped at ${at}`).toEqual(await wholeBuffer(x));
    }
  });
});

// ---- the streaming lister against parseCpio on made archives ----

describe('CpioStream', () => {
  const enc = new TextEncoder();
  function member(name: string, data: Uint8Array | number, nameSize = name.length + 1): Uint8Array {
    const size = typeof data === 'number' ? data : data.length;
    const h = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
    const s = '070701' + [1, 0o100644, 0, 0, 1, 0, size, 0, 0, 0, 0, nameSize, 0].map(h).join('');
    const head = enc.encode(s + name + '\0' + '\0'.repeat((4 - ((110 + nameSize) % 4)) % 4));
    const body = typeof data === 'number' ? new Uint8Array(data) : data;
    const out = new Uint8Array(head.length + body.length + ((4 - (body.length % 4)) % 4));
    out.set(head);
    out.set(body, head.length);
    return out;
  }
  const cat = (...a: Uint8Array[]) => { const o = new Uint8Array(a.reduce((n, x) => n + x.length, 0)); let p = 0; for (const x of a) { o.set(x, p); p += x.length; } return o; };
  const list = (b: Uint8Array, chunk: number): CpioListing[] | string => {
    const out: CpioListing[] = [];
    const s = new CpioStream((a) => out.push(a));
    try {
      for (let p = 0; p < b.length && !s.done; p += chunk) s.push(b.subarray(p, p + chunk));
      s.finish();
    } catch (e) { return (e as Error).message; }
    return out;
  };
  const whole = (b: Uint8Array): CpioListing[] | string => {
    try { const a = parseCpio(b); return [{ names: a.entries.map((e) => e.name), start: 0, end: a.end }]; } catch (e) { return (e as Error).message; }
  };

  it('lists members and passes over their data, with the same end and errors as parseCpio', () => {
    const a = cat(member('./a', enc.encode('abcde')), member('/b/c', 3), member('.', 0), member('big', 5000), member('TRAILER!!!', 0));
    for (const chunk of [1, 3, 110, 4096]) {
      expect(list(a, chunk)).toEqual(whole(a));
      for (let cut = 0; cut < a.length; cut += 13) expect(list(a.subarray(0, cut), chunk), `cut ${cut}`).toEqual(whole(a.subarray(0, cut)));
    }
    expect(list(a, 5)).toEqual([{ names: ['a', 'b/c', 'big'], start: 0, end: a.length }]);
  });

  it('holds only a header, however large a member is', () => {
    // 64 MiB of member data handed in 64 KiB pieces: counted off, never kept
    const s = new CpioStream(() => {});
    s.push(member('huge', 64 << 20).subarray(0, 200));
    expect(s.skippable()).toBeGreaterThan((64 << 20) - 200);
    s.skip(s.skippable());
    s.push(member('TRAILER!!!', 0));
    expect(s.done).toBe(true);
  });

  it('names bad hex, a missing NUL and a bad name size as parseCpio does', () => {
    const bad = member('a', 0); bad[20] = 0x5a;
    const nul = member('abc', 0); nul[113] = 0x41;
    const size = member('a', 0, 5000);
    for (const b of [bad, nul, size]) expect(list(cat(b, member('TRAILER!!!', 0)), 7)).toEqual(whole(cat(b, member('TRAILER!!!', 0))));
  });
});
