// SPDX-License-Identifier: Apache-2.0
// systemd-networkd (systemd.network(5)): *.network files under
// /etc/systemd/network, /run/systemd/network and /usr/lib/systemd/network
// (the same name in /etc hides the others), applied in name order, the first
// whose [Match] fits an interface wins. [Match] Name= globs; [Network] DHCP=
// yes|ipv4|true (both in old releases) and Address=, or [Address] sections.
import type { GuestView } from '../../rules/guest-view';
import { readText } from '../../rules/guest-view';
import type { LineEdit, NetConfig } from './types';
import { iniGet, parseIni } from './ini';

const NETWORKD_DIRS = ['/etc/systemd/network', '/usr/lib/systemd/network', '/lib/systemd/network'];

export function parseNetworkd(path: string, text: string): NetConfig[] {
  const f = parseIni(text);
  const names = (iniGet(f, 'Match', 'Name')?.value ?? '').split(/\s+/).filter(Boolean);
  const matchOther = f.entries.some((e) => e.section === 'Match' && e.key !== 'Name');
  const dhcp = iniGet(f, 'Network', 'DHCP');
  const isDhcp = dhcp !== undefined && ['yes', 'true', 'ipv4', 'both', 'on', '1'].includes(dhcp.value.toLowerCase());
  const addrs = f.entries.filter((e) => (e.section === 'Network' && (e.key === 'Address' || e.key === 'Gateway')) || (e.section === 'Address' && e.key === 'Address'));
  const v4 = addrs.filter((a) => a.key === 'Address' && /^\d+\.\d+\.\d+\.\d+/.test(a.value));
  const method = isDhcp ? 'dhcp' : v4.length ? 'static' : 'none';
  const toDhcp: LineEdit[] = [];
  const net = f.sections.find((s) => s.name === 'Network');
  if (dhcp) toDhcp.push({ line: dhcp.line, op: 'replace', text: 'DHCP=ipv4' });
  else if (net) toDhcp.push({ line: net.line, op: 'append', text: 'DHCP=ipv4' });
  for (const a of addrs) toDhcp.push({ line: a.line, op: 'comment' });
  const at = dhcp ?? v4[0] ?? net;
  const pats = names.length ? names : [matchOther ? '(by other properties)' : '*'];
  return pats.map((n) => ({
    source: 'networkd' as const, iface: n, pattern: /[*?[]/.test(n) || n.startsWith('('), method, address: v4[0]?.value ?? '',
    mac: iniGet(f, 'Match', 'MACAddress')?.value ?? '', path, line: at?.line ?? 1,
    text: dhcp ? dhcp.text : v4[0] ? v4[0].text : net ? '[Network] without DHCP= or Address=' : '(no [Network] section)', toDhcp,
  }));
}

export function readNetworkd(g: GuestView): NetConfig[] {
  const byName = new Map<string, string>();
  for (const d of [...NETWORKD_DIRS].reverse()) for (const e of g.list(d) ?? []) if (e.kind !== 'dir' && e.name.endsWith('.network')) byName.set(e.name, `${d}/${e.name}`);
  const out: NetConfig[] = [];
  for (const name of [...byName.keys()].sort().slice(0, 256)) {
    const t = readText(g, byName.get(name)!, 256 * 1024);
    if (t !== null) out.push(...parseNetworkd(byName.get(name)!, t));
  }
  return out;
}
