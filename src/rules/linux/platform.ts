// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import { finding } from '../rule';
import { msg } from '../../report/message';
import { rootReasonEvidence } from '../root-reason';

/** Platform: a root filesystem with /etc, /bin or /usr/bin and a release file. */
export const platform: Rule = {
  name: 'Platform',
  platforms: ['Any'],
  run(ctx) {
    if (ctx.platform === 'Linux') {
      return finding('Platform', 'pass', 'Linux', [rootReasonEvidence('guest root', ctx.rootReason)]);
    }
    return finding('Platform', 'fail', 'Unknown', [rootReasonEvidence('volumes', ctx.rootReason)], {
      riskLevel: 'High',
      riskCode: 'Platform.NotFound',
      solution: msg('fix.Platform.notFound'),
    });
  },
};
