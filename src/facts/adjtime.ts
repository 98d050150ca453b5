// SPDX-License-Identifier: Apache-2.0
// /etc/adjtime as hwclock(8) writes it: line 1 drift, line 2 last
// calibration, line 3 "UTC" or "LOCAL". A missing file or third line means
// UTC (util-linux's and systemd-timedated's default).

export interface Adjtime {
  mode: 'UTC' | 'LOCAL' | 'unknown';
  /** 1-based line that said so, 0 when the default applies */
  line: number;
  text: string;
}

export function parseAdjtime(text: string | null): Adjtime {
  if (text === null) return { mode: 'UTC', line: 0, text: '' };
  const lines = text.split('\n');
  const third = (lines[2] ?? '').replace(/\r$/, '');
  const w = third.trim();
  if (w === '') return { mode: 'UTC', line: 0, text: '' };
  if (w === 'UTC') return { mode: 'UTC', line: 3, text: third };
  if (w === 'LOCAL') return { mode: 'LOCAL', line: 3, text: third };
  return { mode: 'unknown', line: 3, text: third };
}
