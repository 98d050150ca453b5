// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import type { Evidence } from '../../report/types';
import { finding } from '../rule';
import { CONFIG } from '../../facts/windows/windows-facts';
import { msg, said } from '../../report/message';

const HIVES = ['SYSTEM', 'SOFTWARE', 'SAM', 'SECURITY', 'DEFAULT'];

/**
 * Registry: the five machine hives parse; a dirty hive (sequence numbers
 * unequal) is read with its .LOG1/.LOG2 applied, and fails when it has none.
 */
export const registry: Rule = {
  name: 'Registry',
  platforms: ['Windows'],
  run(ctx) {
    const ev: Evidence[] = [];
    const bad: string[] = [];
    let code = '';
    const fail = (c: string, name: string) => { bad.push(name); code ||= c; };
    for (const name of HIVES) {
      const path = `${CONFIG}/${name}`;
      let h;
      try {
        h = ctx.hive ? ctx.hive(path) : null;
      } catch (e) {
        ev.push(said(path, 'ev.win.Registry.notHive', { detail: (e as Error).message }));
        fail('Registry.Corrupt', name);
        continue;
      }
      if (h === null) {
        ev.push(said(path, 'ev.absent'));
        fail('Registry.Missing', name);
        continue;
      }
      try {
        const i = h.info;
        const seq = msg('ev.win.Registry.sequence', { primary: i.primarySequence, secondary: i.secondarySequence });
        if (!i.checksumOk && !i.baseBlockFromLog) {
          ev.push(said(path, 'ev.win.Registry.checksum', { seq }));
          fail('Registry.Corrupt', name);
        } else if (i.dirty && !i.logsApplied) {
          ev.push(said(path, i.logs.length ? 'ev.win.Registry.dirtyLogsEmpty' : 'ev.win.Registry.dirtyNoLog', { seq, logs: i.logs.join(', ') }));
          fail('Registry.Dirty', name);
        } else if (h.key('') === null) {
          ev.push(said(path, 'ev.win.Registry.rootKey'));
          fail('Registry.Corrupt', name);
        } else {
          ev.push(i.dirty ? said(path, 'ev.win.Registry.logsApplied', { seq, count: i.logEntriesApplied ?? 0, logs: i.logs.join(', ') }) : said(path, 'ev.win.Registry.clean', { seq, version: i.version }));
        }
      } catch (e) {
        ev.push(said(path, 'ev.win.Registry.damaged', { detail: (e as Error).message }));
        fail('Registry.Corrupt', name);
      } finally {
        h.close();
      }
    }
    if (bad.length) {
      return finding('Registry', 'fail', 'Abnormal', ev, {
        riskLevel: 'High', riskCode: code,
        solution: msg(bad.length > 1 ? 'fix.win.Registry.badMany' : 'fix.win.Registry.badOne', { hives: bad.join(', '), regback: `${CONFIG.replace(/\//g, '\\')}\\RegBack` }),
      });
    }
    return finding('Registry', 'pass', 'Normal', ev);
  },
};
