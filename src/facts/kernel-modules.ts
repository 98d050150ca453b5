// SPDX-License-Identifier: Apache-2.0
// Where a driver of the default kernel lives: built into the kernel image
// (/lib/modules/<ver>/modules.builtin, modules.builtin.modinfo, or =y in
// /boot/config-<ver>), a module inside the initramfs, a module only on the
// root disk (no use for finding that disk at boot), or nowhere.

import type { GuestView } from '../rules/guest-view';
import { readText } from '../rules/guest-view';
import type { Evidence } from '../report/types';
import type { Initramfs } from './initramfs';
import { moduleOfPath } from './initramfs';
import { said } from '../report/message';

export type DriverPlace = 'builtin' | 'initramfs' | 'disk-only' | 'absent' | 'unknown';

export interface DriverStatus {
  driver: string;
  place: DriverPlace;
  evidence: Evidence[];
}

/** The kernel config symbol of each driver CHECKS.md names. */
export const DRIVER_CONFIG: Record<string, string> = {
  virtio: 'CONFIG_VIRTIO',
  virtio_ring: 'CONFIG_VIRTIO',
  virtio_pci: 'CONFIG_VIRTIO_PCI',
  virtio_blk: 'CONFIG_VIRTIO_BLK',
  virtio_net: 'CONFIG_VIRTIO_NET',
  virtio_scsi: 'CONFIG_SCSI_VIRTIO',
  virtio_console: 'CONFIG_VIRTIO_CONSOLE',
  nvme: 'CONFIG_BLK_DEV_NVME',
  nvme_core: 'CONFIG_NVME_CORE',
};

export interface KernelModules {
  version: string;
  /** /lib/modules/<ver> or /usr/lib/modules/<ver>, "" when neither exists */
  dir: string;
  /** module name → line in modules.builtin (or 0 from modules.builtin.modinfo) */
  builtin: Map<string, { path: string; line: number }>;
  /** module name → path under dir, from modules.dep */
  onDisk: Map<string, { path: string; line: number }>;
  /** module name → the modules it needs (modules.dep, all levels listed) */
  deps: Map<string, string[]>;
  config: { path: string; values: Map<string, { value: string; line: number }> } | null;
}

const MODULE_DIRS = ['/lib/modules', '/usr/lib/modules'];

/** Reads what the guest says about kernel `ver`'s modules (text files only: cheap). */
export function kernelModules(g: GuestView, ver: string): KernelModules {
  const out: KernelModules = { version: ver, dir: '', builtin: new Map(), onDisk: new Map(), deps: new Map(), config: null };
  for (const base of MODULE_DIRS) {
    const st = g.stat(`${base}/${ver}`);
    if (st?.kind === 'dir') { out.dir = `${base}/${ver}`; break; }
  }
  if (out.dir) {
    const builtin = readText(g, `${out.dir}/modules.builtin`, 4 << 20);
    builtin?.split('\n').forEach((l, i) => {
      const m = moduleOfPath(l.trim());
      if (m !== null && !out.builtin.has(m)) out.builtin.set(m, { path: `${out.dir}/modules.builtin`, line: i + 1 });
    });
    // modules.builtin.modinfo (5.2+): "name.field=value\0" for every built-in module
    const modinfo = g.readBytes(`${out.dir}/modules.builtin.modinfo`, 0, 8 << 20);
    if (modinfo) {
      let s = 0;
      for (let i = 0; i <= modinfo.length; i++) {
        if (i < modinfo.length && modinfo[i] !== 0) continue;
        if (i > s) {
          const dot = modinfo.indexOf(0x2e, s);
          if (dot > s && dot < i) {
            const name = new TextDecoder().decode(modinfo.subarray(s, dot)).replace(/-/g, '_');
            if (!out.builtin.has(name)) out.builtin.set(name, { path: `${out.dir}/modules.builtin.modinfo`, line: 0 });
          }
        }
        s = i + 1;
      }
    }
    const dep = readText(g, `${out.dir}/modules.dep`, 16 << 20);
    dep?.split('\n').forEach((l, i) => {
      const colon = l.indexOf(':');
      if (colon <= 0) return;
      const path = l.substring(0, colon);
      const m = moduleOfPath(path);
      if (m === null || out.onDisk.has(m)) return;
      out.onDisk.set(m, { path: `${out.dir}/${path}`, line: i + 1 });
      const deps = l.substring(colon + 1).trim().split(/\s+/).filter(Boolean).map(moduleOfPath).filter((x): x is string => x !== null);
      if (deps.length) out.deps.set(m, deps);
    });
  }
  const cfgPath = `/boot/config-${ver}`;
  const cfg = readText(g, cfgPath, 4 << 20);
  if (cfg !== null) {
    const values = new Map<string, { value: string; line: number }>();
    cfg.split('\n').forEach((l, i) => {
      const m = /^(CONFIG_[A-Z0-9_]+)=(.*)$/.exec(l);
      if (m) values.set(m[1], { value: m[2], line: i + 1 });
      const n = /^# (CONFIG_[A-Z0-9_]+) is not set/.exec(l);
      if (n) values.set(n[1], { value: 'n', line: i + 1 });
    });
    out.config = { path: cfgPath, values };
  }
  return out;
}

