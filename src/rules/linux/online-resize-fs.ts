// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import type { Evidence, Message, VolumeInfo } from '../../report/types';
import { finding } from '../rule';
import { cloudInitInfo } from '../../facts/cloud-init';
import { linuxFacts, family } from './shared';
import { cloudInitPackages } from './cloud-init';
import { msg, said } from '../../report/message';

const GROWPART = ['/usr/bin/growpart', '/usr/sbin/growpart', '/bin/growpart', '/sbin/growpart'];
/** MBR extended-partition containers are not where data lives */
const CONTAINER_TYPES = new Set(['0x05', '0x0f', '0x85', '0x5', '0xf']);

/** The volume after the root partition on the disk, if any. */
function afterRoot(vols: VolumeInfo[], root: VolumeInfo): VolumeInfo | null {
  const later = vols.filter((v) => v !== root && v.id !== 'disk' && v.typeName !== 'extended' && !CONTAINER_TYPES.has(v.type.toLowerCase()) && v.start > root.start);
  return later.sort((a, b) => a.start - b.start)[0] ?? null;
}

/**
 * OnlineResizeFS (CHECKS.md): at first boot cloud-init's growpart module
 * grows the root partition to the disk (growpart from cloud-utils-growpart /
 * cloud-guest-utils), which it can only do when root is the last partition.
 */
export const onlineResizeFs: Rule = {
  name: 'OnlineResizeFS',
  platforms: ['Linux'],
  run(ctx) {
    const f = linuxFacts(ctx);
    const { family: fam, tools } = family(ctx);
    const g = ctx.guest!;
    const ci = cloudInitInfo(g, f.packages, f.bootEntry?.cmdline ?? '');
    const fail = (code: string, ev: Evidence[], solution: Message) =>
      finding('OnlineResizeFS', 'warn', 'Unsupported', ev, { riskLevel: 'Medium', riskCode: `OnlineResizeFS.${code}`, solution });
    if (!ci.installed) {
      return fail('NoCloudInit', [said('/usr/bin/cloud-init', 'ev.OnlineResizeFS.noCloudInit')],
        msg('fix.OnlineResizeFS.noCloudInit', { command: tools.install(cloudInitPackages(fam)) }));
    }
    const ev: Evidence[] = [...ci.evidence];
    const mod = ci.modules.get('growpart');
    if (!mod) {
      return fail('GrowpartDisabled', [...ev, said('/etc/cloud/cloud.cfg', 'ev.OnlineResizeFS.noModule')],
        msg('fix.OnlineResizeFS.noModule'));
    }
    ev.push(mod);
    if (ci.growpartMode && /^(off|false|no)$/i.test(ci.growpartMode.value)) {
      return fail('GrowpartDisabled', [...ev, ci.growpartMode.evidence], msg('fix.OnlineResizeFS.off', { path: ci.growpartMode.evidence.path }));
    }
    const prog = GROWPART.find((p) => g.stat(p)?.kind === 'file');
    if (!prog) {
      const pkg = fam === 'debian' ? 'cloud-guest-utils' : fam === 'suse' ? 'growpart' : 'cloud-utils-growpart';
      return fail('NoGrowpart', [...ev, said(GROWPART[0], 'ev.OnlineResizeFS.noGrowpart')], msg('fix.OnlineResizeFS.noGrowpart', { command: tools.install([pkg]) }));
    }
    ev.push(said(prog, 'ev.OnlineResizeFS.growpart'));
    const root = ctx.image.volumes.find((v) => v.mountedAt === '/');
    if (!root) {
      return finding('OnlineResizeFS', 'warn', 'Unknown', [...ev, said('volumes', 'ev.OnlineResizeFS.rootUnknown')], {
        riskLevel: 'Medium', riskCode: 'OnlineResizeFS.RootUnknown', solution: msg('fix.OnlineResizeFS.rootUnknown'),
      });
    }
    if (root.id === 'disk') {
      return finding('OnlineResizeFS', 'pass', 'Supported', [...ev, said('volume disk', 'ev.OnlineResizeFS.wholeDisk')]);
    }
    const next = afterRoot(ctx.image.volumes, root);
    if (next) {
      return fail('RootNotLast', [...ev, said(`volume ${root.id}`, next.fs ? 'ev.OnlineResizeFS.followedFs' : 'ev.OnlineResizeFS.followed', { root: root.id, next: next.id, fs: next.fs, start: next.start })],
        msg('fix.OnlineResizeFS.notLast', { next: next.id }));
    }
    return finding('OnlineResizeFS', 'pass', 'Supported', [...ev, said(`volume ${root.id}`, 'ev.OnlineResizeFS.last', { root: root.id, fs: root.fs })]);
  },
};
