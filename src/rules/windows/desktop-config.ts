// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import type { Evidence } from '../../report/types';
import { finding } from '../rule';

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
      ev.push({ path: ini, text: ok ? 'present' : 'absent' });
      if (!ok) missing.push(d);
    }
    if (ev.length === 0) {
      return finding('DesktopConfig', 'warn', 'NotFound', [{ path: SHARED.join(', '), text: 'no Desktop folder' }], {
        riskLevel: 'Medium', riskCode: 'DesktopConfig.NotFound',
        solution: 'The guest has no default or public Desktop folder; the user profile template is damaged and new accounts may get a temporary profile.',
      });
    }
    if (missing.length) {
      return finding('DesktopConfig', 'warn', 'Missing', ev, {
        riskLevel: 'Medium', riskCode: 'DesktopConfig.Missing',
        solution: `desktop.ini is missing in ${missing.join(', ')}: the folder shows without its localized name and icons. Copy it from another Windows of the same release (it is a hidden system file: attrib +s +h).`,
      });
    }
    return finding('DesktopConfig', 'pass', 'Normal', ev);
  },
};
