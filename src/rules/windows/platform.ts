// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import { finding } from '../rule';
import { SYSTEM_HIVE, SOFTWARE_HIVE } from '../../facts/windows/windows-facts';

/** Platform (Windows): an NTFS volume holding Windows/System32/config/SYSTEM and SOFTWARE. */
export const platform: Rule = {
  name: 'Platform',
  platforms: ['Windows'],
  run(ctx) {
    const g = ctx.guest!;
    const ev = [{ path: 'guest root', text: ctx.rootReason }];
    const missing = [SYSTEM_HIVE, SOFTWARE_HIVE].filter((p) => g.stat(p) === null);
    if (missing.length) {
      return finding('Platform', 'fail', 'Unknown', [...ev, ...missing.map((p) => ({ path: p, text: 'absent' }))], {
        riskLevel: 'High', riskCode: 'Platform.NotFound',
        solution: 'The Windows volume lacks its registry hives; check that this is the system disk of the Windows guest.',
      });
    }
    return finding('Platform', 'pass', 'Windows', ev);
  },
};
