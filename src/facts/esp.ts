// SPDX-License-Identifier: Apache-2.0
// The EFI system partition as the guest mounts it (/boot/efi, or /efi, /boot
// on systemd-boot layouts): which UEFI loaders it holds, and the grub.cfg
// files under EFI/<vendor>/, which are either a whole configuration (RHEL 7/8)
// or a stub that finds /boot by UUID and chains to it with `configfile`
// (Debian's grub-install, RHEL 9 / Fedora 34+).
import type { GuestView } from '../rules/guest-view';
import { grubWords } from './grub';

const ESP_MOUNTS = ['/boot/efi', '/efi', '/boot'];

/** The removable-media fallback loaders of the UEFI spec (3.5.1.1), by architecture. */
const FALLBACK = ['BOOTX64.EFI', 'BOOTAA64.EFI', 'BOOTIA32.EFI', 'BOOTRISCV64.EFI', 'BOOTLOONGARCH64.EFI'];
const VENDOR_LOADERS = ['shimx64.efi', 'grubx64.efi', 'shimaa64.efi', 'grubaa64.efi', 'shimia32.efi', 'grubia32.efi', 'systemd-bootx64.efi', 'systemd-bootaa64.efi'];

export interface EspInfo {
  /** where the guest tree reaches the ESP ("/boot/efi"), "" when it does not */
  mount: string;
  /** guest paths of the UEFI loaders found */
  loaders: string[];
  /** guest paths of EFI/<vendor>/grub.cfg files */
  grubCfgs: string[];
}

function findCI(g: GuestView, dir: string, name: string): string | null {
  const e = (g.list(dir || '/') ?? []).find((x) => x.name.toLowerCase() === name.toLowerCase());
  return e ? `${dir}/${e.name}` : null;
}

/** `mounts` are the places to look; [''] reads a view of the ESP volume itself. */
export function inspectEsp(g: GuestView, mounts: string[] = ESP_MOUNTS): EspInfo {
  for (const m of mounts) {
    // FAT is case-insensitive, and vendors write EFI/ and efi/ alike
    const efi = findCI(g, m, 'EFI');
    if (efi === null) continue;
    const loaders: string[] = [];
    const grubCfgs: string[] = [];
    for (const d of (g.list(efi) ?? []).filter((x) => x.kind === 'dir').slice(0, 64)) {
      const dir = `${efi}/${d.name}`;
      const names = d.name.toUpperCase() === 'BOOT' ? FALLBACK : VENDOR_LOADERS;
      for (const n of names) { const p = findCI(g, dir, n); if (p) loaders.push(p); }
      const cfg = findCI(g, dir, 'grub.cfg');
      if (cfg) grubCfgs.push(cfg);
    }
    return { mount: m, loaders, grubCfgs };
  }
  return { mount: '', loaders: [], grubCfgs: [] };
}

export interface EspChain {
  /** the filesystem UUID the stub searches for, "" when it sets none */
  uuid: string;
  /** the configfile path on that filesystem ("/boot/grub/grub.cfg", "/grub2/grub.cfg") */
  target: string;
  line: number;
  text: string;
}

/** The `configfile` a stub grub.cfg chains to, with the UUID it searches; null for a whole configuration. */
export function parseEspStub(text: string): EspChain | null {
  const vars = new Map<string, string>();
  let uuid = '';
  const lines = text.split('\n');
  for (let n = 0; n < lines.length && n < 1000; n++) {
    const w = grubWords(lines[n].trim());
    if (w.length === 0) continue;
    if (w[0] === 'menuentry' || w[0] === 'blscfg') return null;
    if (w[0] === 'search.fs_uuid' && w[1]) uuid = w[1];
    if (w[0] === 'search' && w.includes('--fs-uuid')) uuid = w.find((x, i) => i > 0 && !x.startsWith('-')) ?? uuid;
    if (w[0] === 'set' && w[1]?.includes('=')) {
      const eq = w[1].indexOf('=');
      vars.set(w[1].substring(0, eq), w[1].substring(eq + 1));
    }
    if (w[0] === 'configfile' && w[1]) {
      // expand $prefix / ${prefix}, then drop a leading "($dev)" device
      let t = w[1];
      for (let k = 0; k < 4 && /\$\{?\w+\}?/.test(t); k++) t = t.replace(/\$\{?(\w+)\}?/g, (_, v: string) => vars.get(v) ?? '');
      t = t.replace(/^\([^)]*\)/, '');
      return { uuid, target: t.startsWith('/') ? t : `/${t}`, line: n + 1, text: lines[n].replace(/\r$/, '') };
    }
  }
  return null;
}
