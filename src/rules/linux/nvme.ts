// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import type { Evidence } from '../../report/types';
import { bootDriversFinding } from './boot-drivers';
import { linuxFacts } from './shared';

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
      kernelAdvice: 'install a kernel with the NVMe driver (CONFIG_BLK_DEV_NVME), such as the distribution\'s current one.',
    });
    const entry = linuxFacts(ctx).bootEntry;
    if (entry) {
      const m = /(?:^|\s)nvme_core\.io_timeout=(\S+)/.exec(entry.cmdline);
      const ev: Evidence = m
        ? { path: entry.evidence.at(-1)?.path ?? '/boot', text: `kernel command line: nvme_core.io_timeout=${m[1]}` }
        : { path: entry.evidence.at(-1)?.path ?? '/boot', text: 'kernel command line has no nvme_core.io_timeout (the default is 30 s; 4294967295 keeps I/O waiting across cloud disk hiccups)' };
      f.evidence.push(ev);
    }
    return f;
  },
};
