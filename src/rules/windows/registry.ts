// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import type { Evidence } from '../../report/types';
import { finding } from '../rule';
import { CONFIG } from '../../facts/windows/windows-facts';

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
        ev.push({ path, text: `not a readable hive: ${(e as Error).message}` });
        fail('Registry.Corrupt', name);
        continue;
      }
      if (h === null) {
        ev.push({ path, text: 'absent' });
        fail('Registry.Missing', name);
        continue;
      }
      try {
        const i = h.info;
        const seq = `sequence ${i.primarySequence}/${i.secondarySequence}`;
        if (!i.checksumOk && !i.baseBlockFromLog) {
          ev.push({ path, text: `base block checksum wrong (${seq})` });
          fail('Registry.Corrupt', name);
        } else if (i.dirty && !i.logsApplied) {
          ev.push({ path, text: `dirty (${seq}) and no transaction log to apply${i.logs.length ? ` (logs ${i.logs.join(', ')} gave nothing)` : ''}` });
          fail('Registry.Dirty', name);
        } else if (h.key('') === null) {
          ev.push({ path, text: 'the root key is unreadable' });
          fail('Registry.Corrupt', name);
        } else {
          ev.push({ path, text: i.dirty ? `dirty (${seq}); ${i.logEntriesApplied ?? 0} log entries of ${i.logs.join(', ')} applied in memory` : `clean (${seq}), regf ${i.version}` });
        }
      } catch (e) {
        ev.push({ path, text: `damaged: ${(e as Error).message}` });
        fail('Registry.Corrupt', name);
      } finally {
        h.close();
      }
    }
    if (bad.length) {
      return finding('Registry', 'fail', 'Abnormal', ev, {
        riskLevel: 'High', riskCode: code,
        solution: `Registry hive${bad.length > 1 ? 's' : ''} ${bad.join(', ')} ${bad.length > 1 ? 'are' : 'is'} missing, damaged or dirty without logs: shut the guest down cleanly (not a crash or forced power-off) before exporting the disk, or restore ${CONFIG.replace(/\//g, '\\')}\\RegBack copies.`,
      });
    }
    return finding('Registry', 'pass', 'Normal', ev);
  },
};
