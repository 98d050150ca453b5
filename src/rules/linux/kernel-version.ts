// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import { finding } from '../rule';
import { listKernels } from '../../facts/kernels';

/**
 * KernelVersion. CHECKS.md: the default boot entry's kernel, else the newest
 * /boot/vmlinuz-* with a matching /lib/modules/<ver>. Boot entries (GRUB, BLS)
 * are not read yet, so this build always takes the second way and says so.
 */
export const kernelVersion: Rule = {
  name: 'KernelVersion',
  platforms: ['Linux'],
  run(ctx) {
    const kernels = listKernels(ctx.guest!);
    const withModules = kernels.filter((k) => k.hasModules);
    const pick = withModules[0] ?? kernels[0];
    if (!pick) {
      return finding('KernelVersion', 'fail', 'Unknown', [{ path: '/boot', text: 'no vmlinuz-* kernel image found' }], {
        riskLevel: 'High', riskCode: 'KernelVersion.NotFound',
        solution: 'Install a kernel package (and make sure /boot is on this disk or named in /etc/fstab).',
      });
    }
    const ev = [{ path: pick.image, text: `newest installed kernel${pick.hasModules ? ` with /lib/modules/${pick.version}` : ''}; boot entries not read by this build` }];
    if (!pick.hasModules) {
      return finding('KernelVersion', 'warn', pick.version, ev, {
        riskLevel: 'Medium', riskCode: 'KernelVersion.NoModules',
        solution: `/lib/modules/${pick.version} is missing: reinstall the kernel package so its modules are present.`,
      });
    }
    return finding('KernelVersion', 'pass', pick.version, ev);
  },
};
