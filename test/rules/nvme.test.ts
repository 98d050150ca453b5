// SPDX-License-Identifier: Apache-2.0
// Nvme per family: CentOS 7's 3.10 has one nvme module (no nvme_core), newer
// kernels split nvme_core out; the cloud kernels build both in.
import { describe, it, expect } from 'vitest';
import { nvme } from '../../src/rules/linux/nvme';
import { linuxCtx, linuxTree, ALL_DRIVERS } from '../helpers/linux-guest';

const noCore = ALL_DRIVERS.filter((m) => m !== 'nvme_core');

describe('Nvme', () => {
  it('passes on CentOS 7 with nvme in the dracut initramfs and no nvme_core in that kernel', async () => {
    const f = nvme.run(await linuxCtx(linuxTree({ family: 'centos7', onDisk: noCore, inInitramfs: noCore, config: { CONFIG_BLK_DEV_NVME: 'm' } })));
    expect(f).toMatchObject({ status: 'pass', value: 'Supported' });
    expect(f.evidence[0].text).toBe('kernel 3.10.0-1160.el7.x86_64: nvme: initramfs');
  });

  it('passes with both built in (Debian cloud kernel: CONFIG_NVME_CORE=y, CONFIG_BLK_DEV_NVME=y) and reports nvme_core.io_timeout', async () => {
    const f = nvme.run(await linuxCtx(linuxTree({ family: 'debian12', config: { CONFIG_NVME_CORE: 'y', CONFIG_BLK_DEV_NVME: 'y' }, cmdline: 'quiet nvme_core.io_timeout=4294967295' })));
    expect(f).toMatchObject({ status: 'pass', value: 'Supported' });
    expect(f.evidence[0].text).toBe('kernel 6.1.0-27-amd64: nvme: builtin, nvme_core: builtin');
    expect(f.evidence.at(-1)).toEqual({ path: '/boot/grub/grub.cfg', text: 'kernel command line: nvme_core.io_timeout=4294967295' });
  });

  it('says when nvme_core.io_timeout is not set', async () => {
    const f = nvme.run(await linuxCtx(linuxTree({ family: 'ubuntu22' })));
    expect(f.status).toBe('pass');
    expect(f.evidence.at(-1)!.text).toMatch(/has no nvme_core\.io_timeout/);
  });

  it('fails NVMe.NotInInitramfs on SLES when nvme_core is only on disk, with dracut --add-drivers', async () => {
    const f = nvme.run(await linuxCtx(linuxTree({ family: 'sles15', inInitramfs: noCore })));
    expect(f).toMatchObject({ status: 'fail', value: 'Unsupported', riskLevel: 'High', riskCode: 'NVMe.NotInInitramfs' });
    expect(f.solution).toMatch(/dracut -f --add-drivers "nvme_core" \/boot\/initrd-5\.14\.21-150400\.24\.46-default 5\.14\.21-150400\.24\.46-default/);
  });

  it('fails NVMe.NotInstallded (Alibaba\'s spelling) when the kernel has no nvme driver', async () => {
    const f = nvme.run(await linuxCtx(linuxTree({ family: 'centos7', onDisk: ALL_DRIVERS.filter((m) => !m.startsWith('nvme')), inInitramfs: ['virtio_blk'], config: { CONFIG_BLK_DEV_NVME: 'n' } })));
    expect(f).toMatchObject({ status: 'fail', riskLevel: 'High', riskCode: 'NVMe.NotInstallded' });
    expect(f.evidence.find((e) => e.text === 'CONFIG_BLK_DEV_NVME is not set')).toMatchObject({ path: '/boot/config-3.10.0-1160.el7.x86_64', line: 1 });
  });

  it('requires nvme_core when the kernel has it, even if only its config symbol says so', async () => {
    const f = nvme.run(await linuxCtx(linuxTree({ family: 'debian12', onDisk: noCore, inInitramfs: noCore, config: { CONFIG_NVME_CORE: 'm' } })));
    expect(f).toMatchObject({ status: 'fail', riskCode: 'NVMe.NotInInitramfs' });
  });

  it('fails NVMe.NoInitramfs with the initramfs missing, and warns when it cannot be read', async () => {
    expect(nvme.run(await linuxCtx(linuxTree({ family: 'ubuntu22', inInitramfs: null })))).toMatchObject({ status: 'fail', riskCode: 'NVMe.NoInitramfs' });
    const f = nvme.run(await linuxCtx(linuxTree({ family: 'ubuntu22', initramfsBytes: new TextEncoder().encode('not an initramfs at all') })));
    expect(f).toMatchObject({ status: 'warn', riskCode: 'NVMe.InitramfsUnreadable', value: 'Unknown' });
    expect(f.evidence.some((e) => /neither a cpio archive nor a compression/.test(e.text))).toBe(true);
  });
});
