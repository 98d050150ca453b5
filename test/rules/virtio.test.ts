// SPDX-License-Identifier: Apache-2.0
// Virtio over each family's layout (CentOS 7: dracut's initramfs-<ver>.img with
// early microcode, grub2 linux16; SLES 15: initrd-<ver>, .ko.zst; Debian and
// Ubuntu: initrd.img-<ver>), for every status the item gives.
import { describe, it, expect } from 'vitest';
import { virtio } from '../../src/rules/linux/virtio';
import { linuxCtx, linuxTree, ALL_DRIVERS, layout, type FamilyName } from '../helpers/linux-guest';

const FAMILIES: FamilyName[] = ['centos7', 'sles15', 'debian12', 'ubuntu22'];
const FIX: Record<FamilyName, RegExp> = {
  centos7: /dracut -f --add-drivers "virtio_blk" \/boot\/initramfs-3\.10\.0-1160\.el7\.x86_64\.img 3\.10\.0-1160\.el7\.x86_64/,
  sles15: /dracut -f --add-drivers "virtio_blk" \/boot\/initrd-5\.14\.21-150400\.24\.46-default/,
  debian12: /printf '%s\\n' virtio_blk >> \/etc\/initramfs-tools\/modules && update-initramfs -u -k 6\.1\.0-27-amd64/,
  ubuntu22: /update-initramfs -u -k 5\.15\.0-105-generic/,
};

describe.each(FAMILIES)('Virtio on %s', (fam) => {
  const L = layout(fam);

  it('passes when the modules are in the initramfs', async () => {
    const f = virtio.run(await linuxCtx(linuxTree({ family: fam })));
    expect(f).toMatchObject({ status: 'pass', value: 'Supported', riskLevel: null, riskCode: '' });
    expect(f.evidence[0].text).toBe(`kernel ${L.ver}: virtio_blk: initramfs, virtio_net: initramfs, virtio_pci: initramfs`);
    expect(f.evidence.some((e) => e.path === L.initrd && /virtio_blk is in the initramfs: \/usr\/lib\/modules\/.*virtio_blk\.ko/.test(e.text))).toBe(true);
  });

  it('fails NotInInitramfs (High) when virtio_blk is only on disk, with the family\'s rebuild command', async () => {
    const f = virtio.run(await linuxCtx(linuxTree({ family: fam, inInitramfs: ALL_DRIVERS.filter((m) => m !== 'virtio_blk'), config: { CONFIG_VIRTIO_BLK: 'm' } })));
    expect(f).toMatchObject({ status: 'fail', value: 'Unsupported', riskLevel: 'High', riskCode: 'Virtio.NotInInitramfs' });
    expect(f.solution).toMatch(FIX[fam]);
    const ev = f.evidence.find((e) => /virtio_blk is a module on the root disk/.test(e.text))!;
    expect(ev.path).toMatch(new RegExp(`modules/${L.ver}/kernel/drivers/block/virtio_blk\\.ko`));
    expect(f.evidence.find((e) => e.path === `/boot/config-${L.ver}`)).toMatchObject({ line: 1, text: 'CONFIG_VIRTIO_BLK=m' });
  });
});

