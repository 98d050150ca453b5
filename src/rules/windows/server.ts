// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import type { Evidence } from '../../report/types';
import { finding } from '../rule';
import { num, safeValue } from '../../facts/windows/windows-facts';
import { regPath, valueEvidence, windowsFacts } from './shared';
import { msg, said } from '../../report/message';

const POLICY = 'Policies\\Microsoft\\Windows\\DeviceInstall\\Restrictions';

/** Server: driver installation is allowed (DeviceInstallDisabled absent or 0; no device-install restriction policy). */
export const server: Rule = {
  name: 'Server',
  platforms: ['Windows'],
  run(ctx) {
    const f = windowsFacts(ctx);
    const ev: Evidence[] = [];
    const cmds: string[] = [];
    if (f.ccs) {
      for (const svc of ['DeviceInstall', 'PlugPlay']) {
        const key = `${f.ccs}\\Services\\${svc}\\Parameters`;
        const v = safeValue(f.system.hive, key, 'DeviceInstallDisabled');
        if (v === null) continue;
        ev.push(valueEvidence('SYSTEM', key, 'DeviceInstallDisabled', v));
        if (num(v) !== 0) cmds.push(`reg add "${regPath('SYSTEM', key)}" /v DeviceInstallDisabled /t REG_DWORD /d 0 /f`);
      }
    }
    for (const name of ['DenyUnspecified', 'DenyDeviceClasses', 'DenyDeviceIDs']) {
      const v = safeValue(f.software.hive, POLICY, name);
      if (v === null) continue;
      ev.push(valueEvidence('SOFTWARE', POLICY, name, v));
      if (num(v) === 1) cmds.push(`reg add "${regPath('SOFTWARE', POLICY)}" /v ${name} /t REG_DWORD /d 0 /f`);
    }
    if (cmds.length) {
      return finding('Server', 'fail', 'DeviceInstallDisabled', ev, {
        riskLevel: 'High', riskCode: 'Server.DeviceInstallDisabled',
        solution: msg('fix.win.Server.disabled'),
        command: cmds.join('\n'),
      });
    }
    return finding('Server', 'pass', 'Normal', ev.length ? ev : [said(`SYSTEM\\${f.ccs ?? 'ControlSet001'}\\Services\\DeviceInstall\\Parameters`, 'ev.win.Server.allowed')]);
  },
};
