// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import type { Evidence } from '../../report/types';
import { finding } from '../rule';
import { msg, said } from '../../report/message';

const SHARED = ['/Users/Default/Desktop', '/Users/Public/Desktop'];
const SKIP = new Set(['all users', 'default user', 'default', 'public']);

/** DesktopConfig: desktop.ini in the default, public and users' Desktop folders. */
export const desktopConfig: Rule = {
  name: 'DesktopConfig',
  platforms: ['Windows'],
  run(ctx) {
    const g = ctx.guest!;
    const users = (g.list('/Users') ?? []).filter((e) => e.kind === 'dir' && !SKIP.has(e.name.toLowerCase())).map((e) => `/Users/${e.name}/Desktop`);
    const ev: Evidence[] = [];
    const missing: string[] = [];
    for (const d of [...SHARED, ...users]) {
      if (g.stat(d) === null) continue;
      const ini = `${d}/desktop.ini`;
      const ok = g.stat(ini) !== null;
      ev.push(said(ini, ok ? 'ev.present' : 'ev.absent'));
      if (!ok) missing.push(d);
    }
    if (ev.length === 0) {
      return finding('DesktopConfig', 'warn', 'NotFound', [said(SHARED.join(', '), 'ev.win.DesktopConfig.noFolder')], {
        riskLevel: 'Medium', riskCode: 'DesktopConfig.NotFound',
        solution: msg('fix.win.DesktopConfig.notFound'),
      });
    }
    if (missing.length) {
      return finding('DesktopConfig', 'warn', 'Missing', ev, {
        riskLevel: 'Medium', riskCode: 'DesktopConfig.Missing',
        solution: msg('fix.win.DesktopConfig.missing', { folders: missing.join(', ') }),
      });
    }
    return finding('DesktopConfig', 'pass', 'Normal', ev);
  },
};
