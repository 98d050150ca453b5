// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import { finding } from '../rule';

/** SystemImage: a bootable system disk — not an installer ISO, not empty, with an OS root. */
export const systemImage: Rule = {
  name: 'SystemImage',
  platforms: ['Any'],
  run(ctx) {
    const img = ctx.image;
    const iso = img.volumes.find((v) => v.fs === 'iso9660' || v.fs === 'udf');
    if (iso) {
      return finding('SystemImage', 'fail', 'ISO', [{ path: `volume ${iso.id}`, text: `${iso.fs} filesystem` }], {
        riskLevel: 'High', riskCode: 'SystemImage.IsISO',
        solution: 'An installer ISO is not a system disk: install the OS into a virtual disk and import that disk.',
      });
    }
    if (img.tableError) {
      return finding('SystemImage', 'fail', 'BrokenPartitionTable', [{ path: 'partition table', text: img.tableError }], {
        riskLevel: 'High', riskCode: 'SystemImage.PartitionTableDamaged',
        solution: 'The partition table is damaged: repair it (e.g. sgdisk --verify / gdisk recovery, or testdisk) before importing.',
      });
    }
    const readable = img.volumes.filter((v) => v.fs !== '');
    if (img.partitionTable === 'none' && readable.length === 0) {
      return finding('SystemImage', 'fail', 'Empty', [{ path: 'disk', text: 'no partition table and no filesystem found' }], {
        riskLevel: 'High', riskCode: 'SystemImage.NoFileSystem',
        solution: 'The image has no partition table and no filesystem: it may be empty, truncated, or not a disk image.',
      });
    }
    if (ctx.platform === null) {
      return finding('SystemImage', 'fail', 'NoOS', [{ path: 'volumes', text: ctx.rootReason }], {
        riskLevel: 'High', riskCode: 'SystemImage.NoRoot',
        solution: 'No operating system root was found: this looks like a data disk, not a system disk.',
      });
    }
    const layout = img.partitionTable === 'none' ? 'whole-disk filesystem' : `${img.partitionTable.toUpperCase()} partition table`;
    return finding('SystemImage', 'pass', 'Supported', [{ path: 'disk', text: `${layout}, ${ctx.platform} root found` }]);
  },
};
