// SPDX-License-Identifier: Apache-2.0
import { describe, it, expect } from 'vitest';
import { cloudAssistant } from '../../src/rules/linux/cloud-assistant';
import { linuxCtx, linuxTree } from '../helpers/linux-guest';

describe('CloudAssistant', () => {
  it('passes with aliyun-service and its unit', async () => {
    const f = cloudAssistant.run(await linuxCtx(linuxTree({ family: 'centos7', extra: {
      '/usr/sbin/aliyun-service': 'elf', '/usr/local/share/aliyun-assist/2.2.0/aliyun-service': 'elf', '/etc/systemd/system/aliyun.service': '[Unit]\n',
    } })));
    expect(f).toMatchObject({ status: 'pass', value: 'Installed', riskLevel: null });
    expect(f.evidence.map((e) => e.path)).toEqual(['/usr/sbin/aliyun-service', '/usr/local/share/aliyun-assist', '/etc/systemd/system/aliyun.service']);
  });

  it('warns NotEnabled when nothing starts it', async () => {
    const f = cloudAssistant.run(await linuxCtx(linuxTree({ family: 'centos7', extra: { '/usr/sbin/aliyun-service': 'elf' } })));
    expect(f).toMatchObject({ status: 'warn', riskCode: 'CloudAssistant.NotEnabled', riskLevel: 'Medium' });
  });

  it('warns NotInstalled with the rpm or deb install command', async () => {
    const rh = cloudAssistant.run(await linuxCtx(linuxTree({ family: 'sles15' })));
    expect(rh).toMatchObject({ status: 'warn', value: 'NotInstalled', riskCode: 'CloudAssistant.NotInstalled', riskLevel: 'Medium' });
    expect(rh.solution).toMatch(/rpm -ivh --force https:\/\/\S+aliyun_assist_latest\.rpm/);
    const deb = cloudAssistant.run(await linuxCtx(linuxTree({ family: 'ubuntu22' })));
    expect(deb.solution).toMatch(/dpkg -i aliyun_assist_latest\.deb/);
  });
});
