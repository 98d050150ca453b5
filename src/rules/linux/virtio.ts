// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import { bootDriversFinding } from './boot-drivers';

/**
 * Virtio (CHECKS.md): virtio_blk, virtio_net and virtio_pci built into the
 * default kernel or inside its initramfs; virtio_scsi and virtio_console are
 * reported only. High when it fails.
 */
export const virtio: Rule = {
  name: 'Virtio',
  platforms: ['Linux'],
  run: (ctx) => bootDriversFinding(ctx, {
    item: 'Virtio', code: 'Virtio', notInstalledCode: 'Virtio.NotInstalled',
    required: ['virtio_blk', 'virtio_net', 'virtio_pci'],
    informational: ['virtio_scsi', 'virtio_console'],
    kernelAdvice: 'fix.Virtio.kernelAdvice',
  }),
};
