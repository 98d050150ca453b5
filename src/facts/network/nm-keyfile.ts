// SPDX-License-Identifier: Apache-2.0
// NetworkManager keyfiles (nm-settings-keyfile(5)): *.nmconnection under
// /etc/NetworkManager/system-connections (RHEL 9, Fedora 33+, Ubuntu desktop)
// and /usr/lib/NetworkManager/system-connections; [connection]
// interface-name=, [ethernet] mac-address=, [ipv4] method=auto|manual|
// disabled|link-local|shared with address1=... for manual.
import type { GuestView } from '../../rules/guest-view';
import { readText } from '../../rules/guest-view';
import type { LineEdit, NetConfig } from './types';
import { iniGet, parseIni } from './ini';

const NM_DIRS = ['/etc/NetworkManager/system-connections', '/usr/lib/NetworkManager/system-connections'];

export function parseNmKeyfile(path: string, text: string): NetConfig | null {
  const f = parseIni(text);
  const type = iniGet(f, 'connection', 'type')?.value ?? '';
  if (type && !['ethernet', '802-3-ethernet', 'bond', 'bridge', 'vlan', 'team'].includes(type)) return null;
  const ifname = iniGet(f, 'connection', 'interface-name')?.value ?? '';
  const mac = iniGet(f, 'ethernet', 'mac-address')?.value ?? iniGet(f, '802-3-ethernet', 'mac-address')?.value ?? '';
  const m = iniGet(f, 'ipv4', 'method');
  // with no method, NetworkManager uses auto
  const method = !m || m.value === 'auto' ? 'dhcp' : m.value === 'manual' ? 'static' : 'none';
  const addrs = f.entries.filter((e) => e.section === 'ipv4' && /^(address\d*|addresses\d*|gateway|routes?\d*)$/.test(e.key));
  const toDhcp: LineEdit[] = [];
  const ipv4 = f.sections.find((s) => s.name === 'ipv4');
  if (m) toDhcp.push({ line: m.line, op: 'replace', text: 'method=auto' });
  else if (ipv4) toDhcp.push({ line: ipv4.line, op: 'append', text: 'method=auto' });
  for (const a of addrs) toDhcp.push({ line: a.line, op: 'comment' });
  const at = m ?? ipv4;
  const auto = iniGet(f, 'connection', 'autoconnect');
  const off = auto !== undefined && /^(false|no|0)$/i.test(auto.value);
  return {
    ...(off ? { notAtBoot: { line: auto!.line, text: auto!.text, fix: [{ line: auto!.line, op: 'replace' as const, text: 'autoconnect=true' }] } } : {}),
    source: 'networkmanager', iface: ifname || '*', pattern: ifname === '', method,
    address: addrs.find((a) => a.key.startsWith('address'))?.value ?? '', mac,
    path, line: at?.line ?? 1, text: m ? m.text : ipv4 ? '[ipv4] without method: auto' : '(no [ipv4] section: method auto)', toDhcp,
  };
}

export function readNmKeyfiles(g: GuestView): NetConfig[] {
  const out: NetConfig[] = [];
  const seen = new Set<string>();
  for (const d of NM_DIRS) {
    for (const e of (g.list(d) ?? []).filter((x) => x.kind !== 'dir' && x.name.endsWith('.nmconnection')).sort((a, b) => (a.name < b.name ? -1 : 1)).slice(0, 256)) {
      if (seen.has(e.name)) continue; // /etc hides the same name in /usr/lib
      seen.add(e.name);
      const t = readText(g, `${d}/${e.name}`, 256 * 1024);
      const c = t === null ? null : parseNmKeyfile(`${d}/${e.name}`, t);
      if (c) out.push(c);
    }
  }
  return out;
}
