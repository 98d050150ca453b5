// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import type { Evidence } from '../../report/types';
import { finding } from '../rule';
import { safeKey, safeValue } from '../../facts/windows/windows-facts';
import { valueEvidence, windowsFacts } from './shared';
import { msg, said } from '../../report/message';

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
    for (const d of DIRS) if (g.stat(d)) ev.push(said(d, 'ev.CloudAssistant.files'));
    if (svc) return finding('CloudAssistant', 'pass', 'Installed', ev);
    const cmd = `Invoke-WebRequest ${INSTALLER} -OutFile $env:TEMP\\aliyun_agent_setup.exe; & $env:TEMP\\aliyun_agent_setup.exe /S`;
    if (ev.length) {
      return finding('CloudAssistant', 'warn', 'NotEnabled', [...ev, said(`SYSTEM\\${key ?? 'Services\\AliyunService'}`, 'ev.win.CloudAssistant.noService')], {
        riskLevel: 'Medium', riskCode: 'CloudAssistant.NotEnabled',
        solution: msg('fix.win.CloudAssistant.notEnabled'), command: cmd,
      });
    }
    return finding('CloudAssistant', 'warn', 'NotInstalled', [said(`SYSTEM\\${key ?? 'Services\\AliyunService'}`, 'ev.win.CloudAssistant.none')], {
      riskLevel: 'Medium', riskCode: 'CloudAssistant.NotInstalled',
      solution: msg('fix.win.CloudAssistant.notInstalled'), command: cmd,
    });
  },
};
