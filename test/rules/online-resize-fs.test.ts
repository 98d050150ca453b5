// SPDX-License-Identifier: Apache-2.0
import { describe, it, expect } from 'vitest';
import { onlineResizeFs } from '../../src/rules/linux/online-resize-fs';
import { linuxCtx, linuxTree, IMAGE } from '../helpers/linux-guest';
import type { ImageInfo, VolumeInfo } from '../../src/report/types';

const CFG = 'cloud_init_modules:\n - migrator\n - seed_random\n - growpart\n - resizefs\n';
const withCi = (extra: Record<string, string> = {}) => ({ '/usr/bin/cloud-init': 'x', '/etc/cloud/cloud.cfg': CFG, '/usr/bin/growpart': '#!/bin/sh\n', ...extra });
const vol = (id: string, start: number, mountedAt = '', fs = 'ext4', typeName = 'Linux'): VolumeInfo =>
  ({ id, start, size: 1 << 20, type: '0x83', typeName, fs, uuid: id, label: '', partuuid: '', partlabel: '', mountedAt });

describe('OnlineResizeFS', () => {
  it('passes with growpart enabled, installed, and root last (GPT, Debian)', async () => {
    const f = onlineResizeFs.run(await linuxCtx(linuxTree({ family: 'debian12', extra: withCi() })));
    expect(f).toMatchObject({ status: 'pass', value: 'Supported' });
    expect(f.evidence).toContainEqual({ path: '/etc/cloud/cloud.cfg', line: 4, text: 'cloud_init_modules: - growpart' });
    expect(f.evidence.at(-1)).toEqual({ path: 'volume p2', text: 'root (p2, ext4) is the last partition on the disk' });
  });

  it('warns RootNotLast when swap follows root inside the extended partition (MBR)', async () => {
    const image: ImageInfo = { ...IMAGE, partitionTable: 'mbr', volumes: [vol('p1', 1 << 20, '/boot', 'ext2'), vol('p2', 64 << 20, '', '', 'extended'), vol('p5', 65 << 20, '/'), vol('p6', 300 << 20, '', 'swap')] };
    const f = onlineResizeFs.run(await linuxCtx(linuxTree({ family: 'centos7', extra: withCi() }), image));
    expect(f).toMatchObject({ status: 'warn', value: 'Unsupported', riskLevel: 'Medium', riskCode: 'OnlineResizeFS.RootNotLast' });
    expect(f.evidence.at(-1)!.text).toBe(`root (p5) is followed on the disk by p6 (swap) at byte ${300 << 20}`);
  });

  it('passes for a filesystem on the whole disk', async () => {
    const image: ImageInfo = { ...IMAGE, partitionTable: 'none', volumes: [vol('disk', 0, '/')] };
    expect(onlineResizeFs.run(await linuxCtx(linuxTree({ family: 'debian12', extra: withCi() }), image))).toMatchObject({ status: 'pass' });
  });

  it('warns NoCloudInit, GrowpartDisabled (absent or mode off), NoGrowpart, RootUnknown', async () => {
    expect(onlineResizeFs.run(await linuxCtx(linuxTree({ family: 'sles15' })))).toMatchObject({ status: 'warn', riskCode: 'OnlineResizeFS.NoCloudInit' });
    const noMod = onlineResizeFs.run(await linuxCtx(linuxTree({ family: 'sles15', extra: withCi({ '/etc/cloud/cloud.cfg': 'cloud_init_modules:\n - seed_random\n' }) })));
    expect(noMod).toMatchObject({ riskCode: 'OnlineResizeFS.GrowpartDisabled' });
    const off = onlineResizeFs.run(await linuxCtx(linuxTree({ family: 'centos7', extra: withCi({ '/etc/cloud/cloud.cfg.d/99-growpart.cfg': 'growpart:\n  mode: off\n  devices: ["/"]\n' }) })));
    expect(off).toMatchObject({ riskCode: 'OnlineResizeFS.GrowpartDisabled' });
    expect(off.evidence.at(-1)).toEqual({ path: '/etc/cloud/cloud.cfg.d/99-growpart.cfg', line: 1, text: 'growpart: mode: off' });
    const noBin = onlineResizeFs.run(await linuxCtx(linuxTree({ family: 'centos7', extra: { '/usr/bin/cloud-init': 'x', '/etc/cloud/cloud.cfg': CFG } })));
    expect(noBin).toMatchObject({ riskCode: 'OnlineResizeFS.NoGrowpart' });
    expect(noBin.solution).toBe('Install growpart: yum install -y cloud-utils-growpart');
    const noRoot = onlineResizeFs.run(await linuxCtx(linuxTree({ family: 'debian12', extra: withCi() }), { ...IMAGE, volumes: [] }));
    expect(noRoot).toMatchObject({ status: 'warn', value: 'Unknown', riskCode: 'OnlineResizeFS.RootUnknown' });
  });
});
