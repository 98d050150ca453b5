// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import { finding, compareVersions } from '../rule';
import { cloudInitInfo } from '../../facts/cloud-init';
import { linuxFacts, family } from './shared';
import { msg, said } from '../../report/message';

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
      const ev = [f.packages.kind !== 'none' ? said(f.packages.path || '/usr/bin/cloud-init', 'ev.CloudInit.noPackageIn', { db: f.packages.kind }) : said(f.packages.path || '/usr/bin/cloud-init', 'ev.CloudInit.noPackage')];
      return finding('CloudInit', 'fail', 'NotInstalled', ev, {
        riskLevel: 'Medium', riskCode: 'CloudInit.NotInstalled',
        solution: msg('fix.CloudInit.notInstalled', { command: tools.install(cloudInitPackages(fam)) }),
      });
    }
    const value = ci.version || 'Installed';
    if (ci.disabled) {
      return finding('CloudInit', 'warn', value, [...ci.evidence, ci.disabled], {
        riskLevel: 'Medium', riskCode: 'CloudInit.Disabled',
        solution: ci.disabled.path === 'kernel command line'
          ? msg('fix.CloudInit.disabledCmdline')
          : msg('fix.CloudInit.disabledFile'),
      });
    }
    if (ci.version && compareVersions(ci.version, ALIYUN_SINCE) < 0) {
      return finding('CloudInit', 'warn', value, ci.evidence, {
        riskLevel: 'Medium', riskCode: 'CloudInit.VersionTooOld',
        solution: msg('fix.CloudInit.tooOld', { version: ci.version, since: ALIYUN_SINCE, command: tools.install(['cloud-init']) }),
      });
    }
    if (ci.datasources && !ci.datasources.list.some((d) => d.toLowerCase() === 'aliyun')) {
      return finding('CloudInit', 'warn', value, [...ci.evidence, ci.datasources.evidence], {
        riskLevel: 'Medium', riskCode: 'CloudInit.NoAliYunDatasource',
        solution: msg('fix.CloudInit.noAliYun'),
      });
    }
    const ev = [...ci.evidence];
    ev.push(ci.datasources ? ci.datasources.evidence : said('/etc/cloud/cloud.cfg', 'ev.CloudInit.noDatasourceList'));
    return finding('CloudInit', 'pass', value, ev);
  },
};
