// SPDX-License-Identifier: Apache-2.0
import type { Rule, RuleContext } from '../rule';
import { finding } from '../rule';
import { readText, type GuestView } from '../guest-view';
import type { Evidence, VolumeInfo } from '../../report/types';
import { bootEntry, guestBootPath, GRUB_LEGACY_CFGS, type BootEntry } from '../../facts/boot-entries';
import { inspectEsp, parseEspStub } from '../../facts/esp';
import { resolveSpec, uuidSpec } from '../../facts/block-device';
import { cmdlineParam } from '../../facts/selinux';
import { familyOf, toolsFor } from '../../facts/family';
import { shq } from '../../facts/shell';

const GRUB_CFGS = ['/boot/grub2/grub.cfg', '/boot/grub/grub.cfg'];
const DEFAULT_GRUB = '/etc/default/grub';

interface Problem { code: string; level: 'fail' | 'warn'; why: string; ev: Evidence[]; command?: string }

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
      problems.push({ code: 'Grub.EspConfigBroken', level: 'fail', ev: [ev], why: `${p} searches for the filesystem UUID ${chain.uuid}, which no volume of this image has: UEFI boot stops at the grub prompt` });
      continue;
    }
    if (!vol.mountedAt) { ok.push({ ...ev, text: `${ev.text}  → volume ${vol.id} (not mounted by the guest, not checked further)` }); continue; }
    const target = vol.mountedAt === '/' ? chain.target : `${vol.mountedAt}${chain.target}`;
    if (g.stat(target)?.kind === 'file') ok.push({ ...ev, text: `${ev.text}  → ${target}` });
    else problems.push({ code: 'Grub.EspConfigBroken', level: 'fail', ev: [ev], why: `${p} chains to ${target} on volume ${vol.id}, which does not exist: UEFI boot stops at the grub prompt` });
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
      ev.push({ path: DEFAULT_GRUB, line: i + 1, text: `${lines[i].trim()}  — makes grub-mkconfig write device names` });
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
        return finding('Grub', 'fail', 'Unsupported', [{ path: found, text: 'no boot entry with a kernel in this configuration' }], {
          riskLevel: 'High', riskCode: 'Grub.NoEntries', solution: `The GRUB configuration has no entry that starts a kernel: regenerate it with ${toolsFor(fam).grubMkconfig}.`,
          command: toolsFor(fam).grubMkconfig,
        });
      }
      if (other) {
        return finding('Grub', 'warn', 'Unsupported', [{ path: other, text: 'the guest boots with another boot loader; only GRUB is checked' }], {
          riskLevel: 'Medium', riskCode: 'Grub.NotGrub', solution: 'ECS image import expects GRUB; install the distribution\'s GRUB package and generate its configuration.',
        });
      }
      return finding('Grub', 'fail', 'Unsupported', [{ path: '/boot', text: `none of ${[...GRUB_CFGS, ...GRUB_LEGACY_CFGS, '/boot/efi/EFI/*/grub.cfg'].join(', ')} exists` }], {
        riskLevel: 'High', riskCode: 'Grub.ConfigNotFound',
        solution: `No GRUB configuration was found, so the instance cannot boot: install GRUB and generate its configuration (${toolsFor(fam).grubMkconfig}).`,
      });
    }
    const problems: Problem[] = [];
    const ok: Evidence[] = [...e.evidence];
    const at = e.evidence[e.evidence.length - 1];
    const loc = { path: at.path, ...(at.line ? { line: at.line } : {}) };
    if (!e.kernelExists) {
      problems.push({ code: 'Grub.KernelMissing', level: 'fail', ev: [{ ...loc, text: `kernel ${e.kernel} does not exist` }], why: `the default entry's kernel ${e.kernel} is not in the image`, command: mkconfig(ctx, e) });
    } else ok.push({ path: e.kernel, text: 'kernel present' });
    if (e.initrds.length === 0) {
      problems.push({ code: 'Grub.NoInitrd', level: 'warn', ev: [{ ...loc, text: 'the default entry loads no initrd' }], why: 'the default entry loads no initrd: unless the disk and filesystem drivers are built into the kernel, the root filesystem is not found',
        ...(e.version ? { command: toolsFor(fam).initramfs(e.version) + '\n' + mkconfig(ctx, e) } : {}) });
    }
    for (const i of e.initrds) {
      const r = guestBootPath(g, i);
      if (r.exists) { ok.push({ path: r.path, text: 'initrd present' }); continue; }
      problems.push({ code: 'Grub.InitrdMissing', level: 'fail', ev: [{ ...loc, text: `initrd ${i} does not exist` }], why: `the default entry's initrd ${i} is not in the image: the kernel cannot find the root filesystem`,
        ...(e.version ? { command: toolsFor(fam).initramfs(e.version) } : {}) });
    }
    const root = cmdlineParam(e.cmdline, 'root');
    if (root === null || root === '') {
      problems.push({ code: 'Grub.NoRootParameter', level: 'warn', ev: [{ ...loc, text: `no root= on the kernel command line "${e.cmdline}"` }], why: 'the kernel command line has no root=, so the initrd must guess the root filesystem' });
    } else {
      const rv = rootVolume(ctx, root);
      const realRoot = ctx.image.volumes.find((v) => v.mountedAt === '/');
      const good = realRoot ? uuidSpec(realRoot) : '';
      if (rv.vol === null) {
        const fix = good ? rootFixCommand(ctx, g, e, root, good) : { command: '', ev: [] };
        const byId = rv.kind === 'by-id';
        problems.push({ code: byId ? 'Grub.DiskIdName' : 'Grub.RootNotFound', level: 'fail', ev: [{ ...loc, text: `root=${root} matches no volume of this image` }, ...fix.ev],
          why: byId ? `root=${root}: /dev/disk/by-id names carry the source disk's model and serial, which differ on ECS, so the boot stops in the initrd`
            : `root=${root} names no filesystem of this image: the boot stops in the initrd`, ...(fix.command ? { command: fix.command } : {}) });
      } else if (realRoot && rv.vol.id !== realRoot.id) {
        const fix = rootFixCommand(ctx, g, e, root, good);
        problems.push({ code: 'Grub.RootMismatch', level: 'fail', ev: [{ ...loc, text: `root=${root} is volume ${rv.vol.id}, but the guest root is ${realRoot.id}` }, ...fix.ev],
          why: `root=${root} names volume ${rv.vol.id}, which is not the root filesystem (${realRoot.id})`, ...(fix.command ? { command: fix.command } : {}) });
      } else if (rv.kind === 'device') {
        const fix = good ? rootFixCommand(ctx, g, e, root, good) : { command: '', ev: [] };
        problems.push({ code: 'Grub.DeviceName', level: rv.unstable ? 'fail' : 'warn', ev: [{ ...loc, text: `root=${root} is a kernel device name` }, ...fix.ev],
          why: rv.unstable ? `root=${root}: on ECS the disk is /dev/vda (virtio) or /dev/nvme0n1, so ${root} does not exist and the boot stops in the initrd` : `root=${root} holds only on ${root.includes('nvme') ? 'NVMe' : 'virtio'} instance types; root=${good || 'UUID=...'} holds on all`,
          ...(fix.command ? { command: fix.command } : {}) });
      } else ok.push({ ...loc, text: `root=${root} → volume ${rv.vol.id}${rv.vol.fs ? ` (${rv.vol.fs})` : ''}` });
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
      solution: problems.map((p) => p.why).join('; ') + '.' + (cmds.length ? ` Fix: ${cmds.join(' && ')}` : ''),
      ...(cmds.length ? { command: cmds.join('\n') } : {}),
    });
  },
};

