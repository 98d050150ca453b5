// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import type { Evidence } from '../../report/types';
import { finding } from '../rule';
import { num, safeKey, safeValue } from '../../facts/windows/windows-facts';
import { regPath, valueEvidence, windowsFacts } from './shared';
import { msg, said } from '../../report/message';

const XEN = ['xenvbd', 'xennet', 'xenbus', 'xenpci', 'xeniface', 'xenfilt', 'xenvif', 'xendisk'];

/** Xen: no Xen PV driver left enabled (they take the disks from the emulated/virtio drivers on ECS). */
export const xen: Rule = {
  name: 'Xen',
  platforms: ['Windows'],
  run(ctx) {
    const f = windowsFacts(ctx);
    const ev: Evidence[] = [];
    const enabled: string[] = [];
    if (f.ccs === null) {
      return finding('Xen', 'error', 'Unknown', [{ path: 'SYSTEM\\Select', text: f.ccsEvidence }], { solution: msg('fix.win.noControlSet') });
    }
    for (const n of XEN) {
      const key = `${f.ccs}\\Services\\${n}`;
      if (safeKey(f.system.hive, key) === null) continue;
      const v = safeValue(f.system.hive, key, 'Start');
      ev.push(valueEvidence('SYSTEM', key, 'Start', v));
      if (num(v) !== 4) enabled.push(n);
    }
    const hkey = `${f.ccs}\\Services\\XenPCI\\Parameters`;
    const hide = safeValue(f.system.hive, hkey, 'hide_devices');
    if (hide) ev.push(valueEvidence('SYSTEM', hkey, 'hide_devices', hide));
    if (enabled.length || hide) {
      const cmds = enabled.map((n) => `reg add "${regPath('SYSTEM', `${f.ccs}\\Services\\${n}`)}" /v Start /t REG_DWORD /d 4 /f`);
      if (hide) cmds.push(`reg delete "${regPath('SYSTEM', hkey)}" /v hide_devices /f`);
      return finding('Xen', 'fail', 'Installed', ev, {
        riskLevel: 'High', riskCode: 'Xen.DriverInstalled',
        solution: msg('fix.win.Xen.installed', { drivers: enabled.join(', ') || 'XenPCI hide_devices' }),
        command: cmds.join('\n'),
      });
    }
    return finding('Xen', 'pass', ev.length ? 'Disabled' : 'NotInstalled', ev.length ? ev : [said(`SYSTEM\\${f.ccs}\\Services`, 'ev.win.Xen.none', { drivers: XEN.join(', ') })]);
  },
};
