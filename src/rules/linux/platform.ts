// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import { finding } from '../rule';

/** Platform: a root filesystem with /etc, /bin or /usr/bin and a release file. */
export const platform: Rule = {
  name: 'Platform',
  platforms: ['Any'],
  run(ctx) {
    if (ctx.platform === 'Linux') {
      return finding('Platform', 'pass', 'Linux', [{ path: 'guest root', text: ctx.rootReason }]);
    }
    return finding('Platform', 'fail', 'Unknown', [{ path: 'volumes', text: ctx.rootReason }], {
      riskLevel: 'High',
      riskCode: 'Platform.NotFound',
      solution: 'The image holds no operating system root that guestcheck can read. Check that this is the system disk, that it is not encrypted, and that its filesystem is supported.',
    });
  },
};
