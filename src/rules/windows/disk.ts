// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import type { Evidence } from '../../report/types';
import { finding } from '../rule';
import { safeKey, safeValue, str } from '../../facts/windows/windows-facts';
import { regPath, valueEvidence, windowsFacts } from './shared';
import { msg, said } from '../../report/message';

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
      return finding('Disk', 'error', 'Unknown', [{ path: 'SYSTEM\\Select', text: f.ccsEvidence }], { solution: msg('fix.win.noControlSet') });
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
        ev.push(said(file, ok ? 'ev.win.Disk.present' : safeKey(f.system.hive, svc) === null ? 'ev.win.Disk.noService' : 'ev.win.Disk.fileAbsent', { name: n }));
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
        solution: msg('fix.win.Disk.filterMissing', { names: missing.map((m) => m.name).join(', '), lists: list2(missing) }),
        command: cmds.join('\n'),
      });
    }
    return finding('Disk', 'pass', 'Normal', ev.length ? ev : [said(`SYSTEM\\${key}`, 'ev.win.Disk.noFilters')]);
  },
};

const list2 = (m: { list: string }[]) => { const l = [...new Set(m.map((x) => x.list))]; return l.length > 1 ? msg('fix.win.Disk.bothLists', { a: l[0], b: l[1] }) : l[0]; };
