// SPDX-License-Identifier: Apache-2.0
// The first Linux check items over small in-memory guest trees.
import { describe, it, expect } from 'vitest';
import { fakeGuest } from '../helpers/fake-guest';
import { detectOs } from '../../src/facts/os-release';
import { readElfHeader } from '../../src/facts/elf';
import { runRules } from '../../src/rules/run-rules';
import type { RuleContext } from '../../src/rules/rule';
import type { ImageInfo } from '../../src/report/types';
import { detectionOptions, imageTags } from '../../src/report/detection-options';

// The first 20 bytes of an ELF header: magic, class, data, version, e_type, e_machine.
function elf(cls: 1 | 2, machine: number): Uint8Array {
  const b = new Uint8Array(64);
  b.set([0x7f, 0x45, 0x4c, 0x46, cls, 1, 1]);
  b[16] = 2; b[18] = machine & 0xff; b[19] = machine >> 8;
  return b;
}

const DEBIAN_OS_RELEASE = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
`;

const image: ImageInfo = {
  files: ['x.img'], format: 'raw', virtualSize: 1 << 30, partitionTable: 'gpt', notes: [],
  volumes: [{ id: 'p1', start: 1 << 20, size: 1 << 29, type: '', typeName: '', fs: 'ext4', uuid: 'u', label: '', partuuid: '', partlabel: '', mountedAt: '/' }],
};

function ctx(tree: Parameters<typeof fakeGuest>[0]): RuleContext {
  const guest = fakeGuest(tree);
  return { image, platform: 'Linux', guest, rootReason: 'volume p1 holds /etc', os: detectOs(guest) };
}

describe('os-release', () => {
  it('prefers the more precise Debian version from /etc/debian_version', () => {
    const g = fakeGuest({ '/usr/lib/os-release': DEBIAN_OS_RELEASE, '/etc/os-release': { link: '../usr/lib/os-release' }, '/etc/debian_version': '12.8\n' });
    const os = detectOs(g)!;
    expect(os).toMatchObject({ id: 'debian', name: 'Debian', version: '12.8', unsupported: false });
    expect(os.evidence.map((e) => e.path)).toEqual(['/etc/os-release', '/etc/os-release', '/etc/debian_version']);
  });

  it('falls back to /etc/redhat-release on CentOS 6', () => {
    const os = detectOs(fakeGuest({ '/etc/redhat-release': 'CentOS release 6.10 (Final)\n' }))!;
    expect(os).toMatchObject({ id: 'centos', name: 'CentOS', version: '6.10' });
  });

  it('names Alpine as not supported by the cloud', () => {
    const os = detectOs(fakeGuest({ '/etc/os-release': 'ID=alpine\nVERSION_ID=3.19.1\n' }))!;
    expect(os.unsupported).toBe(true);
    const f = runRules({ image, platform: 'Linux', guest: fakeGuest({}), rootReason: '', os }).find((x) => x.name === 'OSVersion')!;
    expect(f).toMatchObject({ status: 'warn', value: 'Alpine Linux 3.19.1', riskCode: 'OSVersion.NotSupported' });
  });
});

describe('ELF header', () => {
  it('reads x86_64, i386 and arm64', () => {
    expect(readElfHeader(elf(2, 62))?.arch).toBe('x86_64');
    expect(readElfHeader(elf(1, 3))?.arch).toBe('i386');
    expect(readElfHeader(elf(2, 183))?.arch).toBe('arm64');
    expect(readElfHeader(new TextEncoder().encode('#!/bin/sh\n'))).toBeNull();
  });
});

describe('first Linux items', () => {
  const tree = {
    '/usr/lib/os-release': DEBIAN_OS_RELEASE,
    '/etc/os-release': { link: '../usr/lib/os-release' },
    '/etc/debian_version': '12.8\n',
    '/bin': { link: 'usr/bin' },
    '/usr/bin/dash': elf(2, 62),
    '/usr/bin/sh': { link: 'dash' },
    '/boot/vmlinuz-6.1.0-27-cloud-amd64': 'k',
    '/boot/vmlinuz-6.1.0-9-cloud-amd64': 'k',
    '/boot/vmlinuz-6.10.0-1-cloud-amd64': 'k', // no modules: not the one
    '/lib': { link: 'usr/lib' },
    '/usr/lib/modules/6.1.0-27-cloud-amd64/modules.dep': '',
    '/usr/lib/modules/6.1.0-9-cloud-amd64/modules.dep': '',
  } as const;

  it('reports Debian 12.8 x86_64 with the newest kernel that has modules', () => {
    const f = runRules(ctx(tree as any));
    const byName = Object.fromEntries(f.map((x) => [x.name, x]));
    expect(byName.Platform.value).toBe('Linux');
    expect(byName.OSVersion.value).toBe('Debian 12.8');
    expect(byName.Architecture).toMatchObject({ status: 'pass', value: 'x86_64' });
    expect(byName.Architecture.evidence[0].text).toMatch(/resolved to \/usr\/bin\/dash/);
    expect(byName.KernelVersion).toMatchObject({ status: 'pass', value: '6.1.0-27-cloud-amd64' });
    expect(byName.KernelVersion.evidence[0].text).toMatch(/no GRUB 2 configuration found/);
    expect(byName.SystemImage).toMatchObject({ status: 'pass', value: 'Supported' });
    const tags = imageTags(f);
    expect(tags).toEqual([
      { TagKey: 'acs:ecs:image:osVersion', TagValue: 'Debian 12.8' },
      { TagKey: 'acs:ecs:image:kernelVersion', TagValue: '6.1.0-27-cloud-amd64' },
    ]);
    const items = detectionOptions(f).Items.Item;
    expect(items.find((i) => i.Name === 'OSVersion')).toEqual({ Name: 'OSVersion', Value: 'Debian 12.8', RiskCode: '', RiskLevel: '' });
  });

  it('fails KernelVersion with High risk when /boot holds no kernel', () => {
    const f = runRules(ctx({ '/etc/os-release': DEBIAN_OS_RELEASE, '/bin/sh': elf(2, 62) }));
    expect(f.find((x) => x.name === 'KernelVersion')).toMatchObject({ status: 'fail', riskLevel: 'High', riskCode: 'KernelVersion.NotFound' });
  });

  it('runs only Platform and SystemImage when no root was found', () => {
    const f = runRules({ image: { ...image, volumes: [] , partitionTable: 'none' }, platform: null, guest: null, rootReason: 'no volume holds a Linux root', os: null });
    expect(f.map((x) => x.name)).toEqual(['Platform', 'SystemImage']);
    expect(f[1]).toMatchObject({ status: 'fail', value: 'Empty' });
  });
});
