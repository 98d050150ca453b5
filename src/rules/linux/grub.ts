// SPDX-License-Identifier: Apache-2.0
import type { Rule, RuleContext } from '../rule';
import { finding } from '../rule';
import { readText, type GuestView } from '../guest-view';
import type { Evidence, Message, VolumeInfo } from '../../report/types';
import { bootEntry, guestBootPath, GRUB_LEGACY_CFGS, type BootEntry } from '../../facts/boot-entries';
import { inspectEsp, parseEspStub } from '../../facts/esp';
import { resolveSpec, uuidSpec } from '../../facts/block-device';
import { cmdlineParam } from '../../facts/selinux';
import { familyOf, toolsFor } from '../../facts/family';
import { shq } from '../../facts/shell';
import { msg, said } from '../../report/message';

const GRUB_CFGS = ['/boot/grub2/grub.cfg', '/boot/grub/grub.cfg'];
const DEFAULT_GRUB = '/etc/default/grub';

interface Problem { code: string; level: 'fail' | 'warn'; why: Message; ev: Evidence[]; command?: string }

/** grub-mkconfig aimed at the file in use: RHEL 7/8 UEFI keeps the whole configuration on the ESP. */
function mkconfig(ctx: RuleContext, e: BootEntry | null): string {
  const fam = familyOf(ctx.os);
  if (e?.config?.startsWith('/boot/efi/') && (fam === 'rhel' || fam === 'suse')) return `grub2-mkconfig -o ${e.config}`;
  return toolsFor(fam).grubMkconfig;
}

/** The volume root= names; an LVM or other name the resolver cannot place counts when fstab's "/" uses the same name and the engine mounted it. */
function rootVolume(ctx: RuleContext, spec: string): { vol: VolumeInfo | null; unstable: boolean; kind: string } {
  const r = resolveSpec(spec, ctx.image.volumes);
  if (r.volume) return { vol: r.volume, unstable: r.unstableName, kind: r.kind };
  const m = ctx.mounts?.find((x) => x.path === '/' && x.spec === spec && x.status === 'root');
  const vol = m ? ctx.image.volumes.find((v) => v.id === m.volume) ?? null : null;
  return { vol, unstable: r.unstableName, kind: r.kind };
}

/** The stub grub.cfg files on the ESP must reach a configuration on this disk. */
function espChains(ctx: RuleContext, g: GuestView): { ok: Evidence[]; problems: Problem[] } {
  const ok: Evidence[] = [], problems: Problem[] = [];
  for (const p of inspectEsp(g).grubCfgs) {
    const chain = parseEspStub(readText(g, p, 64 * 1024) ?? '');
    if (chain === null) continue;
    const ev: Evidence = { path: p, line: chain.line, text: chain.text.trim() };
    const vol = chain.uuid ? ctx.image.volumes.find((v) => v.uuid.toLowerCase() === chain.uuid.toLowerCase()) : ctx.image.volumes.find((v) => v.mountedAt === '/');
    if (!vol) {
      problems.push({ code: 'Grub.EspConfigBroken', level: 'fail', ev: [ev], why: msg('fix.Grub.espUuid', { path: p, uuid: chain.uuid }) });
      continue;
    }
    if (!vol.mountedAt) { ok.push(said(p, 'ev.Grub.chainUnmounted', { line: ev.text, id: vol.id }, chain.line)); continue; }
    const target = vol.mountedAt === '/' ? chain.target : `${vol.mountedAt}${chain.target}`;
    if (g.stat(target)?.kind === 'file') ok.push({ ...ev, text: `${ev.text}  → ${target}` });
    else problems.push({ code: 'Grub.EspConfigBroken', level: 'fail', ev: [ev], why: msg('fix.Grub.espChain', { path: p, target, id: vol.id }) });
  }
  return { ok, problems };
}

