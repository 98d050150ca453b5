// SPDX-License-Identifier: Apache-2.0
// Fstab over /etc/fstab files as installers write them (anaconda's LVM
// layout, Debian's UUID layout, SUSE's Btrfs subvolumes) against the volumes
// of a described disk.
import { describe, it, expect } from 'vitest';
import { ctxOf, vol, OS_RELEASE } from '../helpers/rule-context';
import { fstab } from '../../src/rules/linux/fstab';
import { resolveSpec, splitMapperName } from '../../src/facts/block-device';
import { parseFstab } from '../../src/facts/fstab';

const ROOT = '6a43af69-6de1-416e-ac4c-d4807e1be072';
const BOOT = '16f6ebb0-0e61-4f89-a7a0-64fb178a170e';
const ESP = '7A3C-19E4';
const disk = [
  vol('p1', { type: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B', fs: 'vfat', uuid: ESP, mountedAt: '/boot/efi', partuuid: 'aaaaaaaa-0000-4000-8000-000000000001' }),
  vol('p2', { fs: 'xfs', uuid: BOOT, mountedAt: '/boot', label: 'boot', partlabel: 'boot' }),
  vol('p3', { fs: 'ext4', uuid: ROOT, mountedAt: '/', label: 'rootfs' }),
];

// anaconda (RHEL 8) with LVM, as written
const ANACONDA = `
#
# /etc/fstab
# Created by anaconda on Tue Mar  5 10:12:01 2024
#
# Accessible filesystems, by reference, are maintained under '/dev/disk/'.
# See man pages fstab(5), findfs(8), mount(8) and/or blkid(8) for more info.
#
/dev/mapper/rhel-root   /                       xfs     defaults        0 0
UUID=${BOOT} /boot                   xfs     defaults        0 0
/dev/mapper/rhel-swap   none                    swap    defaults        0 0
`;

describe('spec resolution', () => {
  it('splits device-mapper names with doubled dashes', () => {
    expect(splitMapperName('rhel-root')).toEqual({ vg: 'rhel', lv: 'root' });
    expect(splitMapperName('vg--data-lv--home')).toEqual({ vg: 'vg-data', lv: 'lv-home' });
  });
  it('resolves every naming scheme', () => {
    const lvm = [...disk, vol('/dev/mapper/rhel-root', { fs: 'xfs', uuid: 'x' })];
    expect(resolveSpec(`UUID=${ROOT.toUpperCase()}`, disk).volume?.id).toBe('p3');
    expect(resolveSpec('LABEL=rootfs', disk).volume?.id).toBe('p3');
    expect(resolveSpec('PARTUUID=AAAAAAAA-0000-4000-8000-000000000001', disk).volume?.id).toBe('p1');
    expect(resolveSpec('PARTLABEL=boot', disk).volume?.id).toBe('p2');
    expect(resolveSpec(`/dev/disk/by-uuid/${BOOT}`, disk).volume?.id).toBe('p2');
    expect(resolveSpec('/dev/disk/by-label/rootfs', disk).volume?.id).toBe('p3');
    expect(resolveSpec('/dev/mapper/rhel-root', lvm).volume?.id).toBe('/dev/mapper/rhel-root');
    expect(resolveSpec('/dev/rhel/root', lvm).volume?.id).toBe('/dev/mapper/rhel-root');
    expect(resolveSpec('/dev/sda3', disk)).toMatchObject({ kind: 'device', unstableName: true, volume: { id: 'p3' } });
    expect(resolveSpec('/dev/vda2', disk)).toMatchObject({ kind: 'device', unstableName: false, volume: { id: 'p2' } });
    expect(resolveSpec('/dev/nvme0n1p1', disk)).toMatchObject({ kind: 'device', unstableName: false, volume: { id: 'p1' } });
    expect(resolveSpec('/dev/sdb1', disk)).toMatchObject({ kind: 'device', unstableName: true, volume: null });
    expect(resolveSpec('/dev/disk/by-id/ata-QEMU_HARDDISK_QM00001-part1', disk)).toMatchObject({ kind: 'by-id', volume: null });
  });
  it('parses octal escapes and missing fields', () => {
    expect(parseFstab('LABEL=My\\040Disk /mnt/my\\040disk ext4\n')).toEqual([{ spec: 'LABEL=My Disk', file: '/mnt/my disk', vfstype: 'ext4', options: ['defaults'], line: 1, text: 'LABEL=My\\040Disk /mnt/my\\040disk ext4' }]);
  });
});

describe('Fstab', () => {
  it('passes a Debian fstab by UUID, with each line resolved in the evidence', () => {
    const text = `# <file system> <mount point>   <type>  <options>       <dump>  <pass>\nUUID=${ROOT} /               ext4    errors=remount-ro 0       1\nUUID=${ESP}  /boot/efi       vfat    umask=0077      0       1\nUUID=${BOOT} /boot xfs defaults 0 0\ntmpfs /tmp tmpfs defaults 0 0\n/dev/sr0        /media/cdrom0   udf,iso9660 user,noauto     0       0\n`;
    const f = fstab.run(ctxOf({ '/etc/os-release': OS_RELEASE.debian12, '/etc/fstab': text }, { volumes: disk }));
    expect(f).toMatchObject({ status: 'pass', value: 'Supported', riskCode: '' });
    expect(f.evidence.map((e) => [e.line, e.text.split('→ ')[1]])).toEqual([[2, 'volume p3 (ext4)'], [3, 'volume p1 (vfat)'], [4, 'volume p2 (xfs)']]);
  });

  it('fails an unknown UUID (Fstab.UuidNotFound) and offers the root volume\'s UUID for "/"', () => {
    const text = `UUID=00000000-dead-beef-0000-000000000000 / ext4 defaults 0 1\nUUID=${BOOT} /boot xfs defaults 0 0\n`;
    const f = fstab.run(ctxOf({ '/etc/fstab': text }, { volumes: disk }));
    expect(f).toMatchObject({ status: 'fail', value: 'Unsupported', riskLevel: 'High', riskCode: 'Fstab.UuidNotFound' });
    expect(f.evidence[0]).toMatchObject({ path: '/etc/fstab', line: 1, text: expect.stringMatching(/^UUID=00000000-dead-beef-0000-000000000000 \/ ext4 defaults 0 1 {2}— no volume of this image matches/) });
    expect(f.command).toBe(`sed -i '1c\\UUID=${ROOT} / ext4 defaults 0 1' /etc/fstab`);
  });

  it('an unknown UUID with nofail only warns', () => {
    const f = fstab.run(ctxOf({ '/etc/fstab': `UUID=${ROOT} / ext4 defaults 0 1\nUUID=00000000-0000-0000-0000-000000000009 /data ext4 defaults,nofail 0 2\n` }, { volumes: disk }));
    expect(f).toMatchObject({ status: 'warn', value: 'Supported', riskLevel: 'Medium', riskCode: 'Fstab.UuidNotFound', evidence: [{ line: 2 }, { line: 1 }] });
  });

  it('a data disk that is not in the image fails without nofail, and the fix adds nofail', () => {
    const f = fstab.run(ctxOf({ '/etc/fstab': `UUID=${ROOT} / ext4 defaults 0 1\nLABEL=data /data xfs defaults 0 2\n` }, { volumes: disk }));
    expect(f).toMatchObject({ status: 'fail', riskCode: 'Fstab.LabelNotFound', evidence: [{ line: 2 }, { line: 1 }] });
    expect(f.command).toBe(`sed -i '2c\\LABEL=data /data xfs defaults,nofail 0 2' /etc/fstab`);
  });

  it('/dev/sdX names fail (Fstab.DeviceName), /dev/vdX names warn', () => {
    const f = fstab.run(ctxOf({ '/etc/fstab': `/dev/sda3 / ext4 defaults 0 1\n/dev/vda2 /boot xfs defaults 0 0\n` }, { volumes: disk }));
    expect(f).toMatchObject({ status: 'fail', riskLevel: 'High', riskCode: 'Fstab.DeviceName' });
    expect(f.evidence.map((e) => e.line)).toEqual([1, 2]);
    expect(f.command!.split('\n')).toEqual([`sed -i '1c\\UUID=${ROOT} / ext4 defaults 0 1' /etc/fstab`, `sed -i '2c\\UUID=${BOOT} /boot xfs defaults 0 0' /etc/fstab`]);
    const w = fstab.run(ctxOf({ '/etc/fstab': `UUID=${ROOT} / ext4 defaults 0 1\n/dev/vda2 /boot xfs defaults 0 0\n` }, { volumes: disk }));
    expect(w).toMatchObject({ status: 'warn', riskLevel: 'Medium', riskCode: 'Fstab.DeviceName' });
  });

  it('CentOS 6 style /dev/xvda names on a Xen image fail', () => {
    const f = fstab.run(ctxOf({ '/etc/fstab': '/dev/xvda3 / ext4 defaults 1 1\n' }, { volumes: disk }));
    expect(f).toMatchObject({ status: 'fail', riskCode: 'Fstab.DeviceName' });
  });

  it('network filesystems warn (Fstab.NetworkFs)', () => {
    const f = fstab.run(ctxOf({ '/etc/fstab': `UUID=${ROOT} / ext4 defaults 0 1\nnas:/export/home /home nfs4 defaults 0 0\n//srv/share /mnt/share cifs credentials=/root/.c 0 0\n` }, { volumes: disk }));
    expect(f).toMatchObject({ status: 'warn', value: 'Supported', riskLevel: 'Medium', riskCode: 'Fstab.NetworkFs', evidence: [{ line: 2 }, { line: 3 }, { line: 1 }] });
  });

  it('anaconda\'s LVM names resolve through the volumes the engine assembled', () => {
    const lvm = [...disk.filter((v) => v.id !== 'p3'), vol('/dev/mapper/rhel-root', { fs: 'xfs', uuid: 'r', mountedAt: '/' }), vol('/dev/mapper/rhel-swap', { fs: 'swap', uuid: 's' })];
    const f = fstab.run(ctxOf({ '/etc/os-release': OS_RELEASE.rocky8, '/etc/fstab': ANACONDA }, { volumes: lvm }));
    expect(f).toMatchObject({ status: 'pass' });
    expect(f.evidence.map((e) => e.line)).toEqual([9, 10, 11]);
  });

  it('an LV this image lacks fails with Fstab.LvNotFound; a missing swap LV only warns', () => {
    const f = fstab.run(ctxOf({ '/etc/fstab': ANACONDA }, { volumes: disk }));
    expect(f).toMatchObject({ status: 'fail', riskCode: 'Fstab.LvNotFound', evidence: [{ line: 9 }, { line: 11 }, { line: 10 }] });
  });

  it('trusts the engine\'s mount record when fstab names another volume than the root found', () => {
    const mounts = [{ line: 1, spec: `UUID=${BOOT}`, path: '/', vfstype: 'xfs', options: 'defaults', status: 'failed', volume: 'p2', detail: `UUID=${BOOT} names volume p2, but the root found is p3` }];
    const f = fstab.run(ctxOf({ '/etc/fstab': `UUID=${BOOT} / xfs defaults 0 0\n` }, { volumes: disk, mounts }));
    expect(f).toMatchObject({ status: 'fail', riskCode: 'Fstab.RootMismatch' });
    expect(f.command).toBe(`sed -i '1c\\UUID=${ROOT} / xfs defaults 0 0' /etc/fstab`);
  });

  it('/dev/disk/by-id names fail: they carry the source disk\'s model and serial', () => {
    const f = fstab.run(ctxOf({ '/etc/fstab': `UUID=${ROOT} / ext4 defaults 0 1\n/dev/disk/by-id/ata-VBOX_HARDDISK_VB1234-part2 /boot xfs defaults 0 0\n` }, { volumes: disk }));
    expect(f).toMatchObject({ status: 'fail', riskCode: 'Fstab.DiskIdName' });
  });

  it('a missing /etc/fstab warns', () => {
    expect(fstab.run(ctxOf({}, { volumes: disk }))).toMatchObject({ status: 'warn', riskLevel: 'Medium', riskCode: 'Fstab.Missing', evidence: [{ path: '/etc/fstab' }] });
  });
});
