// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import type { Evidence } from '../../report/types';
import { bootDriversFinding } from './boot-drivers';
import { linuxFacts } from './shared';
import { said } from '../../report/message';

/**
 * Nvme (CHECKS.md): nvme (and nvme_core, on kernels that split it out) built
 * in or inside the initramfs, as for Virtio; the kernel command line's
 * nvme_core.io_timeout is reported. High when it fails.
 */
export const nvme: Rule = {
  name: 'Nvme',
  platforms: ['Linux'],
  run(ctx) {
    const f = bootDriversFinding(ctx, {
      item: 'Nvme', code: 'NVMe', notInstalledCode: 'NVMe.NotInstallded',
      required: ['nvme'], requiredIfKnown: ['nvme_core'], informational: [],
      kernelAdvice: 'fix.Nvme.kernelAdvice',
    });
    const entry = linuxFacts(ctx).bootEntry;
    if (entry) {
      const m = /(?:^|\s)nvme_core\.io_timeout=(\S+)/.exec(entry.cmdline);
      const at = entry.evidence.at(-1)?.path ?? '/boot';
      const ev: Evidence = m ? said(at, 'ev.Nvme.ioTimeout', { value: m[1] }) : said(at, 'ev.Nvme.noIoTimeout');
      f.evidence.push(ev);
    }
    return f;
  },
};
