// SPDX-License-Identifier: Apache-2.0
// Which tool set a distribution uses, so a fix names the command the guest
// really has (dracut or update-initramfs, yum/dnf, apt, zypper) rather than a
// generic hint. Decided by os-release ID and ID_LIKE-style knowledge of the
// families CHECKS.md lists.

import type { OsInfo } from './os-release';

export type Family = 'rhel' | 'debian' | 'suse' | 'arch' | 'alpine' | 'gentoo' | 'other';

const RHEL = new Set(['rhel', 'centos', 'rocky', 'almalinux', 'ol', 'anolis', 'alinux', 'fedora', 'openEuler', 'openeuler',
  'amzn', 'kylin', 'tencentos', 'fedora_coreos']);
const DEBIAN = new Set(['debian', 'ubuntu', 'uos']);
const SUSE = new Set(['sles', 'opensuse-leap', 'opensuse-tumbleweed', 'opensuse']);

export function familyOf(os: OsInfo | null): Family {
  if (os === null) return 'other';
  if (RHEL.has(os.id)) return 'rhel';
  if (DEBIAN.has(os.id)) return 'debian';
  if (SUSE.has(os.id)) return 'suse';
  if (os.id === 'arch') return 'arch';
  if (os.id === 'alpine') return 'alpine';
  if (os.id === 'gentoo') return 'gentoo';
  return 'other';
}

export interface FamilyTools {
  /** rebuilds the initramfs of kernel `ver`, with extra drivers when given */
  initramfs(ver: string, drivers?: string[]): string;
  /** installs packages */
  install(pkgs: string[]): string;
  /** regenerates the GRUB configuration */
  grubMkconfig: string;
  /** the GRUB installer's name (grub-install on Debian, grub2-install on RHEL and SUSE) */
  grubInstall: string;
}

export function toolsFor(f: Family): FamilyTools {
  switch (f) {
    case 'rhel':
      return {
        initramfs: (v, d) => `dracut -f${d && d.length ? ` --add-drivers "${d.join(' ')}"` : ''} /boot/initramfs-${v}.img ${v}`,
        install: (p) => `yum install -y ${p.join(' ')}`,
        grubMkconfig: 'grub2-mkconfig -o /boot/grub2/grub.cfg',
        grubInstall: 'grub2-install',
      };
    case 'suse':
      return {
        initramfs: (v, d) => `dracut -f${d && d.length ? ` --add-drivers "${d.join(' ')}"` : ''} /boot/initrd-${v} ${v}`,
        install: (p) => `zypper --non-interactive install ${p.join(' ')}`,
        grubMkconfig: 'grub2-mkconfig -o /boot/grub2/grub.cfg',
        grubInstall: 'grub2-install',
      };
    case 'debian':
      return {
        initramfs: (v, d) => (d && d.length ? `printf '%s\\n' ${d.join(' ')} >> /etc/initramfs-tools/modules && ` : '') + `update-initramfs -u -k ${v}`,
        install: (p) => `apt-get install -y ${p.join(' ')}`,
        grubMkconfig: 'update-grub',
        grubInstall: 'grub-install',
      };
    default:
      return {
        initramfs: (v, d) => `# rebuild the initramfs of ${v}${d && d.length ? ` with ${d.join(', ')}` : ''} with the distribution's tool`,
        install: (p) => `# install ${p.join(' ')} with the distribution's package manager`,
        grubMkconfig: 'grub-mkconfig -o /boot/grub/grub.cfg',
        grubInstall: 'grub-install',
      };
  }
}