/** The commands that make root= a UUID for good: the config file itself now, and what regenerates it later. */
function rootFixCommand(ctx: RuleContext, g: GuestView, e: BootEntry, spec: string, good: string): { command: string; ev: Evidence[] } {
  const fam = familyOf(ctx.os);
  const cmds: string[] = [];
  const ev: Evidence[] = [];
  // ERE: GNU sed's BRE does not take $ as an anchor inside \(..\|..\)
  const esc = (s: string) => s.replace(/[\\#.*+?(){}|[\]^$]/g, '\\$&');
  if (e.config && e.source !== 'bls') cmds.push(`sed -i -E ${shq(`s#root=${esc(spec)}([[:space:]]|$)#root=${good}\\1#g`)} ${shq(e.config)}`);
  if (e.source === 'bls' || (fam === 'rhel' && e.source === 'grub2')) cmds.push(`grubby --update-kernel ALL --args ${shq(`root=${good}`)}`);
  if (e.source !== 'grub-legacy') {
    const dg = readText(g, DEFAULT_GRUB, 64 * 1024);
    const lines = dg?.split('\n') ?? [];
    const i = lines.findIndex((l) => /^\s*GRUB_DISABLE_LINUX_UUID\s*=\s*"?true"?/.test(l));
    if (i >= 0) {
      ev.push(said(DEFAULT_GRUB, 'ev.Grub.disableUuid', { line: lines[i].trim() }, i + 1));
      cmds.push(`sed -i 's/^\\s*GRUB_DISABLE_LINUX_UUID=.*/GRUB_DISABLE_LINUX_UUID=false/' ${DEFAULT_GRUB}`, mkconfig(ctx, e));
    }
  }
  return { command: cmds.join('\n'), ev };
}

/**
 * Grub (CHECKS.md): the boot configuration can boot on ECS — the default
 * entry (GRUB 2, BLS, GRUB Legacy, or a whole grub.cfg on the ESP), its
 * kernel and initrd files exist, root= names a filesystem of this image by a
 * name that survives the move to virtio or NVMe disks, and ESP stubs chain to
 * a configuration that exists.
 */
export const grub: Rule = {
  name: 'Grub',
  platforms: ['Linux'],
  run(ctx) {
    const g = ctx.guest!;
    const fam = familyOf(ctx.os);
    const e = bootEntry(g);
    if (e === null) {
      const found = [...GRUB_CFGS, ...GRUB_LEGACY_CFGS].find((p) => g.stat(p) !== null);
      const other = ['/boot/extlinux/extlinux.conf', '/boot/syslinux/syslinux.cfg', '/boot/efi/loader/loader.conf', '/efi/loader/loader.conf', '/boot/loader/loader.conf'].find((p) => g.stat(p) !== null);
      if (found) {
        return finding('Grub', 'fail', 'Unsupported', [said(found, 'ev.Grub.noEntries')], {
          riskLevel: 'High', riskCode: 'Grub.NoEntries', solution: msg('fix.Grub.noEntries', { command: toolsFor(fam).grubMkconfig }),
          command: toolsFor(fam).grubMkconfig,
        });
      }
      if (other) {
        return finding('Grub', 'warn', 'Unsupported', [said(other, 'ev.Grub.notGrub')], {
          riskLevel: 'Medium', riskCode: 'Grub.NotGrub', solution: msg('fix.Grub.notGrub'),
        });
      }
      return finding('Grub', 'fail', 'Unsupported', [said('/boot', 'ev.Grub.noConfig', { paths: [...GRUB_CFGS, ...GRUB_LEGACY_CFGS, '/boot/efi/EFI/*/grub.cfg'].join(', ') })], {
        riskLevel: 'High', riskCode: 'Grub.ConfigNotFound',
        solution: msg('fix.Grub.noConfig', { command: toolsFor(fam).grubMkconfig }),
      });
    }
    const problems: Problem[] = [];
    const ok: Evidence[] = [...e.evidence];
    const at = e.evidence[e.evidence.length - 1];
    const loc = { path: at.path, ...(at.line ? { line: at.line } : {}) };
    if (!e.kernelExists) {
      problems.push({ code: 'Grub.KernelMissing', level: 'fail', ev: [said(loc.path, 'ev.Grub.kernelMissing', { kernel: e.kernel }, loc.line)], why: msg('fix.Grub.kernelMissing', { kernel: e.kernel }), command: mkconfig(ctx, e) });
    } else ok.push(said(e.kernel, 'ev.Grub.kernelPresent'));
    if (e.initrds.length === 0) {
      problems.push({ code: 'Grub.NoInitrd', level: 'warn', ev: [said(loc.path, 'ev.Grub.noInitrd', {}, loc.line)], why: msg('fix.Grub.noInitrd'),
        ...(e.version ? { command: toolsFor(fam).initramfs(e.version) + '\n' + mkconfig(ctx, e) } : {}) });
    }
    for (const i of e.initrds) {
      const r = guestBootPath(g, i);
      if (r.exists) { ok.push(said(r.path, 'ev.Grub.initrdPresent')); continue; }
      problems.push({ code: 'Grub.InitrdMissing', level: 'fail', ev: [said(loc.path, 'ev.Grub.initrdMissing', { initrd: i }, loc.line)], why: msg('fix.Grub.initrdMissing', { initrd: i }),
        ...(e.version ? { command: toolsFor(fam).initramfs(e.version) } : {}) });
    }
    const root = cmdlineParam(e.cmdline, 'root');
    if (root === null || root === '') {
      problems.push({ code: 'Grub.NoRootParameter', level: 'warn', ev: [said(loc.path, 'ev.Grub.noRoot', { cmdline: e.cmdline }, loc.line)], why: msg('fix.Grub.noRoot') });
    } else {
      const rv = rootVolume(ctx, root);
      const realRoot = ctx.image.volumes.find((v) => v.mountedAt === '/');
      const good = realRoot ? uuidSpec(realRoot) : '';
      if (rv.vol === null) {
        const fix = good ? rootFixCommand(ctx, g, e, root, good) : { command: '', ev: [] };
        const byId = rv.kind === 'by-id';
        problems.push({ code: byId ? 'Grub.DiskIdName' : 'Grub.RootNotFound', level: 'fail', ev: [said(loc.path, 'ev.Grub.rootNotFound', { root }, loc.line), ...fix.ev],
          why: msg(byId ? 'fix.Grub.rootById' : 'fix.Grub.rootNotFound', { root }), ...(fix.command ? { command: fix.command } : {}) });
      } else if (realRoot && rv.vol.id !== realRoot.id) {
        const fix = rootFixCommand(ctx, g, e, root, good);
        problems.push({ code: 'Grub.RootMismatch', level: 'fail', ev: [said(loc.path, 'ev.Grub.rootMismatch', { root, id: rv.vol.id, real: realRoot.id }, loc.line), ...fix.ev],
          why: msg('fix.Grub.rootMismatch', { root, id: rv.vol.id, real: realRoot.id }), ...(fix.command ? { command: fix.command } : {}) });
      } else if (rv.kind === 'device') {
        const fix = good ? rootFixCommand(ctx, g, e, root, good) : { command: '', ev: [] };
        problems.push({ code: 'Grub.DeviceName', level: rv.unstable ? 'fail' : 'warn', ev: [said(loc.path, 'ev.Grub.deviceName', { root }, loc.line), ...fix.ev],
          why: rv.unstable ? msg('fix.Grub.deviceUnstable', { root }) : msg('fix.Grub.deviceOnly', { root, bus: root.includes('nvme') ? 'NVMe' : 'virtio', good: good || 'UUID=...' }),
          ...(fix.command ? { command: fix.command } : {}) });
      } else ok.push(said(loc.path, rv.vol.fs ? 'ev.Grub.rootFs' : 'ev.Grub.root', { root, id: rv.vol.id, fs: rv.vol.fs }, loc.line));
    }
    const chains = espChains(ctx, g);
    ok.push(...chains.ok);
    problems.push(...chains.problems);
    if (problems.length === 0) return finding('Grub', 'pass', 'Supported', ok);
    const fails = problems.filter((p) => p.level === 'fail');
    const first = fails[0] ?? problems[0];
    const cmds = [...new Set(problems.flatMap((p) => (p.command ? p.command.split('\n') : [])))];
    return finding('Grub', fails.length ? 'fail' : 'warn', fails.length ? 'Unsupported' : 'Supported', [...problems.flatMap((p) => p.ev), ...ok], {
      riskLevel: fails.length ? 'High' : 'Medium', riskCode: first.code,
      solution: msg(cmds.length ? 'fix.Grub.problemsFix' : 'fix.Grub.problems', { why: problems.map((p) => p.why), command: cmds.join(' && ') }),
      ...(cmds.length ? { command: cmds.join('\n') } : {}),
    });
  },
};

