// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import type { Evidence } from '../../report/types';
import { finding } from '../rule';
import { safeKey, safeValue } from '../../facts/windows/windows-facts';
import { valueEvidence, windowsFacts } from './shared';

const PENDING_XML = '/Windows/WinSxS/pending.xml';
const CBS = 'Microsoft\\Windows\\CurrentVersion\\Component Based Servicing';
const WU_REBOOT = 'Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired';
const REVERT = 'dism /image:<mounted Windows volume>\\ /cleanup-image /revertpendingactions';

/** Update: no servicing operation interrupted mid-way (pending.xml, CBS RebootPending/PackagesPending, pending renames). */
export const update: Rule = {
  name: 'Update',
  platforms: ['Windows'],
  run(ctx) {
    const g = ctx.guest!;
    const f = windowsFacts(ctx);
    const hard: Evidence[] = [], soft: Evidence[] = [];
    const px = g.stat(PENDING_XML);
    if (px) hard.push({ path: PENDING_XML, text: `${px.size} bytes: servicing actions wait for a reboot` });
    for (const k of ['RebootPending', 'PackagesPending']) {
      if (safeKey(f.software.hive, `${CBS}\\${k}`) !== null) hard.push({ path: `SOFTWARE\\${CBS}\\${k}`, text: 'present' });
    }
    if (safeKey(f.software.hive, WU_REBOOT) !== null) soft.push({ path: `SOFTWARE\\${WU_REBOOT}`, text: 'present: Windows Update waits for a reboot' });
    if (f.ccs) {
      const key = `${f.ccs}\\Control\\Session Manager`;
      const v = safeValue(f.system.hive, key, 'PendingFileRenameOperations');
      if (v && (v.strings ?? []).some((s) => s !== '')) soft.push(valueEvidence('SYSTEM', key, 'PendingFileRenameOperations', v));
    }
    if (hard.length) {
      return finding('Update', 'fail', 'UpdatePending', [...hard, ...soft], {
        riskLevel: 'High', riskCode: 'Update.Pending',
        solution: 'An update or component install was interrupted and finishes on the next boot, which often fails on new hardware. Boot the source machine, let the update complete (restart until no update is pending), then export; or revert the pending actions offline.',
        command: REVERT,
      });
    }
    if (soft.length) {
      return finding('Update', 'warn', 'RebootRequired', soft, {
        riskLevel: 'Medium', riskCode: 'Update.RebootRequired',
        solution: 'The guest waits for a reboot to finish an update (or to replace files in use). Restart the source machine once before export.',
      });
    }
    return finding('Update', 'pass', 'Normal', [{ path: PENDING_XML, text: 'absent; no pending servicing keys' }]);
  },
};
