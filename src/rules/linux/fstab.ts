// SPDX-License-Identifier: Apache-2.0
import type { Rule, RuleContext } from '../rule';
import { finding } from '../rule';
import { readText } from '../guest-view';
import type { Evidence, Message, MountInfo, VolumeInfo } from '../../report/types';
import { hasOption, parseFstab, type FstabLine } from '../../facts/fstab';
import { resolveSpec, uuidSpec, type SpecKind } from '../../facts/block-device';
import { sedReplaceLine } from '../../facts/shell';
import { msg, said } from '../../report/message';
import { engineSentence } from '../../report/engine-sentences';

const FSTAB = '/etc/fstab';

const PSEUDO = new Set(['proc', 'sysfs', 'tmpfs', 'devpts', 'devtmpfs', 'none', 'efivarfs', 'debugfs', 'securityfs', 'cgroup', 'cgroup2',
  'hugetlbfs', 'mqueue', 'binfmt_misc', 'configfs', 'fusectl', 'pstore', 'tracefs', 'bpf', 'rpc_pipefs', 'nfsd', 'autofs', 'overlay', 'ramfs']);
const NETWORK = new Set(['nfs', 'nfs4', 'cifs', 'smbfs', 'smb3', 'glusterfs', 'ceph', 'sshfs', 'fuse.sshfs', 'davfs', 'fuse.glusterfs', 'ocfs2', 'gfs2', 'afs', 'lustre', '9p', 'virtiofs']);
const NOT_FOUND: Record<SpecKind, string> = {
  uuid: 'Fstab.UuidNotFound', label: 'Fstab.LabelNotFound', partuuid: 'Fstab.PartUuidNotFound', partlabel: 'Fstab.PartLabelNotFound',
  lvm: 'Fstab.LvNotFound', device: 'Fstab.DeviceNotFound', 'by-id': 'Fstab.DiskIdName', other: 'Fstab.Unresolvable',
};

interface Problem {
  level: 'fail' | 'warn';
  code: string;
  line: FstabLine;
  why: string | Message;
  /** the fstab line that fixes it, when one is known */
  fixed?: string;
}

/** "lines 3, 4 would stop the boot on ECS" (`what` is the catalog key's last part) */
function whichLines(ps: Problem[], what: 'stop' | 'mayNotMount'): Message[] {
  return ps.length === 0 ? [] : [msg(`fix.Fstab.${what}${ps.length > 1 ? 'Many' : 'One'}`, { lines: ps.map((p) => p.line.line).join(', ') })];
}

/** The line with its first field replaced, the rest exactly as written. */
function withSpec(l: FstabLine, spec: string): string {
  return l.text.trim().replace(/^\S+/, spec);
}

/** The line with nofail added to its options field. */
function withNofail(l: FstabLine): string {
  const f = l.text.trim().split(/[ \t]+/);
  while (f.length < 4) f.push(f.length === 2 ? 'auto' : 'defaults');
  f[3] = `${f[3]},nofail`;
  return f.join(' ');
}

/** The one volume an unresolved entry most likely meant: the root for "/", else the only unclaimed, unmounted one of its type. */
function likelyVolume(ctx: RuleContext, l: FstabLine, claimed: Set<string>): VolumeInfo | null {
  const vols = ctx.image.volumes;
  if (l.file === '/') return vols.find((v) => v.mountedAt === '/') ?? null;
  const fsOk = (v: VolumeInfo) => v.fs !== '' && (l.vfstype === 'auto' || v.fs === l.vfstype || (l.vfstype === 'swap' && v.fs === 'swap') ||
    (v.fs.startsWith('ext') && l.vfstype.startsWith('ext')) || (v.fs === 'vfat' && ['vfat', 'msdos', 'fat'].includes(l.vfstype)));
  const cands = vols.filter((v) => !claimed.has(v.id) && !v.mountedAt && fsOk(v) && uuidSpec(v) !== '');
  return cands.length === 1 ? cands[0] : null;
}

/**
 * Fstab (CHECKS.md): every entry of /etc/fstab resolved against the image's
 * volumes. A name that matches nothing fails unless the entry has nofail (the
 * boot stops in emergency mode otherwise); kernel names like /dev/sda1 fail
 * because ECS disks are /dev/vda (virtio) or /dev/nvme0n1; network
 * filesystems warn. The fix is the line with the volume's real UUID.
 */
