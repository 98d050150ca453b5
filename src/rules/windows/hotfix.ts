// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import type { Evidence } from '../../report/types';
import { finding } from '../rule';
import { num, safeKey, safeValue } from '../../facts/windows/windows-facts';
import { windowsFacts } from './shared';
import { msg, said } from '../../report/message';

const PACKAGES = 'Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Packages';
/** updates Microsoft withdrew for breaking boot, Hyper-V or ReFS (January/May 2022 rollups) */
export const BAD_KBS = ['5009624', '5009595', '5009546', '5009557', '5009555', '5014738', '5014702', '5014692', '5014678'];
/** CBS CurrentState of an installed package (0x70); staged or superseded ones do not count */
const INSTALLED = 0x70;

/** Hotfix: no known-bad update installed; Windows Server 2008 R2 has KB3033929 (SHA-2 signed drivers). */
export const hotfix: Rule = {
  name: 'Hotfix',
  platforms: ['Windows'],
  run(ctx) {
    const f = windowsFacts(ctx);
    const pk = safeKey(f.software.hive, PACKAGES);
    if (pk === null) {
      return finding('Hotfix', 'error', 'Unknown', [f.software.error ? { path: `SOFTWARE\\${PACKAGES}`, text: f.software.error } : said(`SOFTWARE\\${PACKAGES}`, 'ev.absent')], {
        solution: msg('fix.win.Hotfix.unreadable'),
      });
    }
    const kbOf = (name: string) => /_KB(\d+)/i.exec(name)?.[1] ?? null;
    const installed = (name: string) => {
      const s = num(safeValue(f.software.hive, `${PACKAGES}\\${name}`, 'CurrentState'));
      return s === null || s === INSTALLED;
    };
    const ev: Evidence[] = [said(`SOFTWARE\\${PACKAGES}`, 'ev.win.Hotfix.packages', { count: pk.subkeys.length })];
    const bad = pk.subkeys.filter((s) => BAD_KBS.includes(kbOf(s.name) ?? '') && installed(s.name));
    for (const b of bad) ev.push(said(`SOFTWARE\\${PACKAGES}\\${b.name}`, 'ev.win.installed'));
    if (bad.length) {
      const kbs = [...new Set(bad.map((b) => kbOf(b.name)!))];
      return finding('Hotfix', 'fail', kbs.map((k) => `KB${k}`).join(','), ev, {
        riskLevel: 'High', riskCode: 'Hotfix.KnownBad',
        solution: msg(kbs.length > 1 ? 'fix.win.Hotfix.badMany' : 'fix.win.Hotfix.badOne', { kbs: kbs.map((k) => `KB${k}`).join(', ') }),
        command: kbs.map((k) => `wusa /uninstall /kb:${k} /quiet /norestart`).join('\n'),
      });
    }
    const b = f.version?.build ?? null;
    if (f.version?.server && (b === 7600 || b === 7601) && !pk.subkeys.some((s) => kbOf(s.name) === '3033929' && installed(s.name))) {
      return finding('Hotfix', 'fail', 'KB3033929Missing', [...ev, said(`SOFTWARE\\${PACKAGES}`, 'ev.win.Hotfix.noSha2')], {
        riskLevel: 'High', riskCode: 'Hotfix.Missing',
        solution: msg('fix.win.Hotfix.sha2'),
        command: 'wusa Windows6.1-KB3033929-x64.msu /quiet /norestart',
      });
    }
    return finding('Hotfix', 'pass', 'Normal', ev);
  },
};
