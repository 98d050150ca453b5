// SPDX-License-Identifier: Apache-2.0
// The network configuration readers, one per stack, and the YAML subset netplan needs.
import { describe, it, expect } from 'vitest';
import { fakeGuest } from '../helpers/fake-guest';
import * as F from '../helpers/net-files';
import { parseYaml, yget, ybool, YamlError } from '../../src/facts/network/yaml';
import { parseIfcfg } from '../../src/facts/network/ifcfg';
import { readInterfaces } from '../../src/facts/network/ifupdown';
import { parseNetplan } from '../../src/facts/network/netplan';
import { parseNmKeyfile } from '../../src/facts/network/nm-keyfile';
import { parseNetworkd, readNetworkd } from '../../src/facts/network/networkd';
import { parseWickedXml } from '../../src/facts/network/wicked';
import { cloudInitNetwork } from '../../src/facts/network/cloud-init-net';
import { networkFacts } from '../../src/facts/network/network';

describe('YAML subset', () => {
  it('reads block maps and sequences with their lines', () => {
    const y = parseYaml(F.UBUNTU_NETPLAN_SUBIQUITY_STATIC)!;
    const ens = yget(y, 'network', 'ethernets', 'ens33')!;
    expect(ens.t).toBe('map');
    const addrs = yget(ens, 'addresses')!;
    expect(addrs).toMatchObject({ t: 'seq', line: 6, end: 6, items: [{ t: 'str', v: '192.168.1.50/24' }] });
    expect(yget(ens, 'routes')).toMatchObject({ t: 'seq', line: 12, end: 13, items: [{ t: 'map' }] });
    expect(yget(yget(ens, 'routes')!.t === 'seq' ? (yget(ens, 'routes') as any).items[0] : undefined, 'via')).toMatchObject({ v: '192.168.1.1', line: 13 });
    expect(yget(ens, 'nameservers', 'search')).toMatchObject({ t: 'seq', items: [] });
    expect(yget(y, 'network', 'version')).toMatchObject({ t: 'str', v: '2' });
  });
  it('reads flow collections, also across lines, quotes and comments', () => {
    const y = parseYaml('network: {config: disabled}\nx: [a, "b, c", \'d\'] # note\ny: [1,\n  2]\nz: "#not a comment"\n')!;
    expect(yget(y, 'network', 'config')).toMatchObject({ v: 'disabled' });
    expect(yget(y, 'x')).toMatchObject({ items: [{ v: 'a' }, { v: 'b, c', quoted: true }, { v: 'd' }] });
    expect(yget(y, 'y')).toMatchObject({ line: 3, end: 4, items: [{ v: '1' }, { v: '2' }] });
    expect(yget(y, 'z')).toMatchObject({ v: '#not a comment' });
  });
  it('takes YAML 1.1 booleans as netplan does', () => {
    expect(['true', 'yes', 'on', 'false', 'no', 'maybe'].map((v) => ybool({ t: 'str', line: 1, end: 1, v, quoted: false }))).toEqual([true, true, true, false, false, null]);
  });
  it('names the line of bad input', () => {
    expect(() => parseYaml('network:\n  a: 1\n    b: 2\n')).toThrow(new YamlError('line 3: unexpected indentation'));
    expect(() => parseYaml('x: [1, 2\n')).toThrow(/unclosed \[/);
    expect(() => parseYaml(Array.from({ length: 100 }, (_, i) => `${' '.repeat(i)}k:`).join('\n'))).toThrow(/nested deeper than 64/);
  });
});

describe('ifcfg', () => {
  it('CentOS 7: BOOTPROTO="dhcp"', () => {
    expect(parseIfcfg('/etc/sysconfig/network-scripts/ifcfg-eth0', F.CENTOS7_IFCFG_DHCP, false)).toMatchObject({ iface: 'eth0', method: 'dhcp', line: 2, text: 'BOOTPROTO="dhcp"' });
  });
  it('CentOS 7: BOOTPROTO=none with IPADDR is static; the edits switch it and comment the addresses', () => {
    const c = parseIfcfg('/etc/sysconfig/network-scripts/ifcfg-eth0', F.CENTOS7_IFCFG_STATIC, false)!;
    expect(c).toMatchObject({ iface: 'eth0', method: 'static', address: '192.168.1.10', line: 4 });
    expect(c.toDhcp).toEqual([{ line: 4, op: 'replace', text: 'BOOTPROTO=dhcp' }, { line: 16, op: 'comment' }, { line: 17, op: 'comment' }, { line: 18, op: 'comment' }]);
  });
  it('SUSE: BOOTPROTO=\'dhcp\' and \'static\' with IPADDR', () => {
    expect(parseIfcfg('/etc/sysconfig/network/ifcfg-eth0', F.SUSE_IFCFG_DHCP, true)).toMatchObject({ iface: 'eth0', method: 'dhcp', line: 1 });
    expect(parseIfcfg('/etc/sysconfig/network/ifcfg-eth0', F.SUSE_IFCFG_STATIC, true)).toMatchObject({ method: 'static', address: '192.168.1.10/24', toDhcp: [{ line: 1, op: 'replace', text: "BOOTPROTO='dhcp'" }, { line: 4, op: 'comment' }] });
    expect(parseIfcfg('/etc/sysconfig/network/ifcfg-eth0', "BOOTPROTO='dhcp6'\n", true)).toMatchObject({ method: 'none' });
  });
});

describe('ifupdown', () => {
  it('follows source globs and reads the stanza\'s address lines', () => {
    const g = fakeGuest({ '/etc/network/interfaces': F.DEBIAN_INTERFACES_STATIC.replace('allow-hotplug ens3\niface ens3 inet static', 'allow-hotplug ens3\niface ens3 inet static'), '/etc/network/interfaces.d/eth1': 'auto eth1\niface eth1 inet dhcp\n', '/etc/network/interfaces.d/skip~': 'iface eth9 inet dhcp\n' });
    const cs = readInterfaces(g);
    expect(cs.map((c) => [c.iface, c.method, c.path, c.line])).toEqual([
      ['eth1', 'dhcp', '/etc/network/interfaces.d/eth1', 2], ['eth9', 'dhcp', '/etc/network/interfaces.d/skip~', 1], ['ens3', 'static', '/etc/network/interfaces', 12],
    ]);
    expect(cs[2].address).toBe('192.168.1.20/24');
    expect(cs[2].toDhcp).toEqual([{ line: 12, op: 'replace', text: 'iface ens3 inet dhcp' }, { line: 13, op: 'comment' }, { line: 14, op: 'comment' }]);
  });
  it('source-directory takes run-parts names only, and a source loop ends', () => {
    const g = fakeGuest({ '/etc/network/interfaces': 'source-directory interfaces.d\nsource /etc/network/interfaces\n', '/etc/network/interfaces.d/a.cfg': 'iface x inet dhcp\n', '/etc/network/interfaces.d/b': 'iface eth0 inet dhcp\n' });
    expect(readInterfaces(g).map((c) => c.iface)).toEqual(['eth0']);
  });
});

describe('netplan', () => {
  it('cloud-init\'s 50-cloud-init.yaml: eth0 by DHCP, bound to a MAC', () => {
    expect(parseNetplan('/etc/netplan/50-cloud-init.yaml', F.UBUNTU_NETPLAN_CLOUD_INIT).configs).toEqual([expect.objectContaining({ iface: 'eth0', method: 'dhcp', mac: '00:16:3e:12:34:56', line: 9, text: '            dhcp4: true' })]);
  });
  it('subiquity\'s static ens33, and the edits that make it DHCP', () => {
    const [c] = parseNetplan('/etc/netplan/00-installer-config.yaml', F.UBUNTU_NETPLAN_SUBIQUITY_STATIC).configs;
    expect(c).toMatchObject({ iface: 'ens33', method: 'static', address: '192.168.1.50/24', line: 5 });
    expect(c.toDhcp).toEqual([{ line: 4, op: 'append', text: '      dhcp4: true' }, { line: 5, op: 'comment' }, { line: 6, op: 'comment' }, { line: 11, op: 'comment' }, { line: 12, op: 'comment' }, { line: 13, op: 'comment' }]);
  });
});

describe('NetworkManager keyfiles', () => {
  it('RHEL 9: method=auto and method=manual', () => {
    expect(parseNmKeyfile('/etc/NetworkManager/system-connections/ens3.nmconnection', F.RHEL9_KEYFILE_AUTO)).toMatchObject({ iface: 'ens3', method: 'dhcp', line: 12, text: 'method=auto' });
    const m = parseNmKeyfile('/etc/NetworkManager/system-connections/ens3.nmconnection', F.RHEL9_KEYFILE_MANUAL)!;
    expect(m).toMatchObject({ iface: 'ens3', method: 'static', address: '192.168.122.50/24,192.168.122.1', line: 13 });
    expect(m.toDhcp).toEqual([{ line: 13, op: 'replace', text: 'method=auto' }, { line: 11, op: 'comment' }]);
  });
  it('ignores wifi and vpn connections', () => {
    expect(parseNmKeyfile('x', '[connection]\ntype=wifi\n[ipv4]\nmethod=auto\n')).toBeNull();
  });
});

describe('systemd-networkd', () => {
  it('DHCP=yes on en*, Address= on eth0; /etc hides the same name in /usr/lib', () => {
    expect(parseNetworkd('/etc/systemd/network/20-wired.network', F.NETWORKD_DHCP)).toEqual([expect.objectContaining({ iface: 'en*', pattern: true, method: 'dhcp', line: 5 })]);
    expect(parseNetworkd('/etc/systemd/network/10-eth0.network', F.NETWORKD_STATIC)).toEqual([expect.objectContaining({ iface: 'eth0', method: 'static', address: '10.1.10.9/24', line: 5 })]);
    const g = fakeGuest({ '/etc/systemd/network/20-wired.network': F.NETWORKD_STATIC, '/usr/lib/systemd/network/20-wired.network': F.NETWORKD_DHCP });
    expect(readNetworkd(g).map((c) => [c.path, c.method])).toEqual([['/etc/systemd/network/20-wired.network', 'static']]);
  });
});

describe('wicked XML', () => {
  it('reads ipv4:dhcp and ipv4:static', () => {
    const xml = '<interface>\n  <name>eth0</name>\n  <ipv4:dhcp>\n    <enabled>true</enabled>\n  </ipv4:dhcp>\n</interface>\n<interface>\n  <name>eth1</name>\n  <ipv4:static>\n    <address>\n      <local>10.0.0.5/24</local>\n    </address>\n  </ipv4:static>\n</interface>\n';
    expect(parseWickedXml('/etc/wicked/ifconfig/a.xml', xml).map((c) => [c.iface, c.method, c.line, c.address])).toEqual([['eth0', 'dhcp', 3, ''], ['eth1', 'static', 9, '10.0.0.5/24']]);
  });
});

describe('cloud-init network', () => {
  it('absent, active, disabled by cloud.cfg.d, disabled by the marker file', () => {
    expect(cloudInitNetwork(fakeGuest({}), '')).toMatchObject({ installed: false, active: false });
    expect(cloudInitNetwork(fakeGuest({ '/usr/bin/cloud-init': '#!/usr/bin/python3\n', '/etc/cloud/cloud.cfg': 'users:\n  - default\n' }), '')).toMatchObject({ installed: true, active: true });
    expect(cloudInitNetwork(fakeGuest({ '/usr/bin/cloud-init': 'x', '/etc/cloud/cloud.cfg.d/99-disable-network-config.cfg': F.CLOUD_INIT_DISABLE_NETWORK }), ''))
      .toMatchObject({ active: false, evidence: [{}, { path: '/etc/cloud/cloud.cfg.d/99-disable-network-config.cfg', line: 1 }] });
    expect(cloudInitNetwork(fakeGuest({ '/usr/bin/cloud-init': 'x', '/etc/cloud/cloud-init.disabled': '' }), '')).toMatchObject({ active: false });
    expect(cloudInitNetwork(fakeGuest({ '/usr/bin/cloud-init': 'x' }), 'ro cloud-init=disabled')).toMatchObject({ active: false });
  });
});

describe('primary interface', () => {
  it('prefers eth0, then predictable names; sets aside stacks that are not installed', () => {
    const g = fakeGuest({
      '/usr/sbin/ifup': 'x',
      '/etc/network/interfaces': 'iface eth1 inet static\n address 10.0.0.2/24\niface eth0 inet dhcp\n',
      '/etc/NetworkManager/system-connections/ens3.nmconnection': F.RHEL9_KEYFILE_MANUAL,
    });
    const n = networkFacts(g);
    expect(n.primary).toMatchObject({ iface: 'eth0', method: 'dhcp' });
    expect(n.inactive.map((c) => c.source)).toEqual(['networkmanager']);
  });
  it('takes the bond that carries the address when eth0 is enslaved', () => {
    const g = fakeGuest({ '/usr/sbin/ifup': 'x', '/etc/network/interfaces': 'iface eth0 inet manual\n bond-master bond0\niface bond0 inet dhcp\n bond-slaves eth0\n' });
    expect(networkFacts(g).primary).toMatchObject({ iface: 'bond0', method: 'dhcp' });
  });
});
