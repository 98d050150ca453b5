// SPDX-License-Identifier: Apache-2.0
// Containers made by other tools (Hyper-V, Virtual PC, VirtualBox, dissect's
// test data, qemu-iotests' fuzzed samples) from /work/shared/corpus, read in
// place and checked against the ground truth in its README.md.
import { describe, it, expect } from 'vitest';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { loadEngine } from '../helpers/engine';

const corpus = '/work/shared/corpus/';
const here = existsSync(corpus + 'dissect.hypervisor') && existsSync(corpus + 'qemu-iotests');
const hasBzip2 = spawnSync('bzip2', ['--help']).status === 0;
const hasQemuImg = spawnSync('qemu-img', ['--version']).status === 0;

/** CRC-32C (Castagnoli) as VHDX headers use it. */
function crc32c(b: Uint8Array): number {
  let c = ~0;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}
const eng = await loadEngine();

/** A corpus file, decompressed in memory (.gz with node zlib, .bz2 with bzip2 -dc). */
function load(path: string): Uint8Array {
  const full = corpus + path;
  if (full.endsWith('.gz')) return new Uint8Array(gunzipSync(readFileSync(full)));
  const r = spawnSync('bzip2', ['-dc', full], { maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error('bzip2 -dc failed on ' + full);
  return new Uint8Array(r.stdout);
}
const base = (p: string) => p.replace(/^.*\//, '').replace(/\.(gz|bz2)$/, '');

async function open(...paths: string[]) {
  const s = await eng.open(paths.map(load), { names: paths.map(base) });
  return { s, img: s.inspect() };
}

const dh = 'dissect.hypervisor/disk/';
const qi = 'qemu-iotests/';
if (!here) console.warn('container-corpus: /work/shared/corpus (dissect.hypervisor, qemu-iotests) is absent: these tests are skipped');

describe.skipIf(!here)('dissect.hypervisor containers', () => {
  it('qcow2 backing chain 1 → 2 → 3: MiB 0..4 hold the text of each layer', async () => {
    const { s, img } = await open(dh + 'qcow2/backing-chain-3.qcow2.gz', dh + 'qcow2/backing-chain-1.qcow2.gz', dh + 'qcow2/backing-chain-2.qcow2.gz');
    expect(img.container.topFile).toBe('backing-chain-1.qcow2');
    expect(img.container.backingChain).toEqual(['backing-chain-2.qcow2', 'backing-chain-3.qcow2']);
    const texts = ['Nothing here', 'Nothing here two', 'Something here three', 'Something here four', 'Something here five'];
    texts.forEach((t, i) => {
      const b = s.x.rawRead(-1, i << 20, t.length + 1);
      expect(Buffer.from(b!).toString('latin1')).toBe(t + '\0');
    });
  });

  it('qcow2 backing chain: the overlay alone names its backing file', async () => {
    const { s, img } = await open(dh + 'qcow2/backing-chain-1.qcow2.gz');
    expect(img).toBeNull();
    expect(s.lastError()).toMatchObject({ code: 'qcow2.backing.missing' });
    expect(s.lastError()!.message).toMatch(/backing-chain-2\.qcow2/);
  });

  it('qcow2 with an external data file: MiB i holds byte i', async () => {
    const { s, img } = await open(dh + 'qcow2/data-file.qcow2.gz', dh + 'qcow2/data-file.bin.gz');
    expect(img.container.files).toEqual(['data-file.qcow2', 'data-file.bin']);
    for (const i of [0, 1, 7, 100, 254]) {
      const b = s.x.rawRead(-1, i * 1048576 + 4096, 4096)!;
      expect(b.every((x) => x === i), `MiB ${i}`).toBe(true);
    }
  });

  it('qcow2 with an external data file given alone: names the data file', async () => {
    const { s, img } = await open(dh + 'qcow2/data-file.qcow2.gz');
    expect(img).toBeNull();
    expect(s.lastError()).toMatchObject({ code: 'qcow2.data-file.missing' });
    expect(s.lastError()!.message).toMatch(/data-file\.bin/);
  });

  it('qcow2 with internal snapshots: the active layer is read and the snapshots noted', async () => {
    const { s, img } = await open(dh + 'qcow2/snapshot.qcow2.gz');
    expect(img.virtualSize).toBe(512 << 20);
    expect(img.notes.join(' ')).toMatch(/2 internal snapshot/);
    expect(s.x.rawRead(-1, 0, 4 << 20)!.every((x) => x === 0)).toBe(true);
  });

  it('qcow2 with deflate-compressed clusters: MiB i holds byte i', async () => {
    const { s, img } = await open(dh + 'qcow2/basic.qcow2.gz');
    expect(img.virtualSize).toBe(512 << 20);
    for (const i of [0, 1, 2, 100, 254]) {
      const b = s.x.rawRead(-1, i * 1048576, 1048576);
      expect(b, JSON.stringify(s.lastError())).not.toBeNull();
      expect(b!.every((x) => x === i), `MiB ${i}`).toBe(true);
    }
  });

  it('qcow2 with zstd-compressed clusters: MiB i holds byte i', async () => {
    const { s, img } = await open(dh + 'qcow2/basic-zstd.qcow2.gz');
    expect(img.virtualSize).toBe(512 << 20);
    expect(img.container.compression).toBe('zstd');
    // MiB i (i = 0..254) holds byte i (the corpus README): every MiB, 255 MiB of zstd clusters
    for (let i = 0; i < 255; i++) {
      const b = s.x.rawRead(-1, i * 1048576, 1048576);
      expect(b, JSON.stringify(s.lastError())).not.toBeNull();
      if (!b!.every((x) => x === i)) expect.fail(`MiB ${i} is not all ${i}`);
    }
  });

  it('VDI 1.1: first MiB zero, then 4 KiB block k holds k % 256', async () => {
    const { s, img } = await open(dh + 'vdi/basic.vdi.gz');
    expect(img).toMatchObject({ format: 'vdi', virtualSize: 10 << 20 });
    expect(s.x.rawRead(-1, 0, 1 << 20)!.every((x) => x === 0)).toBe(true);
    for (const k of [256, 257, 511, 1000, 2559]) {
      expect(s.x.rawRead(-1, k * 4096, 4096)!.every((x) => x === k % 256), `block ${k}`).toBe(true);
    }
  });

  it('dynamic VHD made by Windows: MBR with one 0x07 partition at LBA 128, 0xFF × 512 at 0x200000', async () => {
    const { s, img } = await open(dh + 'vhd/dynamic.vhd.gz');
    expect(img).toMatchObject({ format: 'vhd', virtualSize: 10 << 20, partitionTable: 'mbr' });
    expect(img.container.subformat).toBe('dynamic');
    expect(img.volumes).toHaveLength(1);
    expect(img.volumes[0]).toMatchObject({ type: '0x07', start: 128 * 512, size: 14336 * 512 });
    expect(s.x.rawRead(-1, 0x200000, 512)!.every((x) => x === 0xff)).toBe(true);
  });

  it('dynamic VHDX: 10 MiB, 32 MiB blocks', async () => {
    const { img } = await open(dh + 'vhdx/dynamic.vhdx.gz');
    expect(img).toMatchObject({ format: 'vhdx', virtualSize: 0xa00000 });
    expect(img.container).toMatchObject({ subformat: 'dynamic', clusterSize: 0x2000000 });
  });

  it('differencing VHDX without its parent: names the parent', async () => {
    const { s, img } = await open(dh + 'vhdx/differencing.avhdx.gz');
    expect(img).toBeNull();
    expect(s.lastError()).toMatchObject({ kind: 'unsupported', code: 'vhdx.parent.missing' });
    expect(s.lastError()!.message).toMatch(/Generation 1_49C4BAF3-4B25-4406-8C4B-D39E65C32385\.avhdx/);
  });
});

describe.skipIf(!here || !hasBzip2)('qemu-iotests samples (bzip2 -dc)', () => {
  it('VHDX made by Windows Server 2012: 1 GiB', async () => {
    const { img } = await open(qi + 'iotest-dynamic-1G.vhdx.bz2');
    expect(img).toMatchObject({ format: 'vhdx', virtualSize: 1 << 30 });
  });

  it('VHDX whose log needs replay: replayed in memory, and said so', async () => {
    const { img } = await open(qi + 'iotest-dirtylog-10G-4M.vhdx.bz2');
    expect(img).toMatchObject({ format: 'vhdx', virtualSize: 10 * 2 ** 30 });
    expect(img.notes.join(' ')).toMatch(/not closed cleanly: its log held 1 entry \(sequence 7\.\.7\) that were applied in memory/);
  });

  it.skipIf(!hasQemuImg)('VHDX log replay equals qemu-img check -r all\'s replay (qemu-img installed), and matters', async () => {
    const b = load(qi + 'iotest-dirtylog-10G-4M.vhdx.bz2');
    const d = mkdtempSync(join(tmpdir(), 'gc-vhdx-log-'));
    try {
      writeFileSync(join(d, 'r.vhdx'), b);
      expect(spawnSync('qemu-img', ['check', '-r', 'all', join(d, 'r.vhdx')]).status).toBe(0);
      expect(spawnSync('qemu-img', ['convert', '-O', 'raw', join(d, 'r.vhdx'), join(d, 'r.raw')]).status).toBe(0);
      const fd = openSync(join(d, 'r.raw'), 'r');
      const want = (off: number, len: number) => { const w = new Uint8Array(len); readSync(fd, w, 0, len, off); return w; };
      const s = await eng.open([b], { names: ['d.vhdx'] });
      s.inspect();
      // the data lies in the first 18 MiB; the rest is sampled
      const offs = [...Array(64).keys()].map((i) => i << 20).concat([...Array(40).keys()].map((i) => ((i * 7919) % 10240) * 1048576));
      for (const off of offs) expect(Buffer.compare(Buffer.from(s.x.rawRead(-1, off, 1 << 20)!), Buffer.from(want(off, 1 << 20))), `MiB ${off / 1048576}`).toBe(0);
      // Without the replay (log GUID cleared in both headers, CRC-32C redone) some of it differs.
      const nolog = b.slice();
      for (const h of [65536, 131072]) {
        nolog.fill(0, h + 48, h + 64);
        new DataView(nolog.buffer).setUint32(h + 4, 0, true);
        new DataView(nolog.buffer).setUint32(h + 4, crc32c(nolog.subarray(h, h + 4096)), true);
      }
      const s2 = await eng.open([nolog], { names: ['d.vhdx'] });
      expect(s2.inspect().notes.join(' ')).not.toMatch(/log/);
      const differs = [...Array(18).keys()].some((i) => {
        const got = s2.x.rawRead(-1, i << 20, 1 << 20);
        return got === null || Buffer.compare(Buffer.from(got), Buffer.from(want(i << 20, 1 << 20))) !== 0;
      });
      expect(differs).toBe(true);
      closeSync(fd);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('dynamic VHD made by Virtual PC: the footer size, with the CHS size noted', async () => {
    const { img } = await open(qi + 'virtualpc-dynamic.vhd.bz2');
    expect(img.virtualSize).toBe(136365211648);
    expect(img.notes.join(' ')).toContain('136363130880');
  });

  it('fuzzed VHD (afl5): a clear error about its dynamic header', async () => {
    const { s, img } = await open(qi + 'afl5.img.bz2');
    expect(img).toBeNull();
    expect(s.lastError()!.code).toMatch(/^vhd\./);
    expect(s.lastError()!.message).toMatch(/afl5\.img/);
  });

  it('fuzzed VMDK (afl9): a limit error on its absurd capacity', async () => {
    const { s, img } = await open(qi + 'afl9.vmdk.bz2');
    expect(img).toBeNull();
    expect(s.lastError()).toMatchObject({ kind: 'limit' });
    expect(s.lastError()!.code).toMatch(/^vmdk\./);
  });

  it.each([['empty.bochs.bz2', /Bochs/], ['parallels-v1.bz2', /Parallels/], ['simple-dmg.dmg.bz2', /DMG/], ['simple-pattern.cloop.bz2', /cloop/]])('%s is named as not supported, listing what is', async (f, what) => {
    const { s, img } = await open(qi + f);
    expect(img).toBeNull();
    expect(s.lastError()).toMatchObject({ kind: 'unsupported', code: 'container.unsupported' });
    expect(s.lastError()!.message).toMatch(what);
    expect(s.lastError()!.message).toMatch(/qcow2, VHD/);
  });
});
