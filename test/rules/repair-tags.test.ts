// SPDX-License-Identifier: Apache-2.0
// The repair script and repairItems, and the tags of a passing image.
import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { finding } from '../../src/rules/rule';
import { buildRepair } from '../../src/report/repair';
import { passes, tagsFor } from '../../src/report/tags';
import { detectOs } from '../../src/facts/os-release';
import { fakeGuest } from '../helpers/fake-guest';
import { OS_RELEASE } from '../helpers/rule-context';
import type { Finding } from '../../src/report/types';

const os = (k: keyof typeof OS_RELEASE) => detectOs(fakeGuest({ '/etc/os-release': OS_RELEASE[k] }));
const base: Finding[] = [
  finding('OSVersion', 'pass', 'CentOS 7', []),
  finding('KernelVersion', 'pass', '3.10.0-1160.el7.x86_64', []),
];

describe('repair', () => {
  it('nothing at risk: no script, no items', () => {
    expect(buildRepair(base, os('centos7'), ['a.img'])).toEqual({ script: '', repairItems: [] });
  });

  it('maps failing items to ACS-ECS-RepairImage names in the template\'s order, including the other items by name', () => {
    const fs: Finding[] = [
      ...base,
      finding('Virtio', 'fail', 'Unsupported', [], { riskLevel: 'High', riskCode: 'Virtio.NotInInitramfs' }),
      finding('Fstab', 'fail', 'Unsupported', [{ path: '/etc/fstab', line: 3, text: '/dev/sda1 /boot xfs defaults 0 0' }], { riskLevel: 'High', riskCode: 'Fstab.DeviceName', command: "sed -i '3c\\UUID=x /boot xfs defaults 0 0' /etc/fstab" }),
      finding('Selinux', 'warn', 'Enforcing', [], { riskLevel: 'Medium', riskCode: 'Selinux.Enforcing', command: "sed -i 's/^SELINUX=.*/SELINUX=disabled/' /etc/selinux/config" }),
      finding('CloudInit', 'fail', 'Unsupported', [], { riskLevel: 'Medium', riskCode: 'CloudInit.NotInstalled' }),
      finding('CloudAssistant', 'fail', 'Unsupported', [], { riskLevel: 'Medium', riskCode: 'CloudAssistant.NotInstalled' }),
      finding('SecurityCenterAgent', 'warn', 'Unsupported', [], { riskLevel: 'Medium', riskCode: 'SecurityCenterAgent.NotInstalled' }),
      finding('OnlineResizeFS', 'fail', 'Unsupported', [], { riskLevel: 'Medium', riskCode: 'OnlineResizeFS.NoGrowpart' }),
      finding('Nvme', 'fail', 'Unsupported', [], { riskLevel: 'High', riskCode: 'Nvme.NotInInitramfs' }),
      finding('Dhcp', 'pass', 'Supported', []),
      finding('RtcTimeMode', 'info', 'UTC', []),
    ];
    const r = buildRepair(fs, os('centos7'), ['c7.qcow2']);
    expect(r.repairItems).toEqual(['assist', 'aegis', 'growpart', 'virtio', 'selinux', 'fstab', 'nvme', 'cloudinit']);
    const s = r.script;
    expect(s.split('\n').slice(0, 2)).toEqual(['#!/bin/sh', '# guestcheck repair script for c7.qcow2: CentOS Linux 7 (Core) (rhel family)']);
    expect(s).toContain('# --- Fstab: Unsupported [High: Fstab.DeviceName]\n# evidence: /etc/fstab:3 /dev/sda1 /boot xfs defaults 0 0\n');
    // items of the other branch without a command get the family's usual fix
    expect(s).toContain('dracut -f --add-drivers "virtio_blk virtio_net virtio_pci virtio_scsi" /boot/initramfs-3.10.0-1160.el7.x86_64.img 3.10.0-1160.el7.x86_64');
    expect(s).toContain('dracut -f --add-drivers "nvme nvme_core" /boot/initramfs-3.10.0-1160.el7.x86_64.img 3.10.0-1160.el7.x86_64');
    expect(s).toContain('yum install -y cloud-init');
    expect(s).toContain('yum install -y cloud-utils-growpart');
    expect(s).toMatch(/# --- CloudAssistant[^\n]*\n(#[^\n]*\n)*# no automatic fix/);
    expect(s).not.toContain('Dhcp');
    // the script is valid shell
    expect(spawnSync('sh', ['-n'], { input: s }).status).toBe(0);
  });

  it('uses the family\'s tools: Debian and SUSE', () => {
    const fs = [finding('KernelVersion', 'pass', '6.1.0-27-cloud-amd64', []), finding('CloudInit', 'fail', 'x', [], { riskCode: 'CloudInit.NotInstalled' }), finding('OnlineResizeFS', 'fail', 'x', [], { riskCode: 'OnlineResizeFS.NoGrowpart' })];
    expect(buildRepair(fs, os('debian12'), []).script).toContain('apt-get install -y cloud-guest-utils');
    expect(buildRepair(fs, os('sles15'), []).script).toContain('zypper --non-interactive install cloud-init');
  });

  it('does not run the same command twice', () => {
    const fs = [finding('Selinux', 'warn', 'x', [], { riskCode: 'Selinux.Enforcing', command: 'update-grub' }), finding('Grub', 'fail', 'x', [], { riskCode: 'Grub.DeviceName', command: 'update-grub' })];
    expect(buildRepair(fs, os('debian12'), []).script).toContain('# (already done above) update-grub');
  });

  it('a generated script survives sh -n with quotes in commands', () => {
    const fs = [finding('Fstab', 'fail', 'x', [], { riskCode: 'Fstab.DeviceName', command: "sed -i '1c\\LABEL=it'\\''s / ext4 defaults 0 1' /etc/fstab" })];
    execFileSync('sh', ['-n'], { input: buildRepair(fs, os('debian12'), []).script });
  });
});

describe('tags', () => {
  it('a passing image is tagged with its OS and kernel', () => {
    expect(tagsFor(base)).toEqual([{ TagKey: 'acs:ecs:image:osVersion', TagValue: 'CentOS 7' }, { TagKey: 'acs:ecs:image:kernelVersion', TagValue: '3.10.0-1160.el7.x86_64' }]);
  });
  it('a Medium risk does not keep the tags away; a High failure does', () => {
    expect(passes([...base, finding('RtcTimeMode', 'warn', 'local', [], { riskLevel: 'Medium', riskCode: 'RtcTimeMode.Local' })])).toBe(true);
    expect(passes([...base, finding('Fstab', 'fail', 'Unsupported', [], { riskLevel: 'High', riskCode: 'Fstab.UuidNotFound' })])).toBe(false);
    expect(tagsFor([...base, finding('Grub', 'fail', 'Unsupported', [], { riskLevel: 'High', riskCode: 'Grub.InitrdMissing' })])).toEqual([]);
  });
  it('an unknown OS is not tagged', () => {
    expect(passes([finding('OSVersion', 'fail', 'Unknown', [], { riskLevel: 'Medium', riskCode: 'OSVersion.Unknown' })])).toBe(false);
    expect(passes([])).toBe(false);
  });
});

describe('markdown', () => {
  it('lists every item, details the ones at risk with evidence, fix and command, and ends with the repair', async () => {
    const { formatMarkdown } = await import('../../src/report/markdown');
    const fs = [...base, finding('Fstab', 'fail', 'Unsupported', [{ path: '/etc/fstab', line: 3, text: '/dev/sda1 /boot xfs defaults 0 0' }], { riskLevel: 'High', riskCode: 'Fstab.DeviceName', solution: 'Use the UUID.', command: "sed -i '3c\\UUID=x /boot xfs defaults 0 0' /etc/fstab" })];
    const md = formatMarkdown({
      tool: { name: 'guestcheck', version: '0' }, platform: 'Linux', findings: fs, Tags: [], DetectionOptions: { Status: 'Finished', Items: { Item: [] } },
      image: { files: ['a|b.img'], format: 'raw', virtualSize: 1, partitionTable: 'mbr', notes: [], volumes: [] },
      stats: { bytesRead: 1, readCalls: 1, elapsedMs: 1, peakWasmBytes: 1 }, repair: buildRepair(fs, os('centos7'), ['a.img']),
    });
    expect(md).toContain('| Fstab | fail | Unsupported | High: Fstab.DeviceName |');
    expect(md).toContain('## Fstab: fail (Fstab.DeviceName)\n\n- `/etc/fstab:3` /dev/sda1 /boot xfs defaults 0 0\n\nUse the UUID.\n\n```sh\nsed -i');
    expect(md).toContain('ACS-ECS-RepairImage repairItems: `fstab`');
    expect(md.indexOf('## Repair')).toBeGreaterThan(md.indexOf('## Fstab'));
    expect(md).not.toContain('## OSVersion');
  });
});