export const fstab: Rule = {
  name: 'Fstab',
  platforms: ['Linux'],
  run(ctx) {
    const g = ctx.guest!;
    const text = readText(g, FSTAB, 1 << 20);
    if (text === null) {
      return finding('Fstab', 'warn', 'Unsupported', [said(FSTAB, 'ev.Fstab.absent')], {
        riskLevel: 'Medium', riskCode: 'Fstab.Missing',
        solution: msg('fix.Fstab.missing'),
      });
    }
    const lines = parseFstab(text);
    const mountOf = (l: FstabLine): MountInfo | undefined => ctx.mounts?.find((m) => m.line === l.line);
    const claimed = new Set<string>();
    const resolved: { l: FstabLine; vol: VolumeInfo | null }[] = [];
    for (const l of lines) {
      const r = resolveSpec(l.spec, ctx.image.volumes);
      const m = mountOf(l);
      // the engine knows names this resolver cannot (e.g. LVM it assembled): trust the volume it mounted
      const vol = r.volume ?? (m && m.volume ? ctx.image.volumes.find((v) => v.id === m.volume) ?? null : null);
      if (vol) claimed.add(vol.id);
      resolved.push({ l, vol });
    }
    const problems: Problem[] = [];
    const ok: Evidence[] = [];
    for (const { l, vol } of resolved) {
      const nofail = hasOption(l, 'nofail');
      const swap = l.vfstype === 'swap';
      // noauto entries (a CD-ROM, a removable disk) are not mounted at boot
      if (hasOption(l, 'noauto') || l.options.includes('bind') || (PSEUDO.has(l.vfstype) && !l.spec.startsWith('/dev/'))) continue;
      if (NETWORK.has(l.vfstype) || /^[^/=]+:\//.test(l.spec) || l.spec.startsWith('//')) {
        problems.push({ level: 'warn', code: 'Fstab.NetworkFs', line: l, why: msg(nofail || hasOption(l, '_netdev') ? 'fix.Fstab.network' : 'fix.Fstab.networkAddNofail', { fs: l.vfstype }) });
        continue;
      }
      const r = resolveSpec(l.spec, ctx.image.volumes);
      const m = mountOf(l);
      if (vol === null) {
        const guess = likelyVolume(ctx, l, claimed);
        const lenient = nofail || swap;
        problems.push({
          level: lenient ? 'warn' : 'fail', code: NOT_FOUND[r.kind], line: l,
          why: r.kind === 'by-id'
            ? msg('fix.Fstab.byId', { spec: l.spec })
            : msg(m?.detail && m.status !== 'unresolved' ? 'fix.Fstab.noVolumeDetail' : 'fix.Fstab.noVolume', {
              spec: l.spec, detail: m?.detail ? engineSentence(m.detail) ?? m.detail : '', then: msg(lenient ? (swap ? 'fix.Fstab.swapWaits' : 'fix.Fstab.nofailGoesOn') : 'fix.Fstab.emergency'),
            }),
          fixed: guess ? withSpec(l, uuidSpec(guess)) : (lenient ? undefined : withNofail(l)),
        });
        continue;
      }
      if (m && m.status === 'failed') {
        problems.push({ level: 'fail', code: 'Fstab.RootMismatch', line: l, why: engineSentence(m.detail) ?? m.detail, fixed: withSpec(l, uuidSpec(ctx.image.volumes.find((v) => v.mountedAt === '/')!)) });
        continue;
      }
      if (r.kind === 'device') {
        const fixed = uuidSpec(vol) ? withSpec(l, uuidSpec(vol)) : undefined;
        if (r.unstableName) {
          const lenient = nofail || swap;
          problems.push({ level: lenient ? 'warn' : 'fail', code: 'Fstab.DeviceName', line: l, fixed,
            why: msg('fix.Fstab.deviceUnstable', { spec: l.spec }) });
        } else {
          problems.push({ level: 'warn', code: 'Fstab.DeviceName', line: l, fixed,
            why: msg('fix.Fstab.deviceOnly', { spec: l.spec, bus: l.spec.includes('nvme') ? 'NVMe' : 'virtio' }) });
        }
        continue;
      }
      ok.push(said(FSTAB, vol.fs ? 'ev.Fstab.volumeFs' : 'ev.Fstab.volume', { line: l.text.trim(), id: vol.id, fs: vol.fs }, l.line));
    }
    const fails = problems.filter((p) => p.level === 'fail');
    const ev: Evidence[] = problems.map((p) => said(FSTAB, 'ev.Fstab.problem', { line: p.line.text.trim(), why: p.why }, p.line.line));
    const fixes = problems.filter((p) => p.fixed !== undefined);
    const command = fixes.map((p) => sedReplaceLine(FSTAB, p.line.line, p.fixed!)).join('\n');
    const fixText = fixes.map((p) => msg('fix.Fstab.lineFix', { line: p.line.line, fixed: p.fixed! }));
    if (problems.length === 0) {
      return finding('Fstab', 'pass', 'Supported', ok.length ? ok : [said(FSTAB, 'ev.Fstab.noEntries')]);
    }
    const first = fails[0] ?? problems[0];
    const codes = [...new Set([...fails, ...problems].map((p) => p.code))];
    return finding('Fstab', fails.length ? 'fail' : 'warn', fails.length ? 'Unsupported' : 'Supported', [...ev, ...ok], {
      riskLevel: fails.length ? 'High' : 'Medium', riskCode: first.code,
      solution: msg(problems.length > 1 ? 'fix.Fstab.problemsMany' : 'fix.Fstab.problemsOne', {
        lines: [...whichLines(fails, 'stop'), ...whichLines(problems.filter((p) => p.level === 'warn'), 'mayNotMount')],
        codes: codes.join(', '), why: first.why, fix: fixText.length ? msg('fix.Fstab.writeInstead', { lines: { items: fixText } }) : '',
      }),
      ...(command ? { command } : {}),
    });
  },
};
