// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import type { Evidence, VolumeInfo } from '../../report/types';
import { finding } from '../rule';
import { cloudInitInfo } from '../../facts/cloud-init';
import { linuxFacts, family } from './shared';
import { cloudInitPackages } from './cloud-init';

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
    const fail = (code: string, ev: Evidence[], solution: string) =>
      finding('OnlineResizeFS', 'warn', 'Unsupported', ev, { riskLevel: 'Medium', riskCode: `OnlineResizeFS.${code}`, solution });
    if (!ci.installed) {
      return fail('NoCloudInit', [{ path: '/usr/bin/cloud-init', text: 'cloud-init is not installed, so nothing grows the root partition at first boot' }],
        `Install cloud-init and growpart: ${tools.install(cloudInitPackages(fam))}`);
    }
    const ev: Evidence[] = [...ci.evidence];
    const mod = ci.modules.get('growpart');
    if (!mod) {
      return fail('GrowpartDisabled', [...ev, { path: '/etc/cloud/cloud.cfg', text: 'no cloud_init_modules entry names growpart' }],
        'Add "- growpart" and "- resizefs" to cloud_init_modules in /etc/cloud/cloud.cfg.');
    }
    ev.push(mod);
    if (ci.growpartMode && /^(off|false|no)$/i.test(ci.growpartMode.value)) {
      return fail('GrowpartDisabled', [...ev, ci.growpartMode.evidence], `growpart is switched off: set "growpart: {mode: auto}" in ${ci.growpartMode.evidence.path}.`);
    }
    const prog = GROWPART.find((p) => g.stat(p)?.kind === 'file');
    if (!prog) {
      const pkg = fam === 'debian' ? 'cloud-guest-utils' : fam === 'suse' ? 'growpart' : 'cloud-utils-growpart';
      return fail('NoGrowpart', [...ev, { path: GROWPART[0], text: 'the growpart program is not installed' }], `Install growpart: ${tools.install([pkg])}`);
    }
    ev.push({ path: prog, text: 'growpart is installed' });
    const root = ctx.image.volumes.find((v) => v.mountedAt === '/');
    if (!root) {
      return finding('OnlineResizeFS', 'warn', 'Unknown', [...ev, { path: 'volumes', text: 'the root volume is not among the volumes found' }], {
        riskLevel: 'Medium', riskCode: 'OnlineResizeFS.RootUnknown', solution: 'Make sure root is a partition of this disk (not a logical volume) and the last one on it.',
      });
    }
    if (root.id === 'disk') {
      return finding('OnlineResizeFS', 'pass', 'Supported', [...ev, { path: 'volume disk', text: 'the root filesystem fills the whole disk (no partition table): resizefs grows it' }]);
    }
    const next = afterRoot(ctx.image.volumes, root);
    if (next) {
      return fail('RootNotLast', [...ev, { path: `volume ${root.id}`, text: `root (${root.id}) is followed on the disk by ${next.id}${next.fs ? ` (${next.fs})` : ''} at byte ${next.start}` }],
        `growpart can only grow the last partition. Move ${next.id} before root, or re-create the disk with root last (e.g. put swap in a file).`);
    }
    return finding('OnlineResizeFS', 'pass', 'Supported', [...ev, { path: `volume ${root.id}`, text: `root (${root.id}, ${root.fs}) is the last partition on the disk` }]);
  },
};
