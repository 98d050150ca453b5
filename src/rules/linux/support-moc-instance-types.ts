// SPDX-License-Identifier: Apache-2.0
import type { Rule, RuleContext } from '../rule';
import type { Evidence, Message } from '../../report/types';
import { finding, compareVersions } from '../rule';
import { virtio } from './virtio';
import { nvme } from './nvme';
import { linuxFacts } from './shared';
import { msg } from '../../report/message';

/** Releases too old for X-Dragon hardware (CHECKS.md: CentOS 5 below 5.11). */
const MIN_RELEASE: Record<string, string> = { centos: '5.11', rhel: '5.11', ol: '5.11' };
/** virtio 1.0 devices and the NVMe driver need 2.6.32 with the vendors' backports at least */
const MIN_KERNEL = '2.6.32';

/**
 * SupportMocInstanceTypes (CHECKS.md): the image can run on X-Dragon
 * (SHENLONG) instance types such as ecs.g6/g7: a supported, recent enough
 * release and kernel with virtio and NVMe drivers available at boot.
 */
export const supportMocInstanceTypes: Rule = {
  name: 'SupportMocInstanceTypes',
  platforms: ['Linux'],
  run(ctx: RuleContext) {
    const f = linuxFacts(ctx);
    const reasons: Message[] = [];
    const ev: Evidence[] = [];
    const os = ctx.os;
    if (os?.unsupported) reasons.push(msg('fix.SupportMocInstanceTypes.os', { name: os.name }));
    const min = os ? MIN_RELEASE[os.id] : undefined;
    if (os && min && os.version && compareVersions(os.version, min) < 0) reasons.push(msg('fix.SupportMocInstanceTypes.older', { what: `${os.name} ${os.version}`, min }));
    if (os) ev.push(...os.evidence.slice(0, 1));
    if (f.kernelVersion && compareVersions(f.kernelVersion, MIN_KERNEL) < 0) reasons.push(msg('fix.SupportMocInstanceTypes.kernelOlder', { version: f.kernelVersion, min: MIN_KERNEL }));
    ev.push(...f.kernelEvidence.slice(-1));
    for (const r of [virtio, nvme]) {
      const x = r.run(ctx);
      ev.push({ path: x.evidence[0]?.path ?? '/boot', text: `${x.name}: ${x.value}${x.riskCode ? ` (${x.riskCode})` : ''}` });
      if (x.status !== 'pass') reasons.push(msg('fix.SupportMocInstanceTypes.drivers', { item: x.name, code: x.riskCode || x.value }));
    }
    if (reasons.length) {
      return finding('SupportMocInstanceTypes', 'warn', 'Unsupported', ev, {
        riskLevel: 'Medium', riskCode: 'SupportMocInstanceTypes.Unsupported',
        solution: msg('fix.SupportMocInstanceTypes.unsupported', { reasons }),
      });
    }
    return finding('SupportMocInstanceTypes', 'pass', 'Supported', ev);
  },
};
