// SPDX-License-Identifier: Apache-2.0
// The guest tree over a SUSE-like disk (test/fixtures/recipes/guest-suse.sh:
// GPT, ESP, swap and a Btrfs root with the Leap 15 installer's subvolumes,
// snapper's first snapshot as the default subvolume, fstab by UUID= with
// subvol=/@/... options, files stored lzo- and zlib-compressed). The root is
// found in the default subvolume and every fstab line mounts its subvolume.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { loadEngine, type Session } from '../helpers/engine';

const eng = await loadEngine();
const disk = new Uint8Array(gunzipSync(readFileSync(new URL('../fixtures/guest/suse-like-btrfs.img.gz', import.meta.url))));
const ROOT_UUID = 'b5f3c7a1-8e2d-4c6b-9a0f-1d3e5c7b9a2f';
const KVER = '5.14.21-150500.55.39-default';
const text = (b: Uint8Array | null) => { expect(b).not.toBeNull(); return new TextDecoder().decode(b!); };

async function guest(img = disk): Promise<{ s: Session; g: any }> {
  const s = await eng.open([img]);
  expect(s.inspect()).not.toBeNull();
  const g = s.mount();
  expect(g).not.toBeNull();
  return { s, g };
}

describe('SUSE-like disk: Btrfs subvolumes mounted as fstab says', () => {
  it('finds the root in the default subvolume (snapper snapshot 1) and names it', async () => {
    const { g } = await guest();
    expect(g.platform).toBe('Linux');
    expect(g.root).toBe('p3');
    expect(g.rootReason).toMatch(/Btrfs subvolume @\/\.snapshots\/1\/snapshot \(id \d+\), the default/);
    const p3 = g.image.volumes.find((v: any) => v.id === 'p3');
    expect(p3).toMatchObject({ fs: 'btrfs', uuid: ROOT_UUID, label: 'suse-root', mountedAt: '/' });
    const paths = p3.features.subvolumes.map((x: any) => x.path).sort();
    expect(paths).toEqual(['@', '@/.snapshots', '@/.snapshots/1/snapshot', '@/boot/grub2/i386-pc', '@/boot/grub2/x86_64-efi',
      '@/home', '@/opt', '@/root', '@/srv', '@/tmp', '@/usr/local', '@/var']);
    const def = p3.features.subvolumes.find((x: any) => x.path === '@/.snapshots/1/snapshot');
    expect(p3.features.defaultSubvolume).toBe(def.id);
    expect(g.image.volumes.find((v: any) => v.id === 'p4')).toMatchObject({ fs: 'swap', uuid: 'c6a4d8b2-9f3e-4d7c-8b1a-2e4f6d8c0b3a', label: 'suse-swap' });
  });

  it('mounts every subvol=/@/... line of fstab, and the ESP', async () => {
    const { g } = await guest();
    const st = Object.fromEntries(g.mounts.map((m: any) => [m.path, m.status]));
    expect(st).toEqual({
      '/': 'root', '/var': 'mounted', '/usr/local': 'mounted', '/tmp': 'mounted', '/srv': 'mounted', '/root': 'mounted',
      '/opt': 'mounted', '/home': 'mounted', '/boot/grub2/x86_64-efi': 'mounted', '/boot/grub2/i386-pc': 'mounted',
      '/.snapshots': 'mounted', '/boot/efi': 'mounted', swap: 'skipped',
    });
  });

  it('reads through the mounts: lzo-compressed root files, zlib-compressed /home, the snapper info in /.snapshots', async () => {
    const { s } = await guest();
    expect(text(s.readFile(-1, '/etc/os-release'))).toMatch(/^NAME="openSUSE Leap"\nVERSION="15\.5"\n/);
    expect(text(s.readFile(-1, '/boot/grub2/grub.cfg'))).toContain(`linux\t/boot/vmlinuz-${KVER} root=UUID=${ROOT_UUID}`);
    expect(text(s.readFile(-1, '/.snapshots/1/info.xml'))).toContain('<description>first root filesystem</description>');
    expect(s.stat(-1, '/home/geeko')!.kind).toBe('dir');
    expect(s.stat(-1, '/home/geeko')!.mount).toBe('/home');
    expect(s.stat(-1, '/var/log/messages')!.size).toBe(messagesSize());
    expect(text(s.readFile(-1, '/var/log/messages'))).toMatch(/^2023-05-30T10:00:00 localhost systemd\[1\]: Started unit 0\.\n[^]*Started unit 399\.\n$/);
    expect(text(s.readFile(-1, '/home/geeko/.profile'))).toBe('export EDITOR=vim\n');
    expect(text(s.readFile(-1, '/boot/efi/EFI/opensuse/grub.cfg'))).toContain(`search --fs-uuid --set=root ${ROOT_UUID}`);
    const head = s.readFile(-1, '/bin/sh', 0, 4)!;
    expect(Array.from(head)).toEqual([0x7f, 0x45, 0x4c, 0x46]);
  });

});

/** /var/log/messages: 400 lines "2023-05-30T10:00:SS localhost systemd[1]: Started unit N.\n" (recipe). */
function messagesSize(): number {
  let n = 0;
  for (let i = 0; i < 400; i++) n += `2023-05-30T10:00:${String(i % 60).padStart(2, '0')} localhost systemd[1]: Started unit ${i}.\n`.length;
  return n;
}

describe('a Btrfs root in a subvolume that is not the default', () => {
  const img = () => new Uint8Array(gunzipSync(readFileSync(new URL('../fixtures/btrfs/btrfs-subvol.img.gz', import.meta.url))));

  it('btrfs-subvol: the top level holds no system, subvolume @ does; its fstab moves / to the snapshot @/.snap-1', async () => {
    const { s, g } = await guest(img());
    expect(g.root).toBe('disk');
    expect(g.rootReason).toMatch(/\(Btrfs subvolume @ \(id 256\)\)$/);
    // / now comes from the snapshot: its os-release lacks the line added after it was taken
    expect(text(s.readFile(-1, '/etc/os-release'))).toBe('NAME="openSUSE Leap"\nVERSION_ID="15.5"\n');
  });

  it('subvolid= and subvol= (with and without a leading /) mount; a missing subvolume and a plain directory fail with the reason', async () => {
    const { s, g } = await guest(img());
    const m = Object.fromEntries(g.mounts.map((x: any) => [x.path, x]));
    expect(m['/'].status).toBe('root');
    expect(m['/home']).toMatchObject({ status: 'mounted', options: 'subvolid=257' });
    expect(m['/var']).toMatchObject({ status: 'mounted', options: 'subvol=@/var' });
    expect(m['/mnt/missing']).toMatchObject({ status: 'failed', detail: 'the subvolume it names cannot be found' });
    expect(m['/mnt/notsub'].status).toBe('failed');
    expect(m['/mnt/notsub'].detail).toMatch(/\/@\/etc is a directory, not a subvolume/);
    expect(text(s.readFile(-1, '/home/nested/deep.txt'))).toBe('deep in a nested subvolume\n');
    expect(text(s.readFile(-1, '/var/log/messages'))).toBe('log line\n');
  });
});
