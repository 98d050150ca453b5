// SPDX-License-Identifier: Apache-2.0
// Dhcp per family, over the files each distribution's tools write
// (test/helpers/net-files.ts). The fixes run through the real sed and the
// result is read again.
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ctxOf, OS_RELEASE } from '../helpers/rule-context';
import * as F from '../helpers/net-files';
import { dhcp } from '../../src/rules/linux/dhcp';
import { parseIfcfg } from '../../src/facts/network/ifcfg';
import { parseNetplan } from '../../src/facts/network/netplan';
import { parseNmKeyfile } from '../../src/facts/network/nm-keyfile';
import { parseNetworkd } from '../../src/facts/network/networkd';
import { readInterfaces } from '../../src/facts/network/ifupdown';
import { fakeGuest, type FakeNode } from '../helpers/fake-guest';
import type { NetConfig } from '../../src/facts/network/types';

const NM = { '/usr/sbin/NetworkManager': 'elf' };
const IFUP = { '/usr/sbin/ifup': 'elf' };
const NETPLAN = { '/usr/sbin/netplan': '#!/usr/bin/python3' };
const NETWORKD = { '/etc/systemd/system/multi-user.target.wants/systemd-networkd.service': { link: '/lib/systemd/system/systemd-networkd.service' } };
const WICKED = { '/usr/sbin/wicked': 'elf' };

