// SPDX-License-Identifier: Apache-2.0
// The kernels a Linux guest has installed: /boot/vmlinuz-<ver> (also Image-,
// vmlinux-, kernel-) paired with /lib/modules/<ver> and /boot/config-<ver>.

import type { GuestView } from '../rules/guest-view';
import { compareVersions } from '../rules/rule';

export interface KernelInfo {
  version: string;
  image: string;
  hasModules: boolean;
  config: string | null;
}

const PREFIXES = ['vmlinuz-', 'vmlinux-', 'Image-', 'kernel-'];

export function listKernels(g: GuestView): KernelInfo[] {
  const entries = g.list('/boot') ?? [];
  const out: KernelInfo[] = [];
  for (const e of entries) {
    const prefix = PREFIXES.find((p) => e.name.startsWith(p));
    if (!prefix || e.kind === 'dir') continue;
    const version = e.name.substring(prefix.length);
    if (!version || version.endsWith('.hmac') || version.startsWith('rescue')) continue;
    const mod = g.stat(`/lib/modules/${version}`) ?? g.stat(`/usr/lib/modules/${version}`);
    const config = g.stat(`/boot/config-${version}`) ? `/boot/config-${version}` : null;
    out.push({ version, image: `/boot/${e.name}`, hasModules: mod?.kind === 'dir', config });
  }
  return out.sort((a, b) => compareVersions(b.version, a.version));
}
