// SPDX-License-Identifier: Apache-2.0
// The repair the report offers: one reviewable POSIX shell script for the
// guest's family (a Windows guest gets a PowerShell one: repair-windows.ts) that fixes the items at risk, each block commented with the
// item and why, meant to run inside the guest before it is captured (or with
// `virt-customize -a IMAGE --run repair.sh`); and the repairItems value of
// the ACS-ECS-RepairImage template. Nothing is applied to the image.
import type { Finding, Repair } from './types';
import type { OsInfo } from '../facts/os-release';
import { familyOf, toolsFor, type Family } from '../facts/family';
import { buildWindowsRepairScript } from './repair-windows';

/** ACS-ECS-RepairImage's repairItems, by finding name. */
const REPAIR_ITEM: Record<string, string> = {
  Virtio: 'virtio', Nvme: 'nvme', Fstab: 'fstab', Grub: 'grub', Dhcp: 'dhcp', Selinux: 'selinux',
  CloudInit: 'cloudinit', CloudAssistant: 'assist', SecurityCenterAgent: 'aegis', OnlineResizeFS: 'growpart',
};
const TEMPLATE_ORDER = ['assist', 'aegis', 'growpart', 'virtio', 'selinux', 'dhcp', 'grub', 'fstab', 'nvme', 'cloudinit'];

const GROWPART: Record<Family, string> = {
  rhel: 'cloud-utils-growpart', debian: 'cloud-guest-utils', suse: 'growpart', arch: 'cloud-guest-utils', alpine: 'cloud-utils-growpart', gentoo: 'sys-fs/growpart', other: 'growpart',
};

/** A finding is at risk when it fails, or warns with a risk code. */
function atRisk(f: Finding): boolean {
  return f.status === 'fail' || (f.status === 'warn' && f.riskCode !== '');
}

/** The commands for an item whose rule gave none (rules of other branches may not): the family's usual fix. */
function fallback(f: Finding, fam: Family, kernel: string): string {
  const t = toolsFor(fam);
  switch (f.name) {
    case 'Virtio': return kernel ? t.initramfs(kernel, ['virtio_blk', 'virtio_net', 'virtio_pci', 'virtio_scsi']) : '';
    case 'Nvme': return kernel ? t.initramfs(kernel, ['nvme', 'nvme_core']) : '';
    case 'CloudInit': return t.install(['cloud-init']);
    case 'OnlineResizeFS': return t.install([GROWPART[fam]]);
    default: return '';
  }
}

function comment(text: string): string {
  // wrap long solutions at word boundaries so the script stays readable
  const out: string[] = [];
  let line = '#';
  for (const w of text.split(/\s+/)) {
    if (line.length + w.length + 1 > 100 && line !== '#') { out.push(line); line = '#'; }
    line += ` ${w}`;
  }
  out.push(line);
  return out.join('\n');
}

/** The repair of a report: a POSIX script for Linux guests, a PowerShell one (repair.ps1) for Windows guests. */
export function buildRepair(findings: Finding[], os: OsInfo | null, files: string[], platform: 'Linux' | 'Windows' | null = null): Repair {
  const risky = findings.filter(atRisk);
  const items = new Set(risky.map((f) => REPAIR_ITEM[f.name]).filter((x): x is string => x !== undefined));
  const repairItems = TEMPLATE_ORDER.filter((i) => items.has(i));
  if (platform === 'Windows') return { script: buildWindowsRepairScript(findings, files), repairItems };
  if (risky.length === 0) return { script: '', repairItems };
  const fam = familyOf(os);
  const kernel = findings.find((f) => f.name === 'KernelVersion' && f.value !== 'Unknown')?.value ?? '';
  const out: string[] = [
    '#!/bin/sh',
    `# guestcheck repair script for ${files.join(', ') || 'the image'}${os ? `: ${os.prettyName || os.name} (${fam} family)` : ''}`,
    '# Made from the check items at risk; nothing has been applied to the image.',
    '# Review every block, then run it as root inside the guest before capturing the image:',
    '#     sh repair.sh',
    '# or on a copy of the image from the host (libguestfs):',
    '#     virt-customize -a IMAGE --run repair.sh',
    'set -eu',
  ];
  const done = new Set<string>();
  for (const f of risky) {
    out.push('', `# --- ${f.name}: ${f.value}${f.riskLevel ? ` [${f.riskLevel}: ${f.riskCode}]` : ''}`);
    const first = f.evidence[0];
    if (first) out.push(comment(`evidence: ${first.path}${first.line ? `:${first.line}` : ''} ${first.text}`));
    if (f.solution) out.push(comment(f.solution));
    const cmd = f.command ?? fallback(f, fam, kernel);
    const lines = cmd.split('\n').filter((l) => l.trim() !== '');
    if (lines.length === 0) { out.push('# no automatic fix: do this by hand (see above)'); continue; }
    for (const l of lines) {
      if (done.has(l)) { out.push(`# (already done above) ${l}`); continue; }
      done.add(l);
      out.push(l);
    }
  }
  return { script: out.join('\n') + '\n', repairItems };
}
