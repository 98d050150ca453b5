// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import type { Evidence } from '../../report/types';
import { finding } from '../rule';
import { msg, said } from '../../report/message';

const AEGIS = '/usr/local/aegis';
const PARTS = ['/usr/local/aegis/aegis_client', '/usr/local/aegis/aegis_update', '/usr/local/aegis/alihids'];

/** SecurityCenterAgent (CHECKS.md): Alibaba Cloud Security Center's agent (AliYunDun) under /usr/local/aegis. */
export const securityCenterAgent: Rule = {
  name: 'SecurityCenterAgent',
  platforms: ['Linux'],
  run(ctx) {
    const g = ctx.guest!;
    const dir = g.stat(AEGIS);
    if (dir?.kind === 'dir') {
      const ev: Evidence[] = [said(AEGIS, 'ev.SecurityCenterAgent.dir')];
      for (const p of PARTS) if (g.stat(p)) ev.push(said(p, 'ev.SecurityCenterAgent.part'));
      if (ev.length === 1) {
        return finding('SecurityCenterAgent', 'warn', 'Incomplete', [...ev, said(PARTS[0], 'ev.SecurityCenterAgent.noParts')], {
          riskLevel: 'Medium', riskCode: 'SecurityCenterAgent.Incomplete',
          solution: msg('fix.SecurityCenterAgent.incomplete'),
        });
      }
      return finding('SecurityCenterAgent', 'pass', 'Installed', ev);
    }
    return finding('SecurityCenterAgent', 'warn', 'NotInstalled', [said(AEGIS, 'ev.SecurityCenterAgent.none')], {
      riskLevel: 'Medium', riskCode: 'SecurityCenterAgent.NotInstalled',
      solution: msg('fix.SecurityCenterAgent.notInstalled'),
    });
  },
};
