// SPDX-License-Identifier: Apache-2.0
// RtcTimeMode and Selinux over guest trees written the way hwclock and the
// selinux-policy packages write them.
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ctxOf, OS_RELEASE } from '../helpers/rule-context';
import { rtcTimeMode, RTC_UTC_FIX } from '../../src/rules/linux/rtc-time-mode';
import { selinux } from '../../src/rules/linux/selinux';

// hwclock --systohc --localtime on CentOS 7
const ADJTIME_LOCAL = '0.000000 1700000000 0.000000\n1700000000\nLOCAL\n';
const ADJTIME_UTC = '0.0 0 0.0\n0\nUTC\n';

describe('RtcTimeMode', () => {
  it('UTC when /etc/adjtime is absent', () => {
    expect(rtcTimeMode.run(ctxOf({ '/etc/os-release': OS_RELEASE.debian12 }))).toMatchObject({ status: 'pass', value: 'UTC', evidence: [{ path: '/etc/adjtime', text: expect.stringMatching(/absent/) }] });
  });
  it('UTC from the third line', () => {
    expect(rtcTimeMode.run(ctxOf({ '/etc/adjtime': ADJTIME_UTC }))).toMatchObject({ status: 'pass', value: 'UTC', evidence: [{ path: '/etc/adjtime', line: 3, text: 'UTC' }] });
  });
  it('UTC when the file has only two lines (old hwclock)', () => {
    expect(rtcTimeMode.run(ctxOf({ '/etc/adjtime': '0.0 0 0.0\n0\n' }))).toMatchObject({ status: 'pass', value: 'UTC' });
  });
  it('local warns with RtcTimeMode.Local and a sed that fixes the real file', () => {
    const f = rtcTimeMode.run(ctxOf({ '/etc/adjtime': ADJTIME_LOCAL }));
    expect(f).toMatchObject({ status: 'warn', value: 'local', riskLevel: 'Medium', riskCode: 'RtcTimeMode.Local', evidence: [{ path: '/etc/adjtime', line: 3, text: 'LOCAL' }] });
    expect(f.solution).toContain(RTC_UTC_FIX);
    const dir = mkdtempSync(join(tmpdir(), 'gc-adj-'));
    const p = join(dir, 'adjtime');
    writeFileSync(p, ADJTIME_LOCAL);
    execFileSync('sh', ['-c', RTC_UTC_FIX.replace('/etc/adjtime', p)]);
    expect(readFileSync(p, 'utf8')).toBe(ADJTIME_LOCAL.replace('LOCAL', 'UTC'));
    rmSync(dir, { recursive: true });
  });
  it('an unknown third line warns with RtcTimeMode.Invalid', () => {
    expect(rtcTimeMode.run(ctxOf({ '/etc/adjtime': '0.0 0 0.0\n0\nlocaltime\n' }))).toMatchObject({ status: 'warn', value: 'Unknown', riskCode: 'RtcTimeMode.Invalid', evidence: [{ line: 3 }] });
  });
});

// /etc/selinux/config as selinux-policy writes it on RHEL 9
const SELINUX_CONFIG = (mode: string) => `
# This file controls the state of SELinux on the system.
# SELINUX= can take one of these three values:
#     enforcing - SELinux security policy is enforced.
#     permissive - SELinux prints warnings instead of enforcing.
#     disabled - No SELinux policy is loaded.
SELINUX=${mode}
# SELINUXTYPE= can take one of these three values:
SELINUXTYPE=targeted
`;
const GRUB = (args: string) => `set default="0"\nmenuentry 'CentOS Linux (3.10.0-1160.el7.x86_64) 7 (Core)' --class centos {\n\tlinux16 /vmlinuz-3.10.0-1160.el7.x86_64 root=UUID=11111111-2222-3333-4444-555555555555 ro ${args}\n\tinitrd16 /initramfs-3.10.0-1160.el7.x86_64.img\n}\n`;

