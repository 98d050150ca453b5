// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import { finding } from '../rule';
import { msg, said } from '../../report/message';
import { rootReasonEvidence } from '../root-reason';
import { tableErrorEvidence } from '../../report/engine-error';

/** SystemImage: a bootable system disk — not an installer ISO, not empty, with an OS root. */
export const systemImage: Rule = {
  name: 'SystemImage',
  platforms: ['Any'],
  run(ctx) {
    const img = ctx.image;
    const iso = img.volumes.find((v) => v.fs === 'iso9660' || v.fs === 'udf');
    if (iso) {
      return finding('SystemImage', 'fail', 'ISO', [said(`volume ${iso.id}`, 'ev.SystemImage.fs', { fs: iso.fs })], {
        riskLevel: 'High', riskCode: 'SystemImage.IsISO',
        solution: msg('fix.SystemImage.iso'),
      });
    }
    if (img.tableError) {
      return finding('SystemImage', 'fail', 'BrokenPartitionTable', [tableErrorEvidence(img.tableError)], {
        riskLevel: 'High', riskCode: 'SystemImage.PartitionTableDamaged',
        solution: msg('fix.SystemImage.table'),
      });
    }
    const readable = img.volumes.filter((v) => v.fs !== '');
    if (img.partitionTable === 'none' && readable.length === 0) {
      return finding('SystemImage', 'fail', 'Empty', [said('disk', 'ev.SystemImage.empty')], {
        riskLevel: 'High', riskCode: 'SystemImage.NoFileSystem',
        solution: msg('fix.SystemImage.empty'),
      });
    }
    if (ctx.platform === null) {
      return finding('SystemImage', 'fail', 'NoOS', [rootReasonEvidence('volumes', ctx.rootReason)], {
        riskLevel: 'High', riskCode: 'SystemImage.NoRoot',
        solution: msg('fix.SystemImage.noRoot'),
      });
    }
    const layout = img.partitionTable === 'none' ? msg('ev.SystemImage.wholeDisk') : msg('ev.SystemImage.table', { table: img.partitionTable.toUpperCase() });
    return finding('SystemImage', 'pass', 'Supported', [said('disk', 'ev.SystemImage.found', { layout, platform: ctx.platform })]);
  },
};
