// SPDX-License-Identifier: Apache-2.0
// What a block-device name in fstab or on a kernel command line means on the
// image: UUID=, LABEL=, PARTUUID=, PARTLABEL=, /dev/disk/by-*, LVM names
// (/dev/mapper/VG-LV with "-" doubled inside names, /dev/VG/LV) and kernel
// names (/dev/sda1, vda1, xvda1, nvme0n1p1), resolved against the volumes
// the engine found.
import type { VolumeInfo } from '../report/types';

export type SpecKind = 'uuid' | 'label' | 'partuuid' | 'partlabel' | 'lvm' | 'device' | 'by-id' | 'other';

export interface Resolution {
  kind: SpecKind;
  /** the volume it names, or null */
  volume: VolumeInfo | null;
  /** a kernel name whose meaning depends on the disk driver (sda, hda, xvda) */
  unstableName: boolean;
}

const BY: Record<string, SpecKind> = { 'by-uuid': 'uuid', 'by-label': 'label', 'by-partuuid': 'partuuid', 'by-partlabel': 'partlabel' };

function unquote(s: string): string {
  return s.length >= 2 && (s[0] === '"' || s[0] === "'") && s[s.length - 1] === s[0] ? s.substring(1, s.length - 1) : s;
}

/** udev escapes "/" and spaces in by-label links as \x2f, \x20. */
function unescapeUdev(s: string): string {
  return s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** VG and LV of a device-mapper name: "-" separates, "--" is a literal dash. */
export function splitMapperName(name: string): { vg: string; lv: string } | null {
  for (let i = 1; i < name.length - 1; i++) {
    if (name[i] !== '-') continue;
    if (name[i + 1] === '-') { i++; continue; }
    return { vg: name.substring(0, i).replace(/--/g, '-'), lv: name.substring(i + 1).replace(/--/g, '-') };
  }
  return null;
}

/** The LVM names a volume may carry in its id ("/dev/mapper/vg-lv", "/dev/vg/lv", "vg/lv"). */
function lvmMatches(v: VolumeInfo, vg: string, lv: string): boolean {
  const mapper = `${vg.replace(/-/g, '--')}-${lv.replace(/-/g, '--')}`;
  return [`/dev/mapper/${mapper}`, `/dev/${vg}/${lv}`, `${vg}/${lv}`, mapper, `lvm:${vg}/${lv}`].includes(v.id);
}

/** The partition number a kernel name means on a one-disk guest, -1 when it names no partition of disk 0. */
function devicePartition(dev: string): { part: number; unstable: boolean } | null {
  const m = /^\/dev\/(?:(sd|hd|vd|xvd)a(\d*)|(nvme0n1|mmcblk0)(?:p(\d+))?)$/.exec(dev);
  if (!m) return null;
  if (m[1] !== undefined) return { part: m[2] ? Number(m[2]) : 0, unstable: m[1] !== 'vd' };
  return { part: m[4] ? Number(m[4]) : 0, unstable: false };
}

/** True for kernel disk names other than the first disk's (sdb1, vdc): they name another disk. */
function otherDiskName(dev: string): boolean {
  return /^\/dev\/(?:sd|hd|vd|xvd)[b-z]+\d*$|^\/dev\/nvme[1-9]\d*n\d+/.test(dev);
}

export function resolveSpec(spec: string, volumes: VolumeInfo[]): Resolution {
  let s = unquote(spec);
  let kind: SpecKind = 'other';
  let value = '';
  const eq = /^(UUID|LABEL|PARTUUID|PARTLABEL)=(.*)$/i.exec(s);
  const by = /^\/dev\/disk\/(by-[a-z]+)\/(.+)$/.exec(s);
  if (eq) { kind = eq[1].toLowerCase() as SpecKind; value = unquote(eq[2]); }
  else if (by) {
    if (BY[by[1]] === undefined) return { kind: 'by-id', volume: null, unstableName: false };
    kind = BY[by[1]]; value = unescapeUdev(by[2]);
  }
  if (kind !== 'other') {
    const lc = value.toLowerCase();
    const v = volumes.find((x) =>
      (kind === 'uuid' && x.uuid !== '' && x.uuid.toLowerCase() === lc) ||
      (kind === 'label' && x.label !== '' && x.label === value) ||
      (kind === 'partuuid' && x.partuuid !== '' && x.partuuid.toLowerCase() === lc) ||
      (kind === 'partlabel' && x.partlabel !== '' && x.partlabel === value));
    return { kind, volume: v ?? null, unstableName: false };
  }
  s = s.replace(/\/+$/, '');
  const mapper = /^\/dev\/mapper\/(.+)$/.exec(s);
  const vglv = /^\/dev\/([^/]+)\/([^/]+)$/.exec(s);
  if (mapper || (vglv && !['disk', 'mapper'].includes(vglv[1]))) {
    const names = mapper ? splitMapperName(mapper[1]) : { vg: vglv![1], lv: vglv![2] };
    const v = names ? volumes.find((x) => lvmMatches(x, names.vg, names.lv)) : undefined;
    return { kind: 'lvm', volume: v ?? null, unstableName: false };
  }
  const d = devicePartition(s);
  if (d) {
    const v = d.part === 0 ? volumes.find((x) => x.id === 'disk') : volumes.find((x) => x.id === `p${d.part}`);
    return { kind: 'device', volume: v ?? null, unstableName: d.unstable };
  }
  if (otherDiskName(s)) return { kind: 'device', volume: null, unstableName: true };
  return { kind: 'other', volume: null, unstableName: false };
}

/** The fstab line that names a volume by its filesystem UUID, the form that survives a driver change. */
export function uuidSpec(v: VolumeInfo): string {
  return v.uuid ? `UUID=${v.uuid}` : v.partuuid ? `PARTUUID=${v.partuuid}` : '';
}
