// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import { finding } from '../rule';
import { readText } from '../guest-view';
import { parseAdjtime } from '../../facts/adjtime';
import { msg, said } from '../../report/message';

const ADJTIME = '/etc/adjtime';

/** The one-line fix: hwclock reads the third line of /etc/adjtime at boot. */
export const RTC_UTC_FIX = `sed -i '3s/.*/UTC/' ${ADJTIME}`;

/**
 * RtcTimeMode (CHECKS.md): the third line of /etc/adjtime, UTC or LOCAL; no
 * file means UTC. ECS gives instances an RTC in UTC, so LOCAL shifts the
 * clock by the zone offset until NTP corrects it.
 */
export const rtcTimeMode: Rule = {
  name: 'RtcTimeMode',
  platforms: ['Linux'],
  run(ctx) {
    const a = parseAdjtime(readText(ctx.guest!, ADJTIME, 4096));
    if (a.line === 0) {
      const present = ctx.guest!.stat(ADJTIME) !== null;
      return finding('RtcTimeMode', 'pass', 'UTC', [said(ADJTIME, present ? 'ev.RtcTimeMode.noThirdLine' : 'ev.RtcTimeMode.absent')]);
    }
    const ev = [{ path: ADJTIME, line: a.line, text: a.text }];
    if (a.mode === 'UTC') return finding('RtcTimeMode', 'pass', 'UTC', ev);
    if (a.mode === 'LOCAL') {
      return finding('RtcTimeMode', 'warn', 'local', ev, {
        riskLevel: 'Medium', riskCode: 'RtcTimeMode.Local',
        solution: msg('fix.RtcTimeMode.local', { path: ADJTIME, command: RTC_UTC_FIX }),
        command: RTC_UTC_FIX,
      });
    }
    return finding('RtcTimeMode', 'warn', 'Unknown', ev, {
      riskLevel: 'Medium', riskCode: 'RtcTimeMode.Invalid',
      solution: msg('fix.RtcTimeMode.invalid', { path: ADJTIME, command: RTC_UTC_FIX }),
      command: RTC_UTC_FIX,
    });
  },
};