describe('Selinux', () => {
  it('Disabled when there is no config (Debian, Ubuntu)', () => {
    expect(selinux.run(ctxOf({ '/etc/os-release': OS_RELEASE.ubuntu2204 }))).toMatchObject({ status: 'pass', value: 'Disabled', riskCode: '', evidence: [{ path: '/etc/selinux/config' }] });
  });
  it('Disabled from SELINUX=disabled (CentOS 7)', () => {
    expect(selinux.run(ctxOf({ '/etc/os-release': OS_RELEASE.centos7, '/etc/selinux/config': SELINUX_CONFIG('disabled') })))
      .toMatchObject({ status: 'pass', value: 'Disabled', evidence: [{ path: '/etc/selinux/config', line: 7, text: 'SELINUX=disabled' }] });
  });
  it('Permissive is information only', () => {
    expect(selinux.run(ctxOf({ '/etc/selinux/config': SELINUX_CONFIG('permissive') }))).toMatchObject({ status: 'info', value: 'Permissive', riskLevel: null, riskCode: '' });
  });
  it('Enforcing warns with Selinux.Enforcing; the sed disables it in the real file', () => {
    const f = selinux.run(ctxOf({ '/etc/os-release': OS_RELEASE.centos7, '/etc/selinux/config': SELINUX_CONFIG('enforcing') }));
    expect(f).toMatchObject({ status: 'warn', value: 'Enforcing', riskLevel: 'Medium', riskCode: 'Selinux.Enforcing', evidence: [{ path: '/etc/selinux/config', line: 7, text: 'SELINUX=enforcing' }] });
    expect(f.solution).not.toContain('grubby');
    const dir = mkdtempSync(join(tmpdir(), 'gc-se-'));
    const p = join(dir, 'config');
    writeFileSync(p, SELINUX_CONFIG('enforcing'));
    execFileSync('sh', ['-c', f.command!.replace('/etc/selinux/config', p)]);
    expect(readFileSync(p, 'utf8')).toBe(SELINUX_CONFIG('disabled'));
    rmSync(dir, { recursive: true });
  });
  it('on RHEL 9 the fix also puts selinux=0 on the kernel command line', () => {
    const f = selinux.run(ctxOf({ '/etc/os-release': OS_RELEASE.rhel9, '/etc/selinux/config': SELINUX_CONFIG('enforcing') }));
    expect(f.command!.split('\n')).toEqual([expect.stringMatching(/^sed -i/), 'grubby --update-kernel ALL --args selinux=0']);
  });
  it('selinux=0 on the default entry\'s command line wins over the config', () => {
    const f = selinux.run(ctxOf({ '/etc/selinux/config': SELINUX_CONFIG('enforcing'), '/boot/grub2/grub.cfg': GRUB('selinux=0'), '/boot/vmlinuz-3.10.0-1160.el7.x86_64': 'k' }));
    expect(f).toMatchObject({ status: 'pass', value: 'Disabled', evidence: [{ path: '/boot/grub2/grub.cfg', line: 3, text: 'selinux=0 on the kernel command line' }] });
  });
  it('enforcing=0 makes an enforcing config permissive', () => {
    const f = selinux.run(ctxOf({ '/etc/selinux/config': SELINUX_CONFIG('enforcing'), '/boot/grub2/grub.cfg': GRUB('enforcing=0'), '/boot/vmlinuz-3.10.0-1160.el7.x86_64': 'k' }));
    expect(f).toMatchObject({ status: 'info', value: 'Permissive' });
    expect(f.evidence.map((e) => e.text)).toEqual(['SELINUX=enforcing', 'enforcing=0 on the kernel command line']);
  });
  it('an unknown mode warns with Selinux.ConfigInvalid', () => {
    expect(selinux.run(ctxOf({ '/etc/selinux/config': SELINUX_CONFIG('enforce') }))).toMatchObject({ status: 'warn', value: 'Unknown', riskCode: 'Selinux.ConfigInvalid', evidence: [{ line: 7 }] });
  });
});

describe('Selinux kernel argument by family', () => {
  it('only releases that ignore SELINUX=disabled at boot get selinux=0', async () => {
    const { needsKernelArg } = await import('../../src/rules/linux/selinux');
    expect([['rhel', '9.3'], ['rocky', '9.2'], ['almalinux', '9.4'], ['centos', '9'], ['ol', '9.1'], ['anolis', '8.8'], ['alinux', '3'], ['openEuler', '22.03'], ['fedora', '39'], ['fedora', '34'], ['rhel', '8.9'], ['sles', '15.5']]
      .map(([id, v]) => needsKernelArg({ id, version: v, name: id, prettyName: '', unsupported: false, evidence: [] }))).toEqual([true, true, true, true, true, false, false, false, true, false, false, false]);
  });
});
