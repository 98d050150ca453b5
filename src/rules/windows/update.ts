// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import type { Evidence } from '../../report/types';
import { finding } from '../rule';
import { safeKey, safeValue } from '../../facts/windows/windows-facts';
import { valueEvidence, windowsFacts } from './shared';
import { msg, said } from '../../report/message';

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
    if (px) hard.push(said(PENDING_XML, 'ev.win.Update.pendingXml', { size: px.size }));
    for (const k of ['RebootPending', 'PackagesPending']) {
      if (safeKey(f.software.hive, `${CBS}\\${k}`) !== null) hard.push(said(`SOFTWARE\\${CBS}\\${k}`, 'ev.present'));
    }
    if (safeKey(f.software.hive, WU_REBOOT) !== null) soft.push(said(`SOFTWARE\\${WU_REBOOT}`, 'ev.win.Update.rebootRequired'));
    if (f.ccs) {
      const key = `${f.ccs}\\Control\\Session Manager`;
      const v = safeValue(f.system.hive, key, 'PendingFileRenameOperations');
      if (v && (v.strings ?? []).some((s) => s !== '')) soft.push(valueEvidence('SYSTEM', key, 'PendingFileRenameOperations', v));
    }
    if (hard.length) {
      return finding('Update', 'fail', 'UpdatePending', [...hard, ...soft], {
        riskLevel: 'High', riskCode: 'Update.Pending',
        solution: msg('fix.win.Update.pending'),
        command: REVERT,
      });
    }
    if (soft.length) {
      return finding('Update', 'warn', 'RebootRequired', soft, {
        riskLevel: 'Medium', riskCode: 'Update.RebootRequired',
        solution: msg('fix.win.Update.reboot'),
      });
    }
    return finding('Update', 'pass', 'Normal', [said(PENDING_XML, 'ev.win.Update.none')]);
  },
};
