// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import type { Evidence } from '../../report/types';
import { finding } from '../rule';
import { safeKey, safeValue, str } from '../../facts/windows/windows-facts';
import { regPath, valueEvidence, windowsFacts } from './shared';

export const DISK_CLASS = 'Control\\Class\\{4d36e967-e325-11ce-bfc1-08002be10318}';

/** Where a service's driver file is: its ImagePath (system32\drivers\x.sys, \SystemRoot\...) or drivers\<name>.sys. */
function driverPath(imagePath: string, name: string): string {
  const p = imagePath.replace(/^\\\?\?\\[a-z]:/i, '').replace(/^\\?SystemRoot\\/i, '\\Windows\\').replace(/^%SystemRoot%\\/i, '\\Windows\\').replace(/^[a-z]:/i, '');
  if (p === '') return `/Windows/System32/drivers/${name}.sys`;
  const abs = /^\\/.test(p) ? p : `\\Windows\\${p}`;
  return abs.replace(/\\/g, '/');
}

/** Disk: the disk class filters (UpperFilters/LowerFilters) name only drivers that exist. */
export const disk: Rule = {
  name: 'Disk',
  platforms: ['Windows'],
  run(ctx) {
    const g = ctx.guest!;
    const f = windowsFacts(ctx);
    if (f.ccs === null) {
      return finding('Disk', 'error', 'Unknown', [{ path: 'SYSTEM\\Select', text: f.ccsEvidence }], { solution: 'The current control set could not be read; see the Registry item.' });
    }
    const key = `${f.ccs}\\${DISK_CLASS}`;
    const ev: Evidence[] = [];
    const missing: { list: string; name: string; all: string[] }[] = [];
    for (const list of ['UpperFilters', 'LowerFilters']) {
      const v = safeValue(f.system.hive, key, list);
      if (v === null) continue;
      ev.push(valueEvidence('SYSTEM', key, list, v));
      const names = (v.strings ?? (v.string ? [v.string] : [])).filter((s) => s !== '');
      for (const n of names) {
        if (n.toLowerCase() === 'partmgr') continue; // Windows' own, its service key may sit elsewhere
        const svc = `${f.ccs}\\Services\\${n}`;
        const file = driverPath(str(safeValue(f.system.hive, svc, 'ImagePath')), n);
        const ok = safeKey(f.system.hive, svc) !== null && g.stat(file) !== null;
        ev.push({ path: file, text: ok ? `${n}: driver present` : `${n}: ${safeKey(f.system.hive, svc) === null ? 'no service key' : 'driver file absent'}` });
        if (!ok) missing.push({ list, name: n, all: names });
      }
    }
    if (missing.length) {
      const cmds = [...new Set(missing.map((m) => m.list))].map((list) => {
        const keep = (missing.find((m) => m.list === list)!.all).filter((n) => !missing.some((m) => m.list === list && m.name === n));
        const k = regPath('SYSTEM', key);
        return keep.length
          ? `reg add "${k}" /v ${list} /t REG_MULTI_SZ /d "${keep.join('\\0')}" /f`
          : `reg delete "${k}" /v ${list} /f`;
      });
      return finding('Disk', 'fail', 'FilterDriverMissing', ev, {
        riskLevel: 'High', riskCode: 'Disk.FilterDriverMissing',
        solution: `The disk class filter list names ${missing.map((m) => m.name).join(', ')}, whose driver is gone (left by uninstalled backup/encryption/replication software): Windows fails to boot with INACCESSIBLE_BOOT_DEVICE. Remove the names from ${list2(missing)}.`,
        command: cmds.join('\n'),
      });
    }
    return finding('Disk', 'pass', 'Normal', ev.length ? ev : [{ path: `SYSTEM\\${key}`, text: 'no UpperFilters/LowerFilters' }]);
  },
};

const list2 = (m: { list: string }[]) => [...new Set(m.map((x) => x.list))].join(' and ');
