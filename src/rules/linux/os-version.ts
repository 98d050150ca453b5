// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import { finding } from '../rule';

/** OSVersion: distribution and version from os-release and legacy release files. */
export const osVersion: Rule = {
  name: 'OSVersion',
  platforms: ['Linux'],
  run(ctx) {
    const os = ctx.os;
    if (os === null) {
      return finding('OSVersion', 'fail', 'Unknown', [{ path: '/etc/os-release', text: 'no os-release or legacy release file found' }], {
        riskLevel: 'Medium',
        riskCode: 'OSVersion.Unknown',
        solution: 'Restore /etc/os-release (it ships in the base-files / *-release package of the distribution).',
      });
    }
    const value = os.version ? `${os.name} ${os.version}` : os.name;
    if (os.unsupported) {
      return finding('OSVersion', 'warn', value, os.evidence, {
        riskLevel: 'Medium',
        riskCode: 'OSVersion.NotSupported',
        solution: `${os.name} is not a distribution Alibaba Cloud supports for custom images; import it as "Others Linux" and expect no cloud-side configuration.`,
      });
    }
    return finding('OSVersion', 'pass', value, os.evidence);
  },
};
