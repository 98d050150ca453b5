// SPDX-License-Identifier: Apache-2.0
// netplan (Ubuntu 18.04+): every *.yaml under /lib/netplan, /etc/netplan and
// /run/netplan, a file in a later directory hiding the same name in an
// earlier one, read in name order with later definitions of an interface
// overriding earlier ones. network: ethernets/bonds/bridges/vlans: <id>:
// dhcp4, addresses, match: {name, macaddress}, set-name.
import type { GuestView } from '../../rules/guest-view';
import { readText } from '../../rules/guest-view';
import type { LineEdit, NetConfig } from './types';
import { parseYaml, ybool, yget, YamlError, type YNode } from './yaml';

const NETPLAN_DIRS = ['/lib/netplan', '/usr/lib/netplan', '/etc/netplan'];
const KINDS = ['ethernets', 'bonds', 'bridges', 'vlans', 'wifis'];

export interface NetplanResult { configs: NetConfig[]; renderer: string; errors: { path: string; message: string }[] }

function indentOf(lines: string[], n: number): string {
  const l = lines[n - 1] ?? '';
  return l.substring(0, l.length - l.trimStart().length);
}

export function parseNetplan(path: string, text: string): { configs: NetConfig[]; renderer: string } {
  const root = parseYaml(text);
  const lines = text.split('\n');
  const out: NetConfig[] = [];
  const renderer = (yget(root, 'network', 'renderer') as { v?: string } | undefined)?.v ?? '';
  for (const kind of KINDS) {
    const group = yget(root, 'network', kind);
    if (!group || group.t !== 'map') continue;
    for (const [id, { keyLine, v }] of group.map) {
      if (v.t !== 'map') continue;
      const dhcp = ybool(yget(v, 'dhcp4'));
      const addrs = yget(v, 'addresses');
      const list = addrs?.t === 'seq' ? addrs.items.filter((x): x is Extract<YNode, { t: 'str' }> => x.t === 'str').map((x) => x.v) : addrs?.t === 'str' && addrs.v ? [addrs.v] : [];
      const name = yget(v, 'match', 'name');
      const setName = yget(v, 'set-name');
      const mac = yget(v, 'match', 'macaddress');
      const iface = setName?.t === 'str' ? setName.v : name?.t === 'str' ? name.v : id;
      const method = dhcp === true ? 'dhcp' : list.length ? 'static' : 'none';
      const at = v.map.get('dhcp4') ?? v.map.get('addresses') ?? { keyLine };
      const toDhcp: LineEdit[] = [];
      const ind = indentOf(lines, (v.map.values().next().value as { keyLine: number }).keyLine);
      const d = v.map.get('dhcp4');
      if (d) toDhcp.push({ line: d.keyLine, op: 'replace', text: `${indentOf(lines, d.keyLine)}dhcp4: true` });
      else toDhcp.push({ line: keyLine, op: 'append', text: `${ind}dhcp4: true` });
      for (const k of ['addresses', 'gateway4', 'routes']) {
        const e = v.map.get(k);
        if (e) for (let n = e.keyLine; n <= Math.max(e.keyLine, e.v.end); n++) toDhcp.push({ line: n, op: 'comment' });
      }
      out.push({
        source: 'netplan', iface, pattern: /[*?]/.test(iface), method, address: list.join(', '), mac: mac?.t === 'str' ? mac.v : '',
        path, line: at.keyLine, text: (lines[at.keyLine - 1] ?? '').replace(/\r$/, ''), toDhcp,
      });
    }
  }
  return { configs: out, renderer };
}

export function readNetplan(g: GuestView): NetplanResult {
  const byName = new Map<string, string>();
  for (const d of NETPLAN_DIRS) for (const e of g.list(d) ?? []) if (e.kind !== 'dir' && e.name.endsWith('.yaml')) byName.set(e.name, `${d}/${e.name}`);
  const res: NetplanResult = { configs: [], renderer: '', errors: [] };
  for (const name of [...byName.keys()].sort().slice(0, 128)) {
    const path = byName.get(name)!;
    const t = readText(g, path, 256 * 1024);
    if (t === null) continue;
    try {
      const r = parseNetplan(path, t);
      if (r.renderer) res.renderer = r.renderer;
      for (const c of r.configs) {
        // a later file's definition of the same interface overrides the earlier one
        const i = res.configs.findIndex((x) => x.iface === c.iface);
        if (i >= 0 && c.method === 'none') continue; // sets other keys only (mtu, nameservers): the earlier addressing stands
        if (i >= 0) res.configs.splice(i, 1);
        res.configs.push(c);
      }
    } catch (e) {
      if (!(e instanceof YamlError)) throw e;
      res.errors.push({ path, message: e.message });
    }
  }
  return res;
}
