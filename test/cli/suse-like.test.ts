// SPDX-License-Identifier: Apache-2.0
// The CLI over the SUSE-like disk (test/fixtures/recipes/guest-suse.sh: GPT
// with BIOS boot, ESP, a Btrfs root whose default subvolume is snapper's first
// snapshot, subvolumes mounted by fstab's subvol= options, and swap): the same
// items pass, with the facts the recipe wrote.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = new URL('../../', import.meta.url);
const bin = fileURLToPath(new URL('bin/guestcheck.js', root));
const ROOT_UUID = 'b5f3c7a1-8e2d-4c6b-9a0f-1d3e5c7b9a2f';
const KVER = '5.14.21-150500.55.39-default';

describe('suse-like-btrfs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'guestcheck-suse-'));
  const path = join(dir, 'suse-like-btrfs.img');
  writeFileSync(path, gunzipSync(readFileSync(new URL('test/fixtures/guest/suse-like-btrfs.img.gz', root))));
  const r = spawnSync(process.execPath, [bin, path, '--json'], { encoding: 'utf8' });
  const rep = JSON.parse(r.stdout);
  const item = (n: string) => rep.findings.find((f: any) => f.name === n);

  // What this fixture lacks on purpose; every other item must not fail.
  const EXPECTED_FAILS: Record<string, string> = {
    // the recipe writes no boot loader into sector 0 or the ESP, installs no cloud-init, and its
    // /lib/modules holds no virtio or NVMe driver (vmlinuz and initrd are zero-filled stand-ins)
    BootMode: 'BootMode.NoBootLoader', CloudInit: 'CloudInit.NotInstalled',
    Virtio: 'Virtio.NotInstalled', Nvme: 'NVMe.NotInstallded',
  };

  it('fails only the items the fixture lacks on purpose, and exits 1 for them', () => {
    expect(rep.platform).toBe('Linux');
    const fails = Object.fromEntries(rep.findings.filter((f: any) => f.status === 'fail').map((f: any) => [f.name, f.riskCode]));
    expect(fails).toEqual(EXPECTED_FAILS);
    expect(r.status).toBe(1);
    for (const n of ['Platform', 'OSVersion', 'Architecture', 'KernelVersion', 'SystemImage', 'Fstab', 'Grub']) expect(item(n)?.status, n).toBe('pass');
  });

  it('reports openSUSE Leap 15.5, x86_64 and the kernel of grub.cfg\'s saved entry', () => {
    expect(item('OSVersion').value).toBe('openSUSE Leap 15.5');
    expect(item('Architecture').value).toBe('x86_64');
    expect(item('KernelVersion').value).toBe(KVER);
  });

  it('lists the volumes: ESP on /boot/efi, Btrfs on / with its subvolumes, swap', () => {
    expect(rep.image.partitionTable).toBe('gpt');
    const vol = (id: string) => rep.image.volumes.find((v: any) => v.id === id);
    expect(vol('p2')).toMatchObject({ fs: 'vfat', uuid: '5C3A-9E21', mountedAt: '/boot/efi' });
    expect(vol('p3')).toMatchObject({ fs: 'btrfs', uuid: ROOT_UUID, label: 'suse-root', mountedAt: '/' });
    expect(vol('p4')).toMatchObject({ fs: 'swap', uuid: 'c6a4d8b2-9f3e-4d7c-8b1a-2e4f6d8c0b3a', label: 'suse-swap' });
  });

  it('reads metadata, not the image', () => {
    expect(rep.stats.bytesRead).toBeLessThan(rep.image.virtualSize / 16);
    expect(rep.stats.readCalls).toBeLessThan(150);
  });
});
