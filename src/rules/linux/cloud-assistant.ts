// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import type { Evidence } from '../../report/types';
import { finding } from '../rule';
import { findPackage } from '../../facts/packages';
import { linuxFacts, family } from './shared';
import { msg, said } from '../../report/message';

const PROGRAMS = ['/usr/sbin/aliyun-service', '/usr/local/share/aliyun-assist'];
const UNITS = ['/etc/systemd/system/aliyun.service', '/usr/lib/systemd/system/aliyun.service', '/lib/systemd/system/aliyun.service', '/etc/init.d/aliyun-service'];
/** Alibaba's published packages of the agent (ECS documentation, "Install the Cloud Assistant Agent") */
const RPM_URL = 'https://aliyun-client-assist.oss-accelerate.aliyuncs.com/linux/aliyun_assist_latest.rpm';
const DEB_URL = 'https://aliyun-client-assist.oss-accelerate.aliyuncs.com/linux/aliyun_assist_latest.deb';

/** CloudAssistant (CHECKS.md): aliyun-service (the Cloud Assistant agent) and its service unit. */
export const cloudAssistant: Rule = {
  name: 'CloudAssistant',
  platforms: ['Linux'],
  run(ctx) {
    const g = ctx.guest!;
    const ev: Evidence[] = [];
    const pkg = findPackage(linuxFacts(ctx).packages, 'aliyun_assist') ?? findPackage(linuxFacts(ctx).packages, 'aliyun-assist');
    if (pkg) ev.push(pkg.evidence);
    for (const p of PROGRAMS) if (g.stat(p)) ev.push(said(p, 'ev.CloudAssistant.files'));
    const units = UNITS.filter((p) => g.stat(p));
    if (ev.length) {
      if (units.length === 0) {
        return finding('CloudAssistant', 'warn', 'Installed', [...ev, said(UNITS[0], 'ev.CloudAssistant.noUnit')], {
          riskLevel: 'Medium', riskCode: 'CloudAssistant.NotEnabled',
          solution: msg('fix.CloudAssistant.notEnabled'),
        });
      }
      return finding('CloudAssistant', 'pass', pkg ? pkg.version : 'Installed', [...ev, ...units.map((u) => said(u, 'ev.CloudAssistant.unit'))]);
    }
    const fam = family(ctx).family;
    const cmd = fam === 'debian' ? `wget ${DEB_URL} && dpkg -i aliyun_assist_latest.deb` : `rpm -ivh --force ${RPM_URL}`;
    return finding('CloudAssistant', 'warn', 'NotInstalled', [said(PROGRAMS[0], 'ev.CloudAssistant.none')], {
      riskLevel: 'Medium', riskCode: 'CloudAssistant.NotInstalled',
      solution: msg('fix.CloudAssistant.notInstalled', { command: cmd }),
    });
  },
};
