// SPDX-License-Identifier: Apache-2.0
// Small Linux guest trees in each family's real layout for rule unit tests:
// grub.cfg in the family's place and dialect, the kernel's modules.dep,
// modules.builtin and config, and an initramfs that is a real newc cpio
// (gzip-compressed by fflate, after an uncompressed early-microcode archive
// as dracut writes it) holding the modules asked for.
import { gzipSync } from 'fflate';
import { fakeGuest, type FakeNode } from './fake-guest';
import type { GuestView } from '../../src/rules/guest-view';
import type { ImageInfo } from '../../src/report/types';
import type { RuleContext } from '../../src/rules/rule';
import { detectOs } from '../../src/facts/os-release';
import { gatherLinuxFacts } from '../../src/facts/linux-facts';

const enc = new TextEncoder();

/** A newc archive of `files` (directories for names ending in "/"), with its trailer. */
export function newc(files: Record<string, string>): Uint8Array {
  const parts: Uint8Array[] = [];
  let ino = 1;
  const add = (name: string, data: Uint8Array, mode: number) => {
    const h = (n: number) => n.toString(16).padStart(8, '0');
    const nameSize = name.length + 1;
    const head = '070701' + [ino++, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, nameSize, 0].map(h).join('');
    const pad1 = (4 - ((110 + nameSize) % 4)) % 4;
    parts.push(enc.encode(head + name + '\0' + '\0'.repeat(pad1)), data, new Uint8Array((4 - (data.length % 4)) % 4));
  };
  for (const [name, body] of Object.entries(files)) {
    if (name.endsWith('/')) add(name.slice(0, -1), new Uint8Array(0), 0o40755);
    else add(name, enc.encode(body), 0o100644);
  }
  add('TRAILER!!!', new Uint8Array(0), 0);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** dracut's layout: early microcode cpio (uncompressed), padding, then the gzip'd main archive. */
export function initramfs(modulePaths: string[], opts: { early?: boolean } = {}): Uint8Array {
  const main = gzipSync(newc(Object.fromEntries([['init', '#!/bin/sh\n'], ...modulePaths.map((p) => [p, 'ko'])])));
  if (opts.early === false) return main;
  const early = newc({ 'kernel/': '', 'kernel/x86/': '', 'kernel/x86/microcode/': '', 'kernel/x86/microcode/GenuineIntel.bin': 'ucode' });
  const pad = new Uint8Array((512 - (early.length % 512)) % 512);
  const out = new Uint8Array(early.length + pad.length + main.length);
  out.set(early); out.set(main, early.length + pad.length);
  return out;
}

export type FamilyName = 'centos7' | 'sles15' | 'debian12' | 'ubuntu22';

interface Layout { os: Record<string, string>; ver: string; grubCfg: string; kernel: string; initrd: string; modDir: string; ext: string }

const LAYOUTS: Record<FamilyName, Layout> = {
  centos7: {
    os: { '/etc/os-release': 'NAME="CentOS Linux"\nVERSION="7 (Core)"\nID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="7"\n', '/etc/centos-release': 'CentOS Linux release 7.9.2009 (Core)\n' },
    ver: '3.10.0-1160.el7.x86_64', grubCfg: '/boot/grub2/grub.cfg', kernel: '/vmlinuz-3.10.0-1160.el7.x86_64',
    initrd: '/boot/initramfs-3.10.0-1160.el7.x86_64.img', modDir: '/usr/lib/modules', ext: '.ko.xz',
  },
  sles15: {
    os: { '/etc/os-release': 'NAME="SLES"\nVERSION="15-SP4"\nVERSION_ID="15.4"\nID="sles"\nID_LIKE="suse"\n' },
    ver: '5.14.21-150400.24.46-default', grubCfg: '/boot/grub2/grub.cfg', kernel: '/boot/vmlinuz-5.14.21-150400.24.46-default',
    initrd: '/boot/initrd-5.14.21-150400.24.46-default', modDir: '/lib/modules', ext: '.ko.zst',
  },
  debian12: {
    os: { '/etc/os-release': 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n', '/etc/debian_version': '12.8\n' },
    ver: '6.1.0-27-amd64', grubCfg: '/boot/grub/grub.cfg', kernel: '/boot/vmlinuz-6.1.0-27-amd64',
    initrd: '/boot/initrd.img-6.1.0-27-amd64', modDir: '/usr/lib/modules', ext: '.ko',
  },
  ubuntu22: {
    os: { '/etc/os-release': 'ID=ubuntu\nVERSION_ID="22.04"\nPRETTY_NAME="Ubuntu 22.04.4 LTS"\n' },
    ver: '5.15.0-105-generic', grubCfg: '/boot/grub/grub.cfg', kernel: '/boot/vmlinuz-5.15.0-105-generic',
    initrd: '/boot/initrd.img-5.15.0-105-generic', modDir: '/lib/modules', ext: '.ko',
  },
};

export const MODULE_DIRS: Record<string, string> = {
  virtio: 'kernel/drivers/virtio/virtio.ko', virtio_ring: 'kernel/drivers/virtio/virtio_ring.ko',
  virtio_pci: 'kernel/drivers/virtio/virtio_pci.ko', virtio_blk: 'kernel/drivers/block/virtio_blk.ko',
  virtio_net: 'kernel/drivers/net/virtio_net.ko', virtio_scsi: 'kernel/drivers/scsi/virtio_scsi.ko',
  virtio_console: 'kernel/drivers/char/virtio_console.ko', nvme: 'kernel/drivers/nvme/host/nvme.ko',
  nvme_core: 'kernel/drivers/nvme/host/nvme-core.ko', ext4: 'kernel/fs/ext4/ext4.ko',
};

export interface GuestSpec {
  family: FamilyName;
  /** modules installed under /lib/modules (modules.dep) */
  onDisk?: string[];
  /** modules inside the initramfs; null = no initramfs file */
  inInitramfs?: string[] | null;
  /** config symbols, e.g. { CONFIG_BLK_DEV_NVME: 'y' } */
  config?: Record<string, string>;
  builtin?: string[];
  cmdline?: string;
  /** replaces the initramfs bytes */
  initramfsBytes?: Uint8Array;
  /** the grub entry names no initrd */
  noInitrdLine?: boolean;
  /** modules.dep dependencies, e.g. { virtio_blk: ['virtio_ring', 'virtio'] } */
  deps?: Record<string, string[]>;
  extra?: Record<string, FakeNode>;
}

export const ALL_DRIVERS = ['virtio', 'virtio_ring', 'virtio_pci', 'virtio_blk', 'virtio_net', 'virtio_scsi', 'virtio_console', 'nvme', 'nvme_core', 'ext4'];

export function linuxTree(s: GuestSpec): Record<string, FakeNode> {
  const L = LAYOUTS[s.family];
  const onDisk = s.onDisk ?? ALL_DRIVERS;
  const modPath = (m: string) => MODULE_DIRS[m] + L.ext.substring(3);
  const md = `${L.modDir}/${L.ver}`;
  const tree: Record<string, FakeNode> = {
    ...L.os,
    [L.grubCfg]: `set default="0"\nmenuentry 'Linux ${L.ver}' {\n\tlinux${s.family === 'centos7' ? '16' : ''} ${L.kernel} root=UUID=u ro ${s.cmdline ?? 'quiet'}\n${s.noInitrdLine ? '' : `\tinitrd${s.family === 'centos7' ? '16' : ''} ${L.initrd.replace(s.family === 'centos7' ? '/boot' : '', '')}\n`}}\n`,
    [`/boot/vmlinuz-${L.ver}`]: 'kernel',
    [`${md}/modules.dep`]: onDisk.map((m) => `${modPath(m)}:${(s.deps?.[m] ?? []).map((d) => ` ${modPath(d)}`).join('')}`).join('\n') + '\n',
    [`${md}/modules.builtin`]: (s.builtin ?? []).map((m) => `${MODULE_DIRS[m] ?? `kernel/${m}`}.ko`.replace('.ko.ko', '.ko')).join('\n') + '\n',
    [`/boot/config-${L.ver}`]: Object.entries(s.config ?? {}).map(([k, v]) => (v === 'n' ? `# ${k} is not set` : `${k}=${v}`)).join('\n') + '\n',
    ...s.extra,
  };
  if (L.modDir === '/usr/lib/modules') tree['/lib'] = { link: 'usr/lib' };
  for (const m of onDisk) tree[`${md}/${modPath(m)}`] = 'ko';
  if (s.initramfsBytes) tree[L.initrd] = s.initramfsBytes;
  else if (s.inInitramfs !== null) {
    const mods = s.inInitramfs ?? ALL_DRIVERS;
    tree[L.initrd] = initramfs(mods.map((m) => `usr/lib/modules/${L.ver}/${modPath(m)}`), { early: s.family !== 'debian12' });
  }
  return tree;
}

export const IMAGE: ImageInfo = {
  files: ['x.img'], format: 'raw', virtualSize: 20 << 30, partitionTable: 'gpt', notes: [],
  volumes: [
    { id: 'p1', start: 1 << 20, size: 1 << 20, type: '21686148-6449-6e6f-744e-656564454649', typeName: 'BIOS boot', fs: '', uuid: '', label: '', partuuid: '', partlabel: '', mountedAt: '' },
    { id: 'p2', start: 2 << 20, size: 1 << 30, type: '0fc63daf-8483-4772-8e79-3d69d8477de4', typeName: 'Linux filesystem', fs: 'ext4', uuid: 'u', label: '', partuuid: '', partlabel: '', mountedAt: '/' },
  ],
};

/** A rule context over `tree` with the shared facts gathered as check.ts does. */
export async function linuxCtx(tree: Record<string, FakeNode>, image: ImageInfo = IMAGE): Promise<RuleContext> {
  const guest: GuestView = fakeGuest(tree);
  return { image, platform: 'Linux', guest, rootReason: 'test', os: detectOs(guest), facts: await gatherLinuxFacts(guest) };
}

export function layout(f: FamilyName): Layout { return LAYOUTS[f]; }
