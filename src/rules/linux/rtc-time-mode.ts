// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import { finding } from '../rule';
import { readText } from '../guest-view';
import { parseAdjtime } from '../../facts/adjtime';

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
      return finding('RtcTimeMode', 'pass', 'UTC', [{ path: ADJTIME, text: present ? 'no third line: hwclock defaults to UTC' : 'absent: hwclock defaults to UTC' }]);
    }
    const ev = [{ path: ADJTIME, line: a.line, text: a.text }];
    if (a.mode === 'UTC') return finding('RtcTimeMode', 'pass', 'UTC', ev);
    if (a.mode === 'LOCAL') {
      return finding('RtcTimeMode', 'warn', 'local', ev, {
        riskLevel: 'Medium', riskCode: 'RtcTimeMode.Local',
        solution: `The hardware clock is read as local time, but ECS keeps it in UTC: the clock is off by the zone offset after boot. Set the third line of ${ADJTIME} to UTC: ${RTC_UTC_FIX}`,
        command: RTC_UTC_FIX,
      });
    }
    return finding('RtcTimeMode', 'warn', 'Unknown', ev, {
      riskLevel: 'Medium', riskCode: 'RtcTimeMode.Invalid',
      solution: `The third line of ${ADJTIME} is neither UTC nor LOCAL; hwclock then assumes UTC. Write UTC there: ${RTC_UTC_FIX}`,
      command: RTC_UTC_FIX,
    });
  },
};
