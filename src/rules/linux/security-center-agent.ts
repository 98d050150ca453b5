// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import type { Evidence } from '../../report/types';
import { finding } from '../rule';

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
      const ev: Evidence[] = [{ path: AEGIS, text: 'Security Center agent directory' }];
      for (const p of PARTS) if (g.stat(p)) ev.push({ path: p, text: 'agent component' });
      if (ev.length === 1) {
        return finding('SecurityCenterAgent', 'warn', 'Incomplete', [...ev, { path: PARTS[0], text: 'none of aegis_client, aegis_update, alihids is present' }], {
          riskLevel: 'Medium', riskCode: 'SecurityCenterAgent.Incomplete',
          solution: 'The agent directory is there but its programs are not: reinstall the agent from the Security Center console (Settings → Install Agent), or let ECS add it on import (repairItems "aegis").',
        });
      }
      return finding('SecurityCenterAgent', 'pass', 'Installed', ev);
    }
    return finding('SecurityCenterAgent', 'warn', 'NotInstalled', [{ path: AEGIS, text: 'no Security Center agent (AliYunDun) in the image' }], {
      riskLevel: 'Medium', riskCode: 'SecurityCenterAgent.NotInstalled',
      solution: 'Install the Security Center agent after the instance starts (Security Center console → Install Agent, which gives the one-line installer with your key), or let ECS add it on import (repairItems "aegis").',
    });
  },
};