/** Runs the finding's command on a copy of the file and reads the copy back with `parse`. */
function applyFix(command: string, guestPath: string, text: string, parse: (path: string, text: string) => NetConfig | null): NetConfig | null {
  const dir = mkdtempSync(join(tmpdir(), 'gc-net-'));
  const p = join(dir, 'f');
  try {
    writeFileSync(p, text);
    execFileSync('sh', ['-c', command.replaceAll(guestPath, p)]);
    return parse(guestPath, readFileSync(p, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('Dhcp passes', () => {
  it.each([
    ['CentOS 7 ifcfg-eth0', { '/etc/os-release': OS_RELEASE.centos7, ...NM, '/etc/sysconfig/network-scripts/ifcfg-eth0': F.CENTOS7_IFCFG_DHCP }, '/etc/sysconfig/network-scripts/ifcfg-eth0', 2],
    ['Alibaba Cloud Linux 3 ifcfg-eth0', { '/etc/os-release': OS_RELEASE.alinux3, ...NM, '/etc/sysconfig/network-scripts/ifcfg-eth0': F.CENTOS7_IFCFG_DHCP }, '/etc/sysconfig/network-scripts/ifcfg-eth0', 2],
    ['RHEL 9 keyfile', { '/etc/os-release': OS_RELEASE.rhel9, ...NM, '/etc/NetworkManager/system-connections/ens3.nmconnection': F.RHEL9_KEYFILE_AUTO }, '/etc/NetworkManager/system-connections/ens3.nmconnection', 12],
    ['SLES 15 ifcfg', { '/etc/os-release': OS_RELEASE.sles15, ...WICKED, '/etc/sysconfig/network/ifcfg-eth0': F.SUSE_IFCFG_DHCP, '/etc/sysconfig/network/ifcfg-lo': "IPADDR='127.0.0.1/8'\nBOOTPROTO='static'\n" }, '/etc/sysconfig/network/ifcfg-eth0', 1],
    ['Debian interfaces', { '/etc/os-release': OS_RELEASE.debian12, ...IFUP, '/etc/network/interfaces': F.DEBIAN_INTERFACES_DHCP }, '/etc/network/interfaces', 12],
    ['Arch-style networkd', { ...NETWORKD, '/etc/systemd/network/20-wired.network': F.NETWORKD_DHCP }, '/etc/systemd/network/20-wired.network', 5],
  ])('%s', (_, tree, path, line) => {
    expect(dhcp.run(ctxOf(tree))).toMatchObject({ status: 'pass', value: 'Supported', riskCode: '', evidence: [{ path, line }] });
  });

  it('Ubuntu: cloud-init\'s netplan bound to a MAC passes while cloud-init runs (it rewrites the file per instance)', () => {
    const tree = { '/etc/os-release': OS_RELEASE.ubuntu2204, ...NETPLAN, '/etc/netplan/50-cloud-init.yaml': F.UBUNTU_NETPLAN_CLOUD_INIT, '/usr/bin/cloud-init': '#!/usr/bin/python3' };
    expect(dhcp.run(ctxOf(tree))).toMatchObject({ status: 'pass', evidence: [{ path: '/etc/netplan/50-cloud-init.yaml', line: 9 }, { path: '/usr/bin/cloud-init' }, {}] });
  });

  it('no configuration, but cloud-init will write one', () => {
    expect(dhcp.run(ctxOf({ '/usr/bin/cloud-init': 'x', ...IFUP }))).toMatchObject({ status: 'pass', evidence: [{ path: '/usr/bin/cloud-init' }, { path: '/etc/cloud/cloud.cfg' }] });
  });

  it('no configuration, but NetworkManager brings ethernet up with DHCP by itself', () => {
    expect(dhcp.run(ctxOf({ '/etc/os-release': OS_RELEASE.fedora39, ...NM }))).toMatchObject({ status: 'pass', evidence: [{ path: '/usr/sbin/NetworkManager' }] });
  });
});

describe('Dhcp fails on a static address, and the fix makes it DHCP', () => {
  const cases: [string, Record<string, FakeNode>, string, string, number, (p: string, t: string) => NetConfig | null][] = [
    ['CentOS 7 ifcfg-eth0', { '/etc/os-release': OS_RELEASE.centos7, ...NM }, '/etc/sysconfig/network-scripts/ifcfg-eth0', F.CENTOS7_IFCFG_STATIC, 4, (p, t) => parseIfcfg(p, t, false)],
    ['RHEL 9 keyfile', { '/etc/os-release': OS_RELEASE.rhel9, ...NM }, '/etc/NetworkManager/system-connections/ens3.nmconnection', F.RHEL9_KEYFILE_MANUAL, 13, parseNmKeyfile],
    ['SLES 15 ifcfg', { '/etc/os-release': OS_RELEASE.sles15, ...WICKED }, '/etc/sysconfig/network/ifcfg-eth0', F.SUSE_IFCFG_STATIC, 1, (p, t) => parseIfcfg(p, t, true)],
    ['Ubuntu subiquity netplan', { '/etc/os-release': OS_RELEASE.ubuntu2204, ...NETPLAN }, '/etc/netplan/00-installer-config.yaml', F.UBUNTU_NETPLAN_SUBIQUITY_STATIC, 5, (p, t) => parseNetplan(p, t).configs[0]],
    ['networkd', { ...NETWORKD }, '/etc/systemd/network/10-eth0.network', F.NETWORKD_STATIC, 5, (p, t) => parseNetworkd(p, t)[0]],
    ['Debian interfaces', { '/etc/os-release': OS_RELEASE.debian12, ...IFUP }, '/etc/network/interfaces', F.DEBIAN_INTERFACES_STATIC, 12,
      (p, t) => readInterfaces(fakeGuest({ [p]: t }))[0]],
  ];
  it.each(cases)('%s', (_, tree, path, text, line, parse) => {
    const f = dhcp.run(ctxOf({ ...tree, [path]: text }));
    expect(f).toMatchObject({ status: 'fail', value: 'Unsupported', riskLevel: 'High', riskCode: 'Dhcp.StaticIp' });
    expect(f.evidence[0]).toMatchObject({ path, line });
    expect(f.evidence[0].text).toMatch(/static address \S+/);
    const after = applyFix(f.command!, path, text, parse)!;
    expect(after.method).toBe('dhcp');
    expect(after.address).toBe('');
  });
});

describe('Dhcp fails when nothing brings the interface up at boot, and the fix starts it', () => {
  const cases: [string, Record<string, FakeNode>, string, string, number, (p: string, t: string) => NetConfig | null][] = [
    ['CentOS 7 minimal install (ONBOOT=no)', { ...NM }, '/etc/sysconfig/network-scripts/ifcfg-eth0', F.CENTOS7_IFCFG_DHCP.replace('ONBOOT="yes"', 'ONBOOT=no'), 3, (p, t) => parseIfcfg(p, t, false)],
    ['SLES STARTMODE=\'manual\'', { ...WICKED }, '/etc/sysconfig/network/ifcfg-eth0', F.SUSE_IFCFG_DHCP.replace("STARTMODE='auto'", "STARTMODE='manual'"), 2, (p, t) => parseIfcfg(p, t, true)],
    ['RHEL 9 keyfile autoconnect=false', { ...NM }, '/etc/NetworkManager/system-connections/ens3.nmconnection', F.RHEL9_KEYFILE_AUTO.replace('autoconnect-priority=-999', 'autoconnect=false'), 5, parseNmKeyfile],
    ['Debian interfaces without auto/allow-hotplug', { ...IFUP }, '/etc/network/interfaces', F.DEBIAN_INTERFACES_DHCP.replace('allow-hotplug eth0\n', ''), 11,
      (p, t) => readInterfaces(fakeGuest({ [p]: t }))[0]],
  ];
  it.each(cases)('%s', (_, tree, path, text, line, parse) => {
    const f = dhcp.run(ctxOf({ ...tree, [path]: text }));
    expect(f).toMatchObject({ status: 'fail', value: 'Unsupported', riskLevel: 'High', riskCode: 'Dhcp.NotStartedAtBoot' });
    expect(f.evidence[0]).toMatchObject({ path, line, text: expect.stringMatching(/is not brought up at boot$/) });
    const after = applyFix(f.command!, path, text, parse)!;
    expect(after.method).toBe('dhcp');
    expect(after.notAtBoot).toBeUndefined();
  });
});

describe('Dhcp other failures', () => {
  it('a static address in a file cloud-init wrote only warns while cloud-init runs: it writes the file again on ECS', () => {
    const text = F.UBUNTU_NETPLAN_CLOUD_INIT.replace('            dhcp4: true\n', '            addresses: [192.168.5.9/24]\n');
    const tree = { ...NETPLAN, '/usr/bin/cloud-init': 'x', '/etc/netplan/50-cloud-init.yaml': text };
    const f = dhcp.run(ctxOf(tree));
    expect(f).toMatchObject({ status: 'warn', riskLevel: 'Medium', riskCode: 'Dhcp.StaticIp' });
    expect(f.evidence[0]).toMatchObject({ path: '/etc/netplan/50-cloud-init.yaml', line: 9, text: expect.stringMatching(/written by cloud-init$/) });
    const off = dhcp.run(ctxOf({ ...tree, '/etc/cloud/cloud.cfg.d/99-disable-network-config.cfg': F.CLOUD_INIT_DISABLE_NETWORK }));
    expect(off).toMatchObject({ status: 'fail', riskLevel: 'High', riskCode: 'Dhcp.StaticIp' });
  });

  it('no IPv4 on the primary interface (inet manual)', () => {
    const text = 'auto lo\niface lo inet loopback\n\nauto eth0\niface eth0 inet manual\n';
    const f = dhcp.run(ctxOf({ ...IFUP, '/etc/network/interfaces': text }));
    expect(f).toMatchObject({ status: 'fail', riskLevel: 'High', riskCode: 'Dhcp.NoIpv4' });
    expect(f.evidence[0]).toMatchObject({ path: '/etc/network/interfaces', line: 5, text: 'iface eth0 inet manual  — no IPv4 address' });
    expect(applyFix(f.command!, '/etc/network/interfaces', text, (p, t) => readInterfaces(fakeGuest({ [p]: t }))[0])!.method).toBe('dhcp');
  });
  it('nothing configures the network and there is no cloud-init', () => {
    expect(dhcp.run(ctxOf({ '/etc/os-release': OS_RELEASE.debian12, ...IFUP, '/etc/network/interfaces': 'auto lo\niface lo inet loopback\n' })))
      .toMatchObject({ status: 'fail', value: 'Unsupported', riskLevel: 'High', riskCode: 'Dhcp.NoConfig' });
  });
  it('cloud-init with its network config disabled does not count', () => {
    const f = dhcp.run(ctxOf({ ...IFUP, '/usr/bin/cloud-init': 'x', '/etc/cloud/cloud.cfg.d/99-disable-network-config.cfg': F.CLOUD_INIT_DISABLE_NETWORK }));
    expect(f).toMatchObject({ status: 'fail', riskCode: 'Dhcp.NoConfig' });
    expect(f.evidence).toContainEqual({ path: '/etc/cloud/cloud.cfg.d/99-disable-network-config.cfg', line: 1, text: expect.stringMatching(/config: disabled/) });
  });
  it('DHCP only for a VMware interface name warns without cloud-init or NetworkManager', () => {
    const text = F.DEBIAN_INTERFACES_DHCP.replace(/eth0/g, 'ens33');
    const f = dhcp.run(ctxOf({ ...IFUP, '/etc/network/interfaces': text }));
    expect(f).toMatchObject({ status: 'warn', value: 'Supported', riskLevel: 'Medium', riskCode: 'Dhcp.InterfaceName' });
    expect(f.evidence[0]).toMatchObject({ path: '/etc/network/interfaces', line: 12, text: 'iface ens33 inet dhcp  — only for the interface named ens33' });
    expect(dhcp.run(ctxOf({ ...IFUP, '/etc/network/interfaces': text, '/usr/bin/cloud-init': 'x' }))).toMatchObject({ status: 'pass' });
  });
  it('a DHCP config bound to the source machine\'s MAC warns when no cloud-init rewrites it', () => {
    const text = F.CENTOS7_IFCFG_DHCP + 'HWADDR="52:54:00:12:34:56"\n';
    const f = dhcp.run(ctxOf({ ...NM, '/etc/sysconfig/network-scripts/ifcfg-eth0': text }));
    expect(f).toMatchObject({ status: 'warn', value: 'Supported', riskLevel: 'Medium', riskCode: 'Dhcp.MacAddressBound' });
    expect(f.evidence[0]).toMatchObject({ path: '/etc/sysconfig/network-scripts/ifcfg-eth0', line: 2, text: 'BOOTPROTO="dhcp"  — bound to MAC 52:54:00:12:34:56' });
  });
});
