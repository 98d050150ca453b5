// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import { finding } from '../rule';
import { SYSTEM_HIVE, SOFTWARE_HIVE } from '../../facts/windows/windows-facts';
import { msg, said } from '../../report/message';
import { rootReasonEvidence } from '../root-reason';

/** Platform (Windows): an NTFS volume holding Windows/System32/config/SYSTEM and SOFTWARE. */
export const platform: Rule = {
  name: 'Platform',
  platforms: ['Windows'],
  run(ctx) {
    const g = ctx.guest!;
    const ev = [rootReasonEvidence('guest root', ctx.rootReason)];
    const missing = [SYSTEM_HIVE, SOFTWARE_HIVE].filter((p) => g.stat(p) === null);
    if (missing.length) {
      return finding('Platform', 'fail', 'Unknown', [...ev, ...missing.map((p) => said(p, 'ev.absent'))], {
        riskLevel: 'High', riskCode: 'Platform.NotFound',
        solution: msg('fix.win.Platform.noHives'),
      });
    }
    return finding('Platform', 'pass', 'Windows', ev);
  },
};
