// SPDX-License-Identifier: Apache-2.0
// Virtio and Nvme ask one question of different drivers: can the default
// kernel load them before the root filesystem is mounted? Built in, or a
// module inside the initramfs, is yes; a module only under /lib/modules on
// the root disk is no (the disk cannot be found without it).

import type { Evidence, Finding } from '../../report/types';
import type { RuleContext } from '../rule';
import { finding } from '../rule';
import { DRIVER_CONFIG, driverStatus, type DriverStatus } from '../../facts/kernel-modules';
import { linuxFacts, family } from './shared';
import { english, msg, said } from '../../report/message';

export interface DriverCheck {
  item: 'Virtio' | 'Nvme';
  /** RiskCode prefix: Alibaba writes "NVMe." */
  code: string;
  /** the RiskCode when the kernel lacks a driver (Alibaba publishes "NVMe.NotInstallded", sic) */
  notInstalledCode: string;
  required: string[];
  /** required only when this kernel has them at all (nvme_core since 4.x) */
  requiredIfKnown?: string[];
  /** reported, never failing */
  informational: string[];
  /** catalog key of what to install when the kernel has no such driver at all */
  kernelAdvice: string;
}

/** a driver this kernel has in some form, or at least knows by its config symbol */
function knownToKernel(s: DriverStatus, km: { config: { values: Map<string, unknown> } | null }): boolean {
  const sym = DRIVER_CONFIG[s.driver];
  return s.place !== 'absent' || (sym !== undefined && (km.config?.values.has(sym) ?? false));
}

export function bootDriversFinding(ctx: RuleContext, c: DriverCheck): Finding {
  const f = linuxFacts(ctx);
  const { tools } = family(ctx);
  const ver = f.kernelVersion;
  if (!ver || !f.modules) {
    return finding(c.item, 'warn', 'Unknown', [said('/boot', 'ev.drivers.noKernel')], {
      riskLevel: 'Medium', riskCode: `${c.code}.NoKernel`,
      solution: msg('fix.drivers.noKernel'),
    });
  }
  const km = f.modules;
  const ird = f.initramfs.state === 'read' ? f.initramfs.value : null;
  const place = (d: string): DriverStatus => {
    const s = driverStatus(km, ird, d);
    // not read: a module may or may not be in it
    return (f.initramfs.state === 'not-read' || f.initramfs.state === 'not-needed') && s.place === 'disk-only' ? { ...s, place: 'unknown' } : s;
  };
  const statuses = [...c.required, ...(c.requiredIfKnown ?? [])].map(place)
    .filter((s, i) => i < c.required.length || knownToKernel(s, km));
  const info = c.informational.map(place);
  const ev: Evidence[] = [...f.kernelEvidence.slice(-1), ...f.initramfs.evidence];
  if (ird) {
    ev.push(ird.parts.length
      ? said(ird.path, 'ev.drivers.initramfs', { parts: ird.parts.map((p) => p.codec === 'none' ? 'cpio' : `${p.codec} cpio`).join(' + '), members: ird.paths.size, modules: ird.modules.size })
      : said(ird.path, 'ev.drivers.initramfsEmpty'));
  }
  for (const s of [...statuses, ...info]) ev.push(...s.evidence);
  dedupe(ev);

  const absent = statuses.filter((s) => s.place === 'absent').map((s) => s.driver);
  const diskOnly = statuses.filter((s) => s.place === 'disk-only').map((s) => s.driver);
  const unknown = statuses.filter((s) => s.place === 'unknown').map((s) => s.driver);
  const needInitramfs = [...diskOnly, ...unknown];
  const rebuild = tools.initramfs(ver, [...diskOnly, ...unknown]);
  const summary = { comma: statuses.map((s) => msg('ev.drivers.place', { driver: s.driver, place: msg(`place.${s.place}`) })) };

  if (absent.length) {
    return finding(c.item, 'fail', 'Unsupported', ev, {
      riskLevel: 'High', riskCode: c.notInstalledCode,
      solution: msg('fix.drivers.absent', { kernel: ver, drivers: absent.join(', '), advice: msg(c.kernelAdvice), command: tools.install(['<kernel package>']).replace('<kernel package>', kernelPackage(ctx)) }),
    });
  }
  if (needInitramfs.length && f.initramfs.state === 'missing') {
    return finding(c.item, 'fail', 'Unsupported', ev, {
      riskLevel: 'High', riskCode: `${c.code}.NoInitramfs`,
      solution: msg('fix.drivers.initramfsMissing', { drivers: needInitramfs.join(', '), initramfs: f.initramfs.path, command: rebuild }),
    });
  }
  if (needInitramfs.length && f.initramfs.state === 'none') {
    return finding(c.item, 'fail', 'Unsupported', [...ev, said('/boot', 'ev.drivers.noInitramfs', { kernel: ver })], {
      riskLevel: 'High', riskCode: `${c.code}.NoInitramfs`,
      solution: msg('fix.drivers.noInitramfs', { drivers: needInitramfs.join(', '), kernel: ver, command: rebuild }),
    });
  }
  if (diskOnly.length) {
    return finding(c.item, 'fail', 'Unsupported', ev, {
      riskLevel: 'High', riskCode: `${c.code}.NotInInitramfs`,
      solution: msg(diskOnly.length > 1 ? 'fix.drivers.notInInitramfsMany' : 'fix.drivers.notInInitramfsOne', { drivers: diskOnly.join(', '), command: rebuild }),
    });
  }
  if (unknown.length || f.initramfs.state === 'not-read') {
    const why = f.initramfs.state === 'read' ? f.initramfs.value.error?.message ?? '' : msg('fix.drivers.initramfsNotRead');
    return finding(c.item, 'warn', 'Unknown', ev, {
      riskLevel: 'Medium', riskCode: `${c.code}.InitramfsUnreadable`,
      solution: unknown.length ? msg('fix.drivers.unknown', { drivers: unknown.join(', '), why, command: rebuild }) : msg('fix.drivers.unknownAll', { why, command: rebuild }),
    });
  }
  return finding(c.item, 'pass', 'Supported', [said(ev[0]?.path ?? '/boot', 'ev.drivers.summary', { kernel: ver, summary }), ...ev]);
}

function dedupe(ev: Evidence[]): void {
  const seen = new Set<string>();
  let w = 0;
  for (const e of ev) {
    const k = `${e.path}\0${e.line ?? ''}\0${e.text}`;
    if (!seen.has(k)) { seen.add(k); ev[w++] = e; }
  }
  ev.length = w;
}

function kernelPackage(ctx: RuleContext): string {
  switch (family(ctx).family) {
    case 'rhel': return 'kernel';
    case 'suse': return 'kernel-default';
    case 'debian': return ctx.os?.id === 'ubuntu' ? 'linux-image-generic' : 'linux-image-amd64';
    default: return english(msg('fix.drivers.anyKernel'));
  }
}
