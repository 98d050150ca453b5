// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import { finding, compareVersions } from '../rule';
import { cloudInitInfo } from '../../facts/cloud-init';
import { linuxFacts, family } from './shared';

/** cloud-init's AliYun data source arrived in 0.7.9 */
const ALIYUN_SINCE = '0.7.9';

/** The packages that give cloud-init and growpart on each family. */
export function cloudInitPackages(fam: string): string[] {
  return fam === 'debian' ? ['cloud-init', 'cloud-guest-utils'] : fam === 'suse' ? ['cloud-init', 'growpart'] : ['cloud-init', 'cloud-utils-growpart'];
}

/**
 * CloudInit (CHECKS.md): cloud-init installed (package database, else its
 * program), its version from its Python package, not disabled, and a data
 * source list that lets it find Alibaba Cloud's metadata (AliYun).
 */
export const cloudInit: Rule = {
  name: 'CloudInit',
  platforms: ['Linux'],
  run(ctx) {
    const f = linuxFacts(ctx);
    const { family: fam, tools } = family(ctx);
    const ci = cloudInitInfo(ctx.guest!, f.packages, f.bootEntry?.cmdline ?? '');
    if (!ci.installed) {
      const ev = [{ path: f.packages.path || '/usr/bin/cloud-init', text: `no cloud-init package${f.packages.kind !== 'none' ? ` in the ${f.packages.kind} database` : ''} and no /usr/bin/cloud-init` }];
      return finding('CloudInit', 'fail', 'NotInstalled', ev, {
        riskLevel: 'Medium', riskCode: 'CloudInit.NotInstalled',
        solution: `Without cloud-init the instance does not take its host name, SSH keys, password or network settings from the cloud. Install it: ${tools.install(cloudInitPackages(fam))}`,
      });
    }
    const value = ci.version || 'Installed';
    if (ci.disabled) {
      return finding('CloudInit', 'warn', value, [...ci.evidence, ci.disabled], {
        riskLevel: 'Medium', riskCode: 'CloudInit.Disabled',
        solution: ci.disabled.path === 'kernel command line'
          ? 'Remove cloud-init=disabled from the kernel command line (GRUB_CMDLINE_LINUX in /etc/default/grub), then regenerate grub.cfg.'
          : 'cloud-init is disabled: rm -f /etc/cloud/cloud-init.disabled',
      });
    }
    if (ci.version && compareVersions(ci.version, ALIYUN_SINCE) < 0) {
      return finding('CloudInit', 'warn', value, ci.evidence, {
        riskLevel: 'Medium', riskCode: 'CloudInit.VersionTooOld',
        solution: `cloud-init ${ci.version} predates the AliYun data source (${ALIYUN_SINCE}): update it. ${tools.install(['cloud-init'])}`,
      });
    }
    if (ci.datasources && !ci.datasources.list.some((d) => d.toLowerCase() === 'aliyun')) {
      return finding('CloudInit', 'warn', value, [...ci.evidence, ci.datasources.evidence], {
        riskLevel: 'Medium', riskCode: 'CloudInit.NoAliYunDatasource',
        solution: `datasource_list does not name AliYun, so cloud-init will not read the instance metadata on Alibaba Cloud. Add it, e.g.: echo 'datasource_list: [ AliYun, NoCloud, None ]' > /etc/cloud/cloud.cfg.d/99_aliyun.cfg`,
      });
    }
    const ev = [...ci.evidence];
    ev.push(ci.datasources ? ci.datasources.evidence : { path: '/etc/cloud/cloud.cfg', text: 'no datasource_list: cloud-init probes its built-in list, which includes AliYun' });
    return finding('CloudInit', 'pass', value, ev);
  },
};
