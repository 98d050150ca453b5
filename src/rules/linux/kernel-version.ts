// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import { finding } from '../rule';
import { listKernels } from '../../facts/kernels';
import { defaultBootEntry } from '../../facts/boot-entries';

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
        return finding('KernelVersion', 'fail', entry.version, [...entry.evidence, { path: entry.kernel, text: 'the default entry\'s kernel file is missing' }], {
          riskLevel: 'High', riskCode: 'KernelVersion.KernelMissing',
          solution: `The default boot entry starts ${entry.kernel}, which is not in the image: reinstall the kernel package or regenerate the bootloader configuration (grub2-mkconfig / update-grub).`,
        });
      }
      return finding('KernelVersion', 'pass', entry.version, entry.evidence);
    }
    const kernels = listKernels(g);
    const withModules = kernels.filter((k) => k.hasModules);
    const pick = withModules[0] ?? kernels[0];
    if (!pick) {
      return finding('KernelVersion', 'fail', 'Unknown', [{ path: '/boot', text: 'no vmlinuz-* kernel image found' }], {
        riskLevel: 'High', riskCode: 'KernelVersion.NotFound',
        solution: 'Install a kernel package (and make sure /boot is on this disk or named in /etc/fstab).',
      });
    }
    const how = entry ? `the default boot entry names no versioned kernel (${entry.kernel})` : 'no GRUB 2 configuration found';
    const ev = [{ path: pick.image, text: `newest installed kernel${pick.hasModules ? ` with /lib/modules/${pick.version}` : ''}; ${how}` }];
    if (!pick.hasModules) {
      return finding('KernelVersion', 'warn', pick.version, ev, {
        riskLevel: 'Medium', riskCode: 'KernelVersion.NoModules',
        solution: `/lib/modules/${pick.version} is missing: reinstall the kernel package so its modules are present.`,
      });
    }
    return finding('KernelVersion', 'pass', pick.version, ev);
  },
};
