// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import type { Evidence } from '../../report/types';
import { finding } from '../rule';
import { readText } from '../guest-view';
import { num, safeValue, str } from '../../facts/windows/windows-facts';
import { valueEvidence, windowsFacts } from './shared';
import { msg, said } from '../../report/message';

const STATE_KEY = 'Microsoft\\Windows\\CurrentVersion\\Setup\\State';
const STATE_INI = '/Windows/Setup/State/State.ini';
/** states after which the image boots normally (sealed to OOBE = generalized, finishes setup on first boot) */
const GOOD = new Set(['IMAGE_STATE_COMPLETE', 'IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE', 'IMAGE_STATE_SPECIALIZE_RESEAL_TO_OOBE']);

/** Sysprep: if sysprep ran, it finished (ImageState, State.ini, SYSTEM\Setup SystemSetupInProgress). */
export const sysprep: Rule = {
  name: 'Sysprep',
  platforms: ['Windows'],
  run(ctx) {
    const f = windowsFacts(ctx);
    const ev: Evidence[] = [];
    const sv = safeValue(f.software.hive, STATE_KEY, 'ImageState');
    let state = str(sv);
    if (sv) ev.push(valueEvidence('SOFTWARE', STATE_KEY, 'ImageState', sv));
    if (!state) {
      const ini = readText(ctx.guest!, STATE_INI, 64 << 10);
      const m = ini ? /^\s*ImageState\s*=\s*(\S+)/im.exec(ini.replace(/\0/g, '')) : null;
      if (m) { state = m[1]; ev.push({ path: STATE_INI, text: `ImageState=${state}` }); }
    }
    const inProgress = num(safeValue(f.system.hive, 'Setup', 'SystemSetupInProgress'));
    if (inProgress !== null) ev.push(valueEvidence('SYSTEM', 'Setup', 'SystemSetupInProgress', safeValue(f.system.hive, 'Setup', 'SystemSetupInProgress')));
    const sealed = /RESEAL_TO_OOBE|RESEAL_TO_AUDIT/.test(state);
    if (state && !GOOD.has(state)) {
      return finding('Sysprep', 'fail', state, ev, {
        riskLevel: 'High', riskCode: 'Sysprep.NotCompleted',
        solution: msg('fix.win.Sysprep.notCompleted', { state }),
      });
    }
    if (inProgress === 1 && !sealed) {
      return finding('Sysprep', 'fail', 'SetupInProgress', ev, {
        riskLevel: 'High', riskCode: 'Sysprep.SetupInProgress',
        solution: msg('fix.win.Sysprep.inProgress'),
      });
    }
    if (!state) ev.push(said(`SOFTWARE\\${STATE_KEY}`, 'ev.win.Sysprep.neverRan'));
    return finding('Sysprep', 'pass', state || 'NotRun', ev);
  },
};
