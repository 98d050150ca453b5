// SPDX-License-Identifier: Apache-2.0
// The guest path walk (asm/guest/vfs.ts) over symlinks made by mkfs.ext4 -d
// (test/fixtures/recipes/vfs.sh), and across the mounts of a real Debian disk.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { loadEngine } from '../helpers/engine';

const eng = await loadEngine();
const fixture = (p: string) => gunzipSync(readFileSync(new URL(`../fixtures/${p}`, import.meta.url)));

describe('symlinks', async () => {
  const s = await eng.open([fixture('vfs/symlinks.img.gz')]);
  s.inspect();

  it('follows relative, absolute and ".." links', () => {
    expect(s.stat(0, '/a/abs-b/c/file')).toMatchObject({ kind: 'file', size: 5, path: '/a/b/c/file' });
    expect(s.stat(0, '/a/b/up/b/up/b/c/file')?.path).toBe('/a/b/c/file');
    expect(s.stat(0, '/a/b/up/../etc/os-release')?.path).toBe('/etc/os-release');
    expect(new TextDecoder().decode(s.readFile(0, '/chain0')!)).toBe('deep\n');
  });

  it('does not follow the last link when asked not to', () => {
    expect(s.stat(0, '/loop-a', false)).toMatchObject({ kind: 'symlink' });
    expect(s.readlink(0, '/loop-a')).toBe('loop-b');
  });

  it('resolves 40 links, as Linux does, and stops at 41 with a named error', () => {
    expect(s.stat(0, '/chain39')?.path).toBe('/a/b/c/file');
    expect(s.stat(0, '/chain40')).toBeNull();
    expect(s.lastError()).toMatchObject({ kind: 'limit', code: 'path.symlink-loop' });
  });

  it('ends link loops with a named error', () => {
    for (const p of ['/loop-a', '/self', '/loop-b/x']) {
      expect(s.stat(0, p)).toBeNull();
      expect(s.lastError()?.code).toBe('path.symlink-loop');
    }
  });

  it('treats a missing name as absent, not an error', () => {
    expect(s.stat(0, '/a/nothing')).toBeNull();
    expect(s.lastError()).toBeNull();
  });
});

describe('across mounts of a Debian disk (GPT: ESP on /boot/efi, ext4 root)', async () => {
  const s = await eng.open([fixture('guest/debian12-gpt.img.gz')]);
  s.inspect();
  const g = s.mount();

  it('mounts what the guest fstab names', () => {
    expect(g.root).toBe('p3');
    expect(g.mounts.find((m: any) => m.path === '/boot/efi')).toMatchObject({ status: 'mounted', volume: 'p2', vfstype: 'vfat' });
  });

  it('resolves paths into the ESP and through merged-/usr links', () => {
    expect(s.stat(-1, '/boot/efi/EFI/debian/grub.cfg')).toMatchObject({ kind: 'file', mount: '/boot/efi' });
    expect(s.stat(-1, '/boot/efi/efi/DEBIAN/GRUB.CFG')).toMatchObject({ kind: 'file' }); // FAT is case-insensitive
    expect(s.stat(-1, '/lib/modules')).toMatchObject({ kind: 'dir', path: '/usr/lib/modules', mount: '/' });
    expect(s.stat(-1, '/boot/efi/../../etc/fstab')?.path).toBe('/etc/fstab');
  });
});
