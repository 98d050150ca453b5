// SPDX-License-Identifier: Apache-2.0
import { describe, it, expect } from 'vitest';
import { supportMocInstanceTypes } from '../../src/rules/linux/support-moc-instance-types';
import { linuxCtx, linuxTree, ALL_DRIVERS } from '../helpers/linux-guest';

describe('SupportMocInstanceTypes', () => {
  it('passes on a supported release with virtio and NVMe at boot', async () => {
    const f = supportMocInstanceTypes.run(await linuxCtx(linuxTree({ family: 'centos7' })));
    expect(f).toMatchObject({ status: 'pass', value: 'Supported' });
    expect(f.evidence.map((e) => e.text)).toContain('Virtio: Supported');
    expect(f.evidence.map((e) => e.text)).toContain('Nvme: Supported');
  });

  it('is Unsupported without NVMe in the initramfs', async () => {
    const f = supportMocInstanceTypes.run(await linuxCtx(linuxTree({ family: 'sles15', inInitramfs: ALL_DRIVERS.filter((m) => !m.startsWith('nvme')) })));
    expect(f).toMatchObject({ status: 'warn', value: 'Unsupported', riskLevel: 'Medium', riskCode: 'SupportMocInstanceTypes.Unsupported' });
    expect(f.solution).toMatch(/Nvme drivers are not available at boot \(NVMe\.NotInInitramfs\)/);
  });

  it('is Unsupported on CentOS 5 before 5.11 and on an unsupported family', async () => {
    const old = await linuxCtx({ ...linuxTree({ family: 'centos7' }), '/etc/os-release': 'ID="centos"\nVERSION_ID="5"\n', '/etc/centos-release': 'CentOS release 5.8 (Final)\n' });
    const f = supportMocInstanceTypes.run(old);
    expect(f.value).toBe('Unsupported');
    expect(f.solution).toMatch(/CentOS 5\.8 is older than 5\.11/);
    const alpine = await linuxCtx({ ...linuxTree({ family: 'debian12' }), '/etc/os-release': 'ID=alpine\nVERSION_ID=3.19.1\n' });
    expect(supportMocInstanceTypes.run(alpine).solution).toMatch(/Alpine Linux is not supported/);
  });
});
