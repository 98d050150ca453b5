// SPDX-License-Identifier: Apache-2.0
// Volume probes without a filesystem reader: swap (4 KiB and 64 KiB pages),
// LUKS1/LUKS2, ISO9660 and UDF, over images made by the real tools
// (test/fixtures/recipes/probe.sh: mkswap, cryptsetup luksFormat, xorriso,
// mkudffs), compared with what blkid -p says when it is installed; and an
// encrypted root, which leaves the guest uninspectable with a reason.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEngine } from '../helpers/engine';

const eng = await loadEngine();
const fixture = (name: string) => new Uint8Array(gunzipSync(readFileSync(new URL(`../fixtures/probe/${name}.gz`, import.meta.url))));
const blkid = ['blkid', '/sbin/blkid', '/usr/sbin/blkid'].find((p) => !spawnSync(p, ['-V']).error) ?? null;

async function volume(img: Uint8Array) {
  const s = await eng.open([img]);
  const info = s.inspect();
  expect(info).not.toBeNull();
  return { s, v: info.volumes[0] };
}

/** blkid -p's TYPE/UUID/LABEL/VERSION of the image, or null without blkid. */
function blkidOf(img: Uint8Array): Record<string, string> | null {
  if (!blkid) return null;
  const dir = mkdtempSync(join(tmpdir(), 'probe-'));
  try {
    writeFileSync(join(dir, 'x.img'), img);
    const r = spawnSync(blkid, ['-p', '-o', 'export', join(dir, 'x.img')], { encoding: 'utf8' });
    return Object.fromEntries(r.stdout.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const CASES = [
  { file: 'swap-4k.img', fs: 'swap', uuid: '0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9', label: 'swap4k', version: 1 },
  { file: 'swap-64k.img', fs: 'swap', uuid: '1b2c3d4e-5f60-4172-8394-a5b6c7d8e9fa', label: 'swap64k', version: 1 },
  { file: 'luks1.img', fs: 'crypto_LUKS', uuid: '2c3d4e5f-6071-4283-94a5-b6c7d8e9fa0b', label: '', version: 1 },
  { file: 'luks2.img', fs: 'crypto_LUKS', uuid: '3d4e5f60-7182-4394-a5b6-c7d8e9fa0b1c', label: 'secret-root', version: 2 },
  { file: 'cd.iso', fs: 'iso9660', uuid: '2023-11-14-22-13-20-00', label: 'GUESTCHECK_CD' },
  { file: 'udf.img', fs: 'udf', uuid: '0123456789abcdef', label: 'GUESTCHECK_UDF' },
];

describe('probes', () => {
  for (const c of CASES) {
    it(`${c.file}: ${c.fs} with its UUID and label${blkid ? ', as blkid -p says' : ' (blkid absent: fixed values only)'}`, async () => {
      const img = fixture(c.file);
      const { v } = await volume(img);
      expect(v).toMatchObject({ fs: c.fs, uuid: c.uuid, label: c.label });
      if (c.version !== undefined) expect(v.fsVersion).toBe(c.version);
      const b = blkidOf(img);
      if (b) {
        expect(v.fs).toBe(b.TYPE);
        expect(v.uuid).toBe(b.UUID ?? '');
        expect(v.label).toBe(b.LABEL ?? '');
      }
    });
  }

  it('LUKS2 with a damaged primary header is found through its secondary copy', async () => {
    const img = fixture('luks2.img');
    img[0] = 0; // "LUKS" → "\0UKS"
    const { v } = await volume(img);
    expect(v).toMatchObject({ fs: 'crypto_LUKS', uuid: '3d4e5f60-7182-4394-a5b6-c7d8e9fa0b1c', fsVersion: 2 });
  });

  it('a swap area without its signature is not swap', async () => {
    const img = fixture('swap-4k.img');
    img[4096 - 1] = 0x30; // "SWAPSPACE2" → "SWAPSPACE0"
    expect((await volume(img)).v.fs).toBe('');
  });

  it('filesystems without a reader are named by their magic', async () => {
    const cases: [string, (b: Uint8Array) => void][] = [
      ['BitLocker', (b) => b.set(new TextEncoder().encode('-FVE-FS-'), 3)],
      ['f2fs', (b) => new DataView(b.buffer).setUint32(1024, 0xf2f52010, true)],
      ['linux_raid_member', (b) => new DataView(b.buffer).setUint32(4096, 0xa92b4efc, true)],
      ['jfs', (b) => b.set(new TextEncoder().encode('JFS1'), 32768)],
      ['reiserfs', (b) => b.set(new TextEncoder().encode('ReIsEr2Fs'), 65536 + 52)],
    ];
    for (const [name, set] of cases) {
      const b = new Uint8Array(1 << 20);
      set(b);
      expect((await volume(b)).v.fs, name).toBe(name);
    }
  });
});

describe('an encrypted root', () => {
  it('a whole-disk LUKS volume: no root, and the reason says it is encrypted and what that means', async () => {
    const { s } = await volume(fixture('luks2.img'));
    const g = s.mount();
    expect(g.platform).toBe('');
    expect(g.root).toBe('');
    expect(g.rootReason).toMatch(/volume disk is encrypted \(LUKS, UUID 3d4e5f60-7182-4394-a5b6-c7d8e9fa0b1c\): its files cannot be inspected/);
    expect(g.rootReason).toMatch(/cannot boot unattended/);
  });

  it('the SUSE-like disk with its Btrfs root replaced by a LUKS2 header: p3 is named crypto_LUKS, the ESP still probes', async () => {
    const disk = new Uint8Array(gunzipSync(readFileSync(new URL('../fixtures/guest/suse-like-btrfs.img.gz', import.meta.url))));
    const s0 = await eng.open([disk]);
    const p3 = s0.inspect().volumes.find((v: any) => v.id === 'p3');
    const luks = fixture('luks2.img').subarray(0, 32768);
    disk.set(luks, p3.start);
    disk.fill(0, p3.start + 65536, p3.start + 65536 + 4096); // the Btrfs superblock
    const s = await eng.open([disk]);
    const vols = s.inspect().volumes;
    expect(vols.find((v: any) => v.id === 'p3')).toMatchObject({ fs: 'crypto_LUKS', uuid: '3d4e5f60-7182-4394-a5b6-c7d8e9fa0b1c' });
    expect(vols.find((v: any) => v.id === 'p2')).toMatchObject({ fs: 'vfat' });
    const g = s.mount();
    expect(g.root).toBe('');
    expect(g.rootReason).toMatch(/^volume p3 is encrypted/);
  });
});