describe('Virtio statuses', () => {
  it('passes with drivers built in (modules.builtin and =y), without any initramfs', async () => {
    const f = virtio.run(await linuxCtx(linuxTree({ family: 'debian12', onDisk: [], builtin: ['virtio_blk', 'virtio_pci'], config: { CONFIG_VIRTIO_NET: 'y' }, inInitramfs: null, noInitrdLine: true })));
    expect(f).toMatchObject({ status: 'pass', value: 'Supported' });
    expect(f.evidence[0].text).toBe('kernel 6.1.0-27-amd64: virtio_blk: builtin, virtio_net: builtin, virtio_pci: builtin');
    expect(f.evidence.find((e) => e.text === 'CONFIG_VIRTIO_NET=y')).toMatchObject({ path: '/boot/config-6.1.0-27-amd64', line: 1 });
    expect(f.evidence.find((e) => e.text === 'virtio_blk is built into the kernel')).toMatchObject({ path: '/lib/modules/6.1.0-27-amd64/modules.builtin', line: 1 });
  });

  it('does not read the initramfs when every boot driver is built in (Ubuntu\'s kernels build virtio in)', async () => {
    const config = { CONFIG_VIRTIO_BLK: 'y', CONFIG_VIRTIO_NET: 'y', CONFIG_VIRTIO_PCI: 'y', CONFIG_BLK_DEV_NVME: 'y', CONFIG_NVME_CORE: 'y' };
    const ctx = await linuxCtx(linuxTree({ family: 'ubuntu22', config, initramfsBytes: new TextEncoder().encode('garbage') }));
    expect(ctx.facts!.initramfs.state).toBe('not-needed');
    const f = virtio.run(ctx);
    expect(f).toMatchObject({ status: 'pass', value: 'Supported' });
    expect(f.evidence.some((e) => e.path === '/boot/initrd.img-5.15.0-105-generic' && /the initramfs was not read/.test(e.text))).toBe(true);
  });

  it('fails NotInInitramfs when virtio_blk is in the initramfs without virtio_ring, which modules.dep says it needs', async () => {
    const f = virtio.run(await linuxCtx(linuxTree({ family: 'sles15', deps: { virtio_blk: ['virtio_ring', 'virtio'] }, inInitramfs: ALL_DRIVERS.filter((m) => m !== 'virtio_ring') })));
    expect(f).toMatchObject({ status: 'fail', riskCode: 'Virtio.NotInInitramfs' });
    expect(f.evidence).toContainEqual({ path: '/boot/initrd-5.14.21-150400.24.46-default', text: 'virtio_blk is in the initramfs (/usr/lib/modules/5.14.21-150400.24.46-default/kernel/drivers/block/virtio_blk.ko.zst) but virtio_ring, which it needs, is not' });
    expect(f.evidence).toContainEqual({ path: '/lib/modules/5.14.21-150400.24.46-default/kernel/drivers/block/virtio_blk.ko.zst', text: 'modules.dep line 4: virtio_blk needs virtio_ring, virtio' });
    // with its dependencies there it passes
    expect(virtio.run(await linuxCtx(linuxTree({ family: 'sles15', deps: { virtio_blk: ['virtio_ring', 'virtio'] } }))).status).toBe('pass');
  });

  it('fails NotInstalled when the kernel has no virtio_net at all', async () => {
    const f = virtio.run(await linuxCtx(linuxTree({ family: 'centos7', onDisk: ALL_DRIVERS.filter((m) => m !== 'virtio_net'), inInitramfs: ['virtio_blk', 'virtio_pci'], config: { CONFIG_VIRTIO_NET: 'n' } })));
    expect(f).toMatchObject({ status: 'fail', riskLevel: 'High', riskCode: 'Virtio.NotInstalled' });
    expect(f.solution).toMatch(/no virtio_net driver.*yum install -y kernel/);
  });

  it('fails NoInitramfs when the entry\'s initrd file is missing', async () => {
    const f = virtio.run(await linuxCtx(linuxTree({ family: 'centos7', inInitramfs: null })));
    expect(f).toMatchObject({ status: 'fail', riskCode: 'Virtio.NoInitramfs', riskLevel: 'High' });
    expect(f.evidence.some((e) => e.path === '/boot/initramfs-3.10.0-1160.el7.x86_64.img' && /is not in the image/.test(e.text))).toBe(true);
  });

  it('fails NoInitramfs when the entry names no initrd and the drivers are modules', async () => {
    const f = virtio.run(await linuxCtx(linuxTree({ family: 'debian12', inInitramfs: null, noInitrdLine: true })));
    expect(f).toMatchObject({ status: 'fail', riskCode: 'Virtio.NoInitramfs' });
  });

  it('warns InitramfsUnreadable when the initramfs is truncated and the module is not in the part read', async () => {
    const bytes = new Uint8Array(4096);
    bytes.set([0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x58]); // a zstd frame header, then zeros: a truncated image
    const f = virtio.run(await linuxCtx(linuxTree({ family: 'debian12', initramfsBytes: bytes })));
    expect(f).toMatchObject({ status: 'warn', value: 'Unknown', riskLevel: 'Medium', riskCode: 'Virtio.InitramfsUnreadable' });
    expect(f.solution).toMatch(/zstd/);
  });

  it('warns NoKernel when there is no kernel', async () => {
    const f = virtio.run(await linuxCtx({ '/etc/os-release': 'ID=debian\nVERSION_ID=12\n' }));
    expect(f).toMatchObject({ status: 'warn', value: 'Unknown', riskCode: 'Virtio.NoKernel' });
  });

  it('without gathered facts (a synchronous caller) says the initramfs was not read', async () => {
    const ctx = await linuxCtx(linuxTree({ family: 'debian12' }));
    delete ctx.facts;
    expect(virtio.run(ctx)).toMatchObject({ status: 'warn', riskCode: 'Virtio.InitramfsUnreadable' });
  });
});
