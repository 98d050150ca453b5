// SPDX-License-Identifier: Apache-2.0
// The initramfs reader over 3cpio's test archives (corpus, read in place):
// single.cpio (uncompressed) followed by shell.cpio compressed with each codec
// the kernel knows, lz4 in the kernel's legacy frame.
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { initDecoders } from '../../src/facts/decompress';
import { readInitramfs, moduleOfPath } from '../../src/facts/initramfs';
import { parseCpio, CpioError } from '../../src/facts/cpio';

const CORPUS = '/work/shared/corpus/3cpio';
const have = existsSync(CORPUS);
const read = (n: string) => new Uint8Array(readFileSync(`${CORPUS}/${n}`));

beforeAll(async () => { await initDecoders(); });

describe.skipIf(!have)(`3cpio corpus (${have ? CORPUS : `${CORPUS} is absent: skipped`})`, () => {
  it('lists single.cpio', async () => {
    const r = await readInitramfs(read('single.cpio'));
    expect(r.error).toBeUndefined();
    expect([...r.paths]).toEqual(['path', 'path/file']);
    expect(r.parts).toEqual([{ offset: 0, codec: 'none', members: 2 }]);
  });

  it.each(['gzip', 'bzip2', 'xz', 'lzma', 'lz4', 'zstd'])('reads the early archive and the %s-compressed one', async (codec) => {
    const r = await readInitramfs(read(`${codec}.cpio`));
    expect(r.error).toBeUndefined();
    expect(r.parts.map((p) => p.codec)).toEqual(['none', codec]);
    expect([...r.paths]).toEqual(['path', 'path/file', 'usr', 'usr/bin', 'usr/bin/ash', 'usr/bin/sh']);
  });

  it('names lzop as not supported, after listing the uncompressed part', async () => {
    const r = await readInitramfs(read('lzop.cpio'));
    expect(r.error?.code).toBe('lzo.unsupported');
    expect([...r.paths]).toEqual(['path', 'path/file']);
  });

  it('reads bigdata.cpio (102.5 MB of zeros behind zstd)', async () => {
    const r = await readInitramfs(read('bigdata.cpio'));
    expect(r.error).toBeUndefined();
    expect(r.parts.at(-1)!.codec).toBe('zstd');
    expect(r.paths.size).toBeGreaterThan(6);
  });

  it('lists path-traversal.cpio members without following them', async () => {
    const r = await readInitramfs(read('path-traversal.cpio'));
    expect(r.error).toBeUndefined();
    expect([...r.paths]).toContain('tmp/trav.txt');
  });
});

describe('cpio bounds', () => {
  const enc = new TextEncoder();
  function header(name: string, size: number, nameSize = name.length + 1): Uint8Array {
    const h = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');
    const s = '070701' + [1, 0o100644, 0, 0, 1, 0, size, 0, 0, 0, 0, nameSize, 0].map(h).join('');
    const pad = (4 - ((110 + nameSize) % 4)) % 4;
    return enc.encode(s + name + '\0' + '\0'.repeat(pad));
  }
  const cat = (...a: Uint8Array[]) => { const o = new Uint8Array(a.reduce((n, x) => n + x.length, 0)); let p = 0; for (const x of a) { o.set(x, p); p += x.length; } return o; };

  it('parses a member and the trailer', () => {
    const a = parseCpio(cat(header('a', 4), enc.encode('abcd'), header('TRAILER!!!', 0)));
    expect(a.entries).toMatchObject([{ name: 'a', size: 4 }]);
  });
  it('rejects a name without its NUL', () => {
    const b = header('abc', 0);
    b[110 + 3] = 0x41;
    expect(() => parseCpio(b)).toThrow(/not NUL-terminated/);
  });
  it('rejects data running past the end', () => {
    expect(() => parseCpio(header('a', 1000))).toThrow(CpioError);
    expect(() => parseCpio(header('a', 1000))).toThrow(/run past the end/);
  });
  it('rejects a missing trailer and bad hex', () => {
    expect(() => parseCpio(header('a', 0))).toThrow(/without its TRAILER!!!/);
    const b = header('a', 0); b[20] = 0x5a;
    expect(() => parseCpio(b)).toThrow(/not hexadecimal/);
  });
  it('names modules as modprobe does', () => {
    expect(moduleOfPath('usr/lib/modules/6.1/kernel/drivers/nvme/host/nvme-core.ko.xz')).toBe('nvme_core');
    expect(moduleOfPath('lib/modules/3.10/kernel/drivers/block/virtio_blk.ko')).toBe('virtio_blk');
    expect(moduleOfPath('etc/modprobe.d/x.conf')).toBeNull();
  });
});

