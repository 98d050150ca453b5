// SPDX-License-Identifier: Apache-2.0
// The guest's IPv4 configuration for its primary interface, from whichever
// network stacks it has installed: ifcfg (RHEL, SUSE), ifupdown, netplan,
// NetworkManager keyfiles, systemd-networkd, wicked XML. A stack whose
// program is absent does not configure anything, so its files are set aside
// (unless no stack's program is found at all, as in a cut-down tree).
import type { GuestView } from '../../rules/guest-view';
import type { Evidence } from '../../report/types';
import type { NetConfig, NetSource } from './types';
import { globMatch } from './types';
import { readIfcfgs } from './ifcfg';
import { readInterfaces } from './ifupdown';
import { readNetplan } from './netplan';
import { readNmKeyfiles } from './nm-keyfile';
import { readNetworkd } from './networkd';
import { readWicked } from './wicked';
import { said } from '../../report/message';

const PROGRAMS: Record<NetSource, string[]> = {
  ifcfg: ['/usr/sbin/NetworkManager', '/etc/sysconfig/network-scripts/ifup-eth', '/usr/sbin/wicked', '/sbin/wicked', '/usr/sbin/ifup', '/sbin/ifup'],
  ifupdown: ['/usr/sbin/ifup', '/sbin/ifup'],
  netplan: ['/usr/sbin/netplan', '/usr/lib/netplan/generate', '/lib/netplan/generate', '/usr/libexec/netplan/generate'],
  networkmanager: ['/usr/sbin/NetworkManager'],
  // systemd ships networkd everywhere; it configures only where it is enabled
  networkd: ['/etc/systemd/system/multi-user.target.wants/systemd-networkd.service', '/etc/systemd/system/sockets.target.wants/systemd-networkd.socket'],
  wicked: ['/usr/sbin/wicked', '/sbin/wicked'],
};

export interface NetworkFacts {
  configs: NetConfig[];
  /** configurations of stacks whose program is absent */
  inactive: NetConfig[];
  primary: NetConfig | null;
  /** NetworkManager is installed: it gives an unconfigured ethernet DHCP by itself */
  networkManager: boolean;
  notes: Evidence[];
}

/** Orders interface names the way ECS's first NIC is likely named: eth0, then predictable names (ens5, enp0s5, eno1), then the rest. */
function rank(c: NetConfig): number {
  if (c.iface === 'eth0') return 0;
  if (/^en(s|p|o|X)\w+$/.test(c.iface)) return 1;
  if (/^eth\d+$/.test(c.iface)) return 2;
  if (c.pattern && (globMatch(c.iface, 'eth0') || globMatch(c.iface, 'ens5'))) return 3;
  if (/^(bond|br|team)\d*/.test(c.iface)) return 4;
  return 5;
}

export function networkFacts(g: GuestView): NetworkFacts {
  const notes: Evidence[] = [];
  const np = readNetplan(g);
  for (const e of np.errors) notes.push(said(e.path, 'ev.net.notRead', { detail: e.message }));
  const all: NetConfig[] = [...readIfcfgs(g), ...readInterfaces(g), ...np.configs, ...readNmKeyfiles(g), ...readNetworkd(g), ...readWicked(g)];
  const has = (s: NetSource) => PROGRAMS[s].some((p) => g.stat(p, false) !== null);
  const anyProgram = (Object.keys(PROGRAMS) as NetSource[]).some(has);
  const live = (c: NetConfig) => !anyProgram || has(c.source);
  const configs = all.filter(live);
  const inactive = all.filter((c) => !live(c));
  for (const c of inactive) notes.push(said(c.path, 'ev.net.inactive', { source: c.source }, c.line));
  const sorted = [...configs].sort((a, b) => rank(a) - rank(b) || Number(a.method === 'none') - Number(b.method === 'none'));
  let primary = sorted[0] ?? null;
  // an interface without IPv4 is usually enslaved to the bond or bridge that carries the address
  if (primary && primary.method === 'none') primary = sorted.find((c) => c.method !== 'none' && rank(c) === 4) ?? primary;
  return { configs, inactive, primary, networkManager: has('networkmanager'), notes };
}