/**
 * Decides where `driver` lives for the kernel. `initramfs` is null when the
 * default entry has no initramfs (or it is missing); an initramfs that could
 * not be read fully leaves a module found only on disk as 'unknown'.
 */
export function driverStatus(km: KernelModules, initramfs: Initramfs | null, driver: string): DriverStatus {
  const b = km.builtin.get(driver);
  if (b) {
    return { driver, place: 'builtin', evidence: [said(b.path, 'ev.module.builtin', { driver }, b.line)] };
  }
  const sym = DRIVER_CONFIG[driver];
  const c = sym ? km.config?.values.get(sym) : undefined;
  if (c && c.value === 'y') {
    return { driver, place: 'builtin', evidence: [{ path: km.config!.path, line: c.line, text: `${sym}=y` }] };
  }
  const inInitrd = initramfs?.modules.get(driver);
  if (inInitrd) {
    // modprobe in the initramfs needs what the module depends on there too
    // (modules.dep lists every level, so one pass suffices)
    const missing = (km.deps.get(driver) ?? []).filter((d) => !initramfs!.modules.has(d) && !km.builtin.has(d));
    if (missing.length) {
      return { driver, place: 'disk-only', evidence: [
        said(initramfs!.path, missing.length > 1 ? 'ev.module.depsMissingMany' : 'ev.module.depsMissingOne', { driver, at: inInitrd, missing: missing.join(', ') }),
        said(km.onDisk.get(driver)!.path, 'ev.module.needs', { line: km.onDisk.get(driver)!.line, driver, deps: km.deps.get(driver)!.join(', ') }),
      ] };
    }
    return { driver, place: 'initramfs', evidence: [said(initramfs!.path, 'ev.module.inInitramfs', { driver, at: inInitrd })] };
  }
  const disk = km.onDisk.get(driver);
  const ev: Evidence[] = [];
  if (c) ev.push({ path: km.config!.path, line: c.line, text: c.value === 'n' ? `${sym} is not set` : `${sym}=${c.value}` });
  if (disk) ev.push(said(disk.path, 'ev.module.onDisk', { driver, line: disk.line }));
  if (initramfs === null) {
    return { driver, place: disk ? 'disk-only' : 'absent', evidence: ev };
  }
  if (initramfs.error) {
    ev.push(said(initramfs.path, 'ev.module.initramfsError', { detail: initramfs.error.message }));
    return { driver, place: 'unknown', evidence: ev };
  }
  ev.push(said(initramfs.path, 'ev.module.notInInitramfs', { driver, count: initramfs.modules.size }));
  return { driver, place: disk || c?.value === 'm' ? 'disk-only' : 'absent', evidence: ev };
}
