// SPDX-License-Identifier: Apache-2.0
// The facts several Linux items share, computed once per check: the default
// boot entry, its kernel version, that kernel's modules, the initramfs
// contents (async: a decoder may be), and the package database.

import type { GuestView } from '../rules/guest-view';
import type { Evidence } from '../report/types';
import { type BootEntry, defaultBootEntry, guestBootPath } from './boot-entries';
import { listKernels } from './kernels';
import { type KernelModules, driverStatus, kernelModules } from './kernel-modules';
import { type Initramfs, readGuestInitramfs } from './initramfs';
import { type PackageDb, readPackages } from './packages';
import { initDecoders } from './decompress';
import { said } from '../report/message';

export type InitramfsFact =
  /** read (possibly with an error part way: see value.error); several files are merged */
  | { state: 'read'; value: Initramfs; evidence: Evidence[] }
  /** the default entry (or the kernel) names no initramfs */
  | { state: 'none'; evidence: Evidence[] }
  /** the entry names one, but the file is not in the image */
  | { state: 'missing'; path: string; evidence: Evidence[] }
  /** not read (a synchronous caller, or no kernel known) */
  | { state: 'not-read'; evidence: Evidence[] }
  /** not read because every driver the items require is built into the kernel */
  | { state: 'not-needed'; evidence: Evidence[] };

export interface LinuxFacts {
  bootEntry: BootEntry | null;
  /** the default kernel's version, "" when unknown */
  kernelVersion: string;
  kernelEvidence: Evidence[];
  modules: KernelModules | null;
  initramfs: InitramfsFact;
  packages: PackageDb;
}

/** Initramfs names the distributions' tools give kernel `v`. */
function conventionalInitrds(v: string): string[] {
  return [`/boot/initrd.img-${v}`, `/boot/initramfs-${v}.img`, `/boot/initrd-${v}`, `/boot/initrd-${v}.img`];
}

/** Everything but the initramfs contents: no decoding, synchronous. */
export function linuxFactsSync(g: GuestView): LinuxFacts {
  const entry = defaultBootEntry(g);
  let version = entry?.version ?? '';
  let kernelEvidence: Evidence[] = entry ? entry.evidence : [];
  if (!version) {
    const ks = listKernels(g);
    const k = ks.find((x) => x.hasModules) ?? ks[0];
    if (k) {
      version = k.version;
      kernelEvidence = [said(k.image, entry ? 'ev.kernel.newest' : 'ev.kernel.newestNoGrub2')];
    }
  }
  return {
    bootEntry: entry,
    kernelVersion: version,
    kernelEvidence,
    modules: version ? kernelModules(g, version) : null,
    initramfs: { state: 'not-read', evidence: [] },
    packages: readPackages(g),
  };
}

/** Where the default kernel's initramfs should be, and the evidence for it. */
export function initramfsPaths(g: GuestView, f: LinuxFacts): { paths: string[]; missing: string[]; evidence: Evidence[] } {
  const e = f.bootEntry;
  if (e && e.version === f.kernelVersion) {
    const ev: Evidence[] = e.evidence.slice(-1);
    const named = e.initrds.filter((p) => !p.startsWith('$'));
    // a missing file is named where the kernel was found: under /boot when GRUB's paths are relative to a /boot partition
    const underBoot = e.kernelExists && e.kernel.startsWith('/boot/');
    const res = named.map((p) => {
      const r = guestBootPath(g, p);
      return !r.exists && underBoot && !r.path.startsWith('/boot/') ? { path: `/boot${r.path.startsWith('/') ? '' : '/'}${r.path}`, exists: false } : r;
    });
    return { paths: res.filter((r) => r.exists).map((r) => r.path), missing: res.filter((r) => !r.exists).map((r) => r.path), evidence: ev };
  }
  if (!f.kernelVersion) return { paths: [], missing: [], evidence: [] };
  const found = conventionalInitrds(f.kernelVersion).find((p) => g.stat(p)?.kind === 'file');
  return { paths: found ? [found] : [], missing: [], evidence: found ? [said(found, 'ev.kernel.initramfsByName', { kernel: f.kernelVersion })] : [] };
}

/** the drivers Virtio and Nvme require at boot */
export const BOOT_DRIVERS = ['virtio_blk', 'virtio_net', 'virtio_pci', 'nvme', 'nvme_core'];

/** All shared facts, reading the initramfs of the default entry unless no item needs it. */
export async function gatherLinuxFacts(g: GuestView): Promise<LinuxFacts> {
  const f = linuxFactsSync(g);
  const where = initramfsPaths(g, f);
  const km = f.modules;
  if (km && BOOT_DRIVERS.every((d) => driverStatus(km, null, d).place === 'builtin')) {
    f.initramfs = { state: 'not-needed', evidence: [...where.evidence, said(where.paths[0] ?? '/boot', 'ev.kernel.allBuiltin', { drivers: BOOT_DRIVERS.join(', '), kernel: f.kernelVersion })] };
    return f;
  }
  if (where.paths.length === 0) {
    f.initramfs = where.missing.length
      ? { state: 'missing', path: where.missing[0], evidence: [...where.evidence, said(where.missing[0], 'ev.kernel.initramfsMissing')] }
      : f.kernelVersion ? { state: 'none', evidence: where.evidence } : { state: 'not-read', evidence: [] };
    return f;
  }
  await initDecoders();
  let merged: Initramfs | null = null;
  for (const p of where.paths) {
    const r = await readGuestInitramfs(g, p);
    if (!r) continue;
    if (!merged) { merged = r; continue; }
    // an early-microcode or extra initrd named beside the main one: the kernel unpacks them all
    for (const x of r.paths) merged.paths.add(x);
    for (const [k, v] of r.modules) if (!merged.modules.has(k)) merged.modules.set(k, v);
    merged.parts.push(...r.parts);
    merged.notes.push(...r.notes);
    merged.error ??= r.error;
    merged.ms += r.ms;
    merged.readMs += r.readMs;
  }
  f.initramfs = merged
    ? { state: 'read', value: merged, evidence: where.evidence }
    : { state: 'missing', path: where.paths[0], evidence: where.evidence };
  return f;
}
