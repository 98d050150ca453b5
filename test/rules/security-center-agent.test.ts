// SPDX-License-Identifier: Apache-2.0
import { describe, it, expect } from 'vitest';
import { securityCenterAgent } from '../../src/rules/linux/security-center-agent';
import { linuxCtx, linuxTree } from '../helpers/linux-guest';

describe('SecurityCenterAgent', () => {
  it('passes with AliYunDun under /usr/local/aegis', async () => {
    const f = securityCenterAgent.run(await linuxCtx(linuxTree({ family: 'debian12', extra: { '/usr/local/aegis/aegis_client/aegis_11_91/AliYunDun': 'elf', '/usr/local/aegis/aegis_update/AliYunDunUpdate': 'elf' } })));
    expect(f).toMatchObject({ status: 'pass', value: 'Installed' });
    expect(f.evidence.map((e) => e.path)).toEqual(['/usr/local/aegis', '/usr/local/aegis/aegis_client', '/usr/local/aegis/aegis_update']);
  });
  it('warns Incomplete for an empty agent directory', async () => {
    const f = securityCenterAgent.run(await linuxCtx(linuxTree({ family: 'debian12', extra: { '/usr/local/aegis': { dir: true } } })));
    expect(f).toMatchObject({ status: 'warn', value: 'Incomplete', riskCode: 'SecurityCenterAgent.Incomplete' });
  });
  it('warns NotInstalled', async () => {
    const f = securityCenterAgent.run(await linuxCtx(linuxTree({ family: 'centos7' })));
    expect(f).toMatchObject({ status: 'warn', value: 'NotInstalled', riskLevel: 'Medium', riskCode: 'SecurityCenterAgent.NotInstalled' });
    expect(f.solution).toMatch(/repairItems "aegis"/);
  });
});
