// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import { finding } from '../rule';
import { listKernels } from '../../facts/kernels';
import { defaultBootEntry } from '../../facts/boot-entries';
import { msg, said } from '../../report/message';

/**
 * KernelVersion (CHECKS.md): the default boot entry's kernel (GRUB 2 grub.cfg
 * with grubenv, or BLS entries), else the newest /boot/vmlinuz-* with a
 * matching /lib/modules/<ver>.
 */
export const kernelVersion: Rule = {
  name: 'KernelVersion',
  platforms: ['Linux'],
  run(ctx) {
    const g = ctx.guest!;
    const entry = defaultBootEntry(g);
    if (entry && entry.version) {
      if (!entry.kernelExists) {
        return finding('KernelVersion', 'fail', entry.version, [...entry.evidence, said(entry.kernel, 'ev.KernelVersion.kernelMissing')], {
          riskLevel: 'High', riskCode: 'KernelVersion.KernelMissing',
          solution: msg('fix.KernelVersion.kernelMissing', { kernel: entry.kernel }),
        });
      }
      return finding('KernelVersion', 'pass', entry.version, entry.evidence);
    }
    const kernels = listKernels(g);
    const withModules = kernels.filter((k) => k.hasModules);
    const pick = withModules[0] ?? kernels[0];
    if (!pick) {
      return finding('KernelVersion', 'fail', 'Unknown', [said('/boot', 'ev.KernelVersion.notFound')], {
        riskLevel: 'High', riskCode: 'KernelVersion.NotFound',
        solution: msg('fix.KernelVersion.notFound'),
      });
    }
    const how = entry ? msg('ev.KernelVersion.unversioned', { kernel: entry.kernel }) : msg('ev.KernelVersion.noGrub2');
    const ev = [said(pick.image, pick.hasModules ? 'ev.KernelVersion.newestModules' : 'ev.KernelVersion.newest', { version: pick.version, how })];
    if (!pick.hasModules) {
      return finding('KernelVersion', 'warn', pick.version, ev, {
        riskLevel: 'Medium', riskCode: 'KernelVersion.NoModules',
        solution: msg('fix.KernelVersion.noModules', { version: pick.version }),
      });
    }
    return finding('KernelVersion', 'pass', pick.version, ev);
  },
};
