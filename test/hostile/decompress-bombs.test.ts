// SPDX-License-Identifier: Apache-2.0
// Every initramfs decoder stops a bomb at a bound with a named error, holding
// no more than the bound: gzip by the ratio and the caller's limit as it
// streams, bzip2 through its counting output, lzma by its declared size before
// decoding, zstd/xz/lz4 as they grow. The bombs come from bombs.ts and the
// system's bzip2/xz (skipped, saying so, when absent).
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { decompress, initDecoders, MAX_RATIO, RATIO_FLOOR } from '../../src/facts/decompress';
import { readInitramfs } from '../../src/facts/initramfs';
import { gzipBomb, cpioHeader } from './bombs';

beforeAll(async () => { await initDecoders(); });

const tool = (cmd: string, args: string[], input: Uint8Array) => {
  const r = spawnSync(cmd, args, { input, maxBuffer: 64 << 20 });
  return r.error || r.status !== 0 ? null : new Uint8Array(r.stdout);
};
const haveBzip2 = spawnSync('bzip2', ['--help']).error === undefined;
const haveXz = spawnSync('xz', ['--version']).error === undefined;

describe('decompression bombs', () => {
  it('a gzip bomb (2 GiB of zeros in 2 MB) stops at the ratio bound, fast', async () => {
    const bomb = gzipBomb(cpioHeader('bomb', 0xffffffff), 128);
    expect(bomb.length).toBeLessThan(4 << 20);
    const t = performance.now();
    const e = await decompress('gzip', bomb, 0, 1 << 30).catch((x) => x);
    expect(e).toMatchObject({ code: 'gzip.ratio' });
    expect(e.message).toBe(`the gzip data expands past ${RATIO_FLOOR} bytes from ${bomb.length} bytes, more than ${MAX_RATIO} times its size: a decompression bomb, not an initramfs`);
    expect(performance.now() - t).toBeLessThan(20_000);
  });

  it('as an initramfs, the gzip bomb is the initramfs error, and the uncompressed early part is still listed', async () => {
    const early = new Uint8Array([...cpioHeader('kernel/x86/microcode/GenuineIntel.bin', 0), ...cpioHeader('TRAILER!!!', 0)]);
    const padded = new Uint8Array(Math.ceil(early.length / 512) * 512);
    padded.set(early);
    const bomb = gzipBomb(cpioHeader('bomb', 0xffffffff), 64);
    const img = new Uint8Array(padded.length + bomb.length);
    img.set(padded);
    img.set(bomb, padded.length);
    const r = await readInitramfs(img, '/boot/initrd.img');
    expect(r.error?.code).toBe('gzip.ratio');
    expect([...r.paths]).toEqual(['kernel/x86/microcode/GenuineIntel.bin']);
  });

  it('the caller\'s limit holds below the ratio: gzip.too-large', async () => {
    const bomb = gzipBomb(new Uint8Array(0), 2);
    await expect(decompress('gzip', bomb, 0, 1 << 20)).rejects.toMatchObject({ code: 'gzip.too-large' });
  });

  it('a gzip header cut short or with an unterminated name is gzip.header', async () => {
    await expect(decompress('gzip', new Uint8Array([0x1f, 0x8b, 8, 0]), 0, 1 << 20)).rejects.toMatchObject({ code: 'gzip.header', message: 'the gzip header is cut short (4 bytes)' });
    const named = new Uint8Array([0x1f, 0x8b, 8, 8, 0, 0, 0, 0, 0, 3, 0x61, 0x62, 0x63]);
    await expect(decompress('gzip', named, 0, 1 << 20)).rejects.toMatchObject({ code: 'gzip.header', message: 'the gzip header file name has no terminating NUL' });
  });

  it.skipIf(!haveBzip2)('a bzip2 bomb stops at the bound while it decodes (bzip2 -9)', async () => {
    const b = tool('bzip2', ['-9', '-c'], new Uint8Array(32 << 20))!;
    expect(b.length).toBeLessThan(4096);
    await expect(decompress('bzip2', b, 0, 4 << 20)).rejects.toMatchObject({ code: 'bzip2.too-large' });
    expect((await decompress('bzip2', b, 0, 64 << 20)).data.length).toBe(32 << 20);
  });

  it('an .lzma header declaring a terabyte is refused before decoding', async () => {
    const h = new Uint8Array(64);
    h.set([0x5d, 0, 0, 0x80, 0]);
    new DataView(h.buffer).setBigUint64(5, 1n << 40n, true);
    await expect(decompress('lzma', h, 0, 1 << 30)).rejects.toMatchObject({ code: 'lzma.ratio' });
  });

  it.skipIf(!haveXz)('an xz bomb stops at the bound as it grows', async () => {
    const xz = tool('xz', ['-c', '--check=crc32'], new Uint8Array(64 << 20))!;
    await expect(decompress('xz', xz, 0, 8 << 20)).rejects.toMatchObject({ code: 'xz.too-large' });
  });
});
