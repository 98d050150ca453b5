// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import type { Evidence } from '../../report/types';
import { finding } from '../rule';
import { safeKey, safeValue } from '../../facts/windows/windows-facts';
import { valueEvidence, windowsFacts } from './shared';

const DIRS = ['/ProgramData/aliyun/assist', '/Program Files/Alibaba/cloud-assist', '/Program Files (x86)/Alibaba/cloud-assist'];
const INSTALLER = 'https://aliyun-client-assist.oss-accelerate.aliyuncs.com/windows/aliyun_agent_latest_setup.exe';

/** CloudAssistant (Windows): the AliyunService service and its program files. */
export const cloudAssistant: Rule = {
  name: 'CloudAssistant',
  platforms: ['Windows'],
  run(ctx) {
    const g = ctx.guest!;
    const f = windowsFacts(ctx);
    const ev: Evidence[] = [];
    const key = f.ccs ? `${f.ccs}\\Services\\AliyunService` : null;
    const svc = key ? safeKey(f.system.hive, key) : null;
    if (svc && key) ev.push(valueEvidence('SYSTEM', key, 'ImagePath', safeValue(f.system.hive, key, 'ImagePath')));
    for (const d of DIRS) if (g.stat(d)) ev.push({ path: d, text: 'Cloud Assistant agent files' });
    if (svc) return finding('CloudAssistant', 'pass', 'Installed', ev);
    const cmd = `Invoke-WebRequest ${INSTALLER} -OutFile $env:TEMP\\aliyun_agent_setup.exe; & $env:TEMP\\aliyun_agent_setup.exe /S`;
    if (ev.length) {
      return finding('CloudAssistant', 'warn', 'NotEnabled', [...ev, { path: `SYSTEM\\${key ?? 'Services\\AliyunService'}`, text: 'no AliyunService service' }], {
        riskLevel: 'Medium', riskCode: 'CloudAssistant.NotEnabled',
        solution: 'Cloud Assistant files are present but the AliyunService service is not registered; reinstall the agent.', command: cmd,
      });
    }
    return finding('CloudAssistant', 'warn', 'NotInstalled', [{ path: `SYSTEM\\${key ?? 'Services\\AliyunService'}`, text: 'absent; no Cloud Assistant program files' }], {
      riskLevel: 'Medium', riskCode: 'CloudAssistant.NotInstalled',
      solution: 'Without the agent, Cloud Assistant commands cannot run on the instance. Install it in the guest (or let ECS add it on import: repairItems "assist").', command: cmd,
    });
  },
};
