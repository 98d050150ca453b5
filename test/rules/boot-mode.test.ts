// SPDX-License-Identifier: Apache-2.0
// BootMode from the partition table, sector 0's boot code and the ESP's loaders.
import { describe, it, expect } from 'vitest';
import { ctxOf, vol, OS_RELEASE } from '../helpers/rule-context';
import { bootMode } from '../../src/rules/linux/boot-mode';

const ESP = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';
const BIOS = '21686148-6449-6E6F-744E-656564454649';
const gpt = (mountedEsp: boolean) => [vol('p1', { type: BIOS, typeName: 'BIOS boot partition', fs: '' }), vol('p2', { type: ESP, fs: 'vfat', uuid: '7A3C-19E4', mountedAt: mountedEsp ? '/boot/efi' : '' }), vol('p3', { mountedAt: '/' })];
const loaders = { '/boot/efi/EFI/BOOT/BOOTX64.EFI': 'MZ', '/boot/efi/EFI/rocky/shimx64.efi': 'MZ', '/boot/efi/EFI/rocky/grubx64.efi': 'MZ' };

describe('BootMode', () => {
  it('UEFI: an ESP with loaders, sector 0 empty', () => {
    const f = bootMode.run(ctxOf(loaders, { volumes: gpt(true), image: { hasBootCode: false, bootCode: '' } }));
    expect(f).toMatchObject({ status: 'pass', value: 'UEFI', riskCode: '' });
    expect(f.evidence.map((e) => e.path)).toEqual(['volume p2', '/boot/efi/EFI/BOOT/BOOTX64.EFI', '/boot/efi/EFI/rocky/shimx64.efi', '/boot/efi/EFI/rocky/grubx64.efi', 'protective MBR']);
  });
  it('UEFI-Preferred: GRUB in the protective MBR with a BIOS boot partition, and an ESP (RHEL 9 cloud images)', () => {
    const f = bootMode.run(ctxOf(loaders, { volumes: gpt(true), image: { hasBootCode: true, bootCode: 'GRUB' } }));
    expect(f).toMatchObject({ status: 'pass', value: 'UEFI-Preferred' });
    expect(f.evidence).toContainEqual({ path: 'protective MBR', text: 'boot code present (GRUB)' });
  });
  it('LEGACY: an MBR disk with GRUB boot code (CentOS 7)', () => {
    const f = bootMode.run(ctxOf({ '/etc/os-release': OS_RELEASE.centos7 }, { volumes: [vol('p1', { type: '0x83', mountedAt: '/' })], image: { partitionTable: 'mbr', hasBootCode: true, bootCode: 'GRUB' } }));
    expect(f).toMatchObject({ status: 'pass', value: 'LEGACY', evidence: [{ path: 'partition table', text: 'no EFI system partition' }, { path: 'MBR', text: 'boot code present (GRUB)' }] });
  });
  it('reads an ESP the guest does not mount through its own volume', () => {
    const f = bootMode.run(ctxOf({}, { volumes: gpt(false), image: { hasBootCode: false }, volumeTrees: { p2: { '/EFI/BOOT/BOOTAA64.EFI': 'MZ' } } }));
    expect(f).toMatchObject({ status: 'pass', value: 'UEFI' });
    expect(f.evidence[0].text).toMatch(/read from the volume/);
    expect(f.evidence[1]).toEqual({ path: 'volume p2:/EFI/BOOT/BOOTAA64.EFI', text: 'UEFI loader' });
  });
  it('fails an empty ESP and empty boot code (BootMode.NoBootLoader), naming the family\'s grub installer', () => {
    const f = bootMode.run(ctxOf({ '/etc/os-release': OS_RELEASE.rocky8, '/boot/efi/EFI/rocky/fonts/unicode.pf2': 'x' }, { volumes: gpt(true), image: { hasBootCode: false } }));
    expect(f).toMatchObject({ status: 'fail', value: 'Unknown', riskLevel: 'High', riskCode: 'BootMode.NoBootLoader' });
    expect(f.solution).toContain('grub2-install --target=i386-pc');
    expect(f.solution).toContain('ESP p2 holds no UEFI loader');
  });
  it('GRUB boot code on GPT without a BIOS boot partition cannot load its core image', () => {
    const vols = gpt(true).filter((v) => v.id !== 'p1');
    const f = bootMode.run(ctxOf({}, { volumes: vols, image: { hasBootCode: true, bootCode: 'GRUB' } }));
    expect(f).toMatchObject({ status: 'fail', riskCode: 'BootMode.NoBootLoader' });
    expect(f.evidence).toContainEqual({ path: 'protective MBR', text: 'boot code present (GRUB), but no BIOS boot partition' });
  });
  it('fails a bare filesystem without a partition table (BootMode.NoPartitionTable)', () => {
    const f = bootMode.run(ctxOf({}, { volumes: [vol('disk', { type: '', mountedAt: '/' })], image: { partitionTable: 'none' } }));
    expect(f).toMatchObject({ status: 'fail', riskCode: 'BootMode.NoPartitionTable' });
  });
});
