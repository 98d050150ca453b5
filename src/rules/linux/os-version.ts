// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import { finding } from '../rule';
import { msg, said } from '../../report/message';

/** OSVersion: distribution and version from os-release and legacy release files. */
export const osVersion: Rule = {
  name: 'OSVersion',
  platforms: ['Linux'],
  run(ctx) {
    const os = ctx.os;
    if (os === null) {
      return finding('OSVersion', 'fail', 'Unknown', [said('/etc/os-release', 'ev.OSVersion.none')], {
        riskLevel: 'Medium',
        riskCode: 'OSVersion.Unknown',
        solution: msg('fix.OSVersion.unknown'),
      });
    }
    const value = os.version ? `${os.name} ${os.version}` : os.name;
    if (os.unsupported) {
      return finding('OSVersion', 'warn', value, os.evidence, {
        riskLevel: 'Medium',
        riskCode: 'OSVersion.NotSupported',
        solution: msg('fix.OSVersion.notSupported', { name: os.name }),
      });
    }
    return finding('OSVersion', 'pass', value, os.evidence);
  },
};
