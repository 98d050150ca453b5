// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import { finding } from '../rule';
import { readText } from '../guest-view';
import type { Evidence } from '../../report/types';
import { cmdlineParam, parseSelinuxConfig } from '../../facts/selinux';
import { bootEntry } from '../../facts/boot-entries';
import { familyOf } from '../../facts/family';
import type { OsInfo } from '../../facts/os-release';
import { msg, said } from '../../report/message';

const CONFIG = '/etc/selinux/config';
const SELINUX_DISABLE = `sed -i 's/^SELINUX=.*/SELINUX=disabled/' ${CONFIG}`;

/** RHEL 9 and its rebuilds, and Fedora 35+, ignore SELINUX=disabled at boot: only selinux=0 turns it off. */
export function needsKernelArg(os: OsInfo): boolean {
  const major = parseInt(os.version, 10);
  if (os.id === 'fedora') return major >= 35;
  return familyOf(os) === 'rhel' && major >= 9 && !['amzn', 'alinux', 'openEuler', 'openeuler'].includes(os.id);
}

/**
 * Selinux (CHECKS.md): SELINUX= in /etc/selinux/config, overridden by
 * selinux=0 (off) or enforcing=0 (permissive) on the default entry's kernel
 * command line. Disabled is what the cloud recommends; enforcing is a risk
 * because files changed outside the guest carry no labels.
 */
export const selinux: Rule = {
  name: 'Selinux',
  platforms: ['Linux'],
  run(ctx) {
    const g = ctx.guest!;
    const text = readText(g, CONFIG, 64 * 1024);
    const entry = bootEntry(g);
    const cmd = entry?.cmdline ?? '';
    const ev: Evidence[] = [];
    const cmdEv = (p: string) => { const e = entry!.evidence[entry!.evidence.length - 1]; ev.push(said(e.path, 'ev.Selinux.cmdline', { param: p }, e.line)); };
    if (cmdlineParam(cmd, 'selinux') === '0') {
      cmdEv('selinux=0');
      return finding('Selinux', 'pass', 'Disabled', ev);
    }
    if (text === null) {
      return finding('Selinux', 'pass', 'Disabled', [said(CONFIG, 'ev.Selinux.absent')]);
    }
    const c = parseSelinuxConfig(text);
    if (c === null) {
      return finding('Selinux', 'pass', 'Disabled', [said(CONFIG, 'ev.Selinux.noLine')]);
    }
    ev.push({ path: CONFIG, line: c.line, text: c.text });
    let mode = c.mode;
    if (mode === 'enforcing' && cmdlineParam(cmd, 'enforcing') === '0') { cmdEv('enforcing=0'); mode = 'permissive'; }
    if (mode === 'disabled') return finding('Selinux', 'pass', 'Disabled', ev);
    if (mode === 'permissive') return finding('Selinux', 'info', 'Permissive', ev, { solution: msg('fix.Selinux.permissive', { command: SELINUX_DISABLE }) });
    const os = ctx.os;
    const kernelArg = os !== null && needsKernelArg(os);
    const extra = kernelArg ? msg('fix.Selinux.kernelArg', { os: `${os!.name} ${os!.version}` }) : '';
    const command = SELINUX_DISABLE + (kernelArg ? '\ngrubby --update-kernel ALL --args selinux=0' : '');
    if (mode === 'enforcing') {
      return finding('Selinux', 'warn', 'Enforcing', ev, {
        riskLevel: 'Medium', riskCode: 'Selinux.Enforcing',
        solution: msg('fix.Selinux.enforcing', { command: SELINUX_DISABLE, extra }),
        command,
      });
    }
    return finding('Selinux', 'warn', 'Unknown', ev, {
      riskLevel: 'Medium', riskCode: 'Selinux.ConfigInvalid',
      solution: msg('fix.Selinux.invalid', { mode: c.mode, command: SELINUX_DISABLE }),
      command,
    });
  },
};