describe.skipIf(!have)('damaged initramfs parts (3cpio corpus, altered in memory)', () => {
  it('reports corrupt zstd data as an error, never hanging', async () => {
    const b = read('zstd.cpio');
    b[560] ^= 0x55; // inside the compressed block: the decoder stalls, which is taken as the error it is
    const r = await readInitramfs(b);
    expect(r.error).toEqual({ code: 'zstd.corrupt', message: 'the zstd data is corrupt (the decoder makes no progress)' });
    expect([...r.paths]).toEqual(['path', 'path/file']);
  });
  it('reports corrupt gzip and xz data with the codec in the code', async () => {
    for (const codec of ['gzip', 'xz']) {
      const b = read(`${codec}.cpio`);
      for (let i = 540; i < b.length - 16; i++) b[i] ^= 0xa5;
      const r = await readInitramfs(b);
      expect(r.error?.code, codec).toMatch(new RegExp(`^(${codec}|cpio)\\.`));
    }
  });
  it('reads the crc (070702) variant of the header', async () => {
    const b = read('single.cpio');
    for (let i = 0; i + 6 <= b.length; i++) if (String.fromCharCode(...b.subarray(i, i + 6)) === '070701') b[i + 5] = 0x32;
    const r = await readInitramfs(b);
    expect(r.error).toBeUndefined();
    expect([...r.paths]).toEqual(['path', 'path/file']);
  });
});

describe('decoder bounds', () => {
  it('decodes zstd frames that declare their size in one call, and names a frame whose data disagrees', async () => {
    const { decompress } = await import('../../src/facts/decompress');
    // RFC 8878 by hand: magic, a single-segment header with a 1-byte content size, one raw last block
    const frame = (declared: number, body: number[]) => Uint8Array.from([
      0x28, 0xb5, 0x2f, 0xfd, 0x20, declared,
      ((body.length << 3) | 1) & 0xff, (body.length << 3) >> 8, 0, ...body,
    ]);
    const body = [...'070701-not-really-cpio'].map((c) => c.charCodeAt(0));
    const two = Uint8Array.from([...frame(body.length, body), ...frame(3, [1, 2, 3])]);
    const r = await decompress('zstd', two, 0, 1 << 20);
    expect([...r.data]).toEqual([...body, 1, 2, 3]);
    expect(r.end).toBe(two.length);
    await expect(decompress('zstd', frame(body.length + 1, body), 0, 1 << 20)).rejects.toMatchObject({ code: 'zstd.corrupt', message: expect.stringMatching(/not the 23 its frame headers declare/) });
    await expect(decompress('zstd', frame(body.length, body), 0, 8)).rejects.toMatchObject({ code: 'zstd.too-large' });
  });
  it('refuses gzip output past the bound, and names truncated gzip data', async () => {
    const { gzipSync } = await import('fflate');
    const { decompress } = await import('../../src/facts/decompress');
    const bomb = gzipSync(new Uint8Array(8 << 20));
    await expect(decompress('gzip', bomb, 0, 1 << 20)).rejects.toMatchObject({ code: 'gzip.too-large' });
    expect((await decompress('gzip', bomb, 0, 16 << 20)).data.length).toBe(8 << 20);
    await expect(decompress('gzip', bomb.subarray(0, bomb.length >> 1), 0, 16 << 20)).rejects.toMatchObject({ code: 'gzip.corrupt', message: expect.stringMatching(/unexpected EOF/) });
  });
});
