// SPDX-License-Identifier: Apache-2.0
// wicked's native XML interface files (/etc/wicked/ifconfig/*.xml, SUSE):
// <interface><name>eth0</name> with <ipv4:dhcp><enabled>true</enabled> or
// <ipv4:static><address><local>10.0.0.5/24</local>. Most SUSE systems keep
// ifcfg files instead, which ifcfg.ts reads; this covers the XML form only
// as far as the IPv4 method, by element names (no general XML parser).
import type { GuestView } from '../../rules/guest-view';
import { readText } from '../../rules/guest-view';
import type { NetConfig } from './types';

const WICKED_DIR = '/etc/wicked/ifconfig';

function lineAt(text: string, index: number): { line: number; text: string } {
  const line = text.substring(0, index).split('\n').length;
  return { line, text: text.split('\n')[line - 1].replace(/\r$/, '') };
}

export function parseWickedXml(path: string, text: string): NetConfig[] {
  const out: NetConfig[] = [];
  const re = /<interface\b[^>]*>([\s\S]*?)<\/interface>/g;
  let m: RegExpExecArray | null;
  for (let k = 0; (m = re.exec(text)) !== null && k < 256; k++) {
    const body = m[1], base = m.index + m[0].indexOf(body);
    const name = /<name>\s*([^<\s]+)\s*<\/name>/.exec(body)?.[1] ?? '';
    if (!name || name === 'lo') continue;
    const dhcp = /<ipv4:dhcp>([\s\S]*?)<\/ipv4:dhcp>/.exec(body);
    const dhcpOn = dhcp !== null && !/<enabled>\s*false\s*<\/enabled>/.test(dhcp[1]);
    const stat = /<ipv4:static>[\s\S]*?<local>\s*([^<\s]+)\s*<\/local>/.exec(body);
    const hit = dhcpOn ? dhcp! : stat;
    const at = hit ? lineAt(text, base + hit.index) : lineAt(text, m.index);
    out.push({ source: 'wicked', iface: name, pattern: false, method: dhcpOn ? 'dhcp' : stat ? 'static' : 'none', address: stat?.[1] ?? '', path, line: at.line, text: at.text, toDhcp: [] });
  }
  return out;
}

export function readWicked(g: GuestView): NetConfig[] {
  const out: NetConfig[] = [];
  for (const e of (g.list(WICKED_DIR) ?? []).filter((x) => x.kind !== 'dir' && x.name.endsWith('.xml')).slice(0, 64)) {
    const t = readText(g, `${WICKED_DIR}/${e.name}`, 256 * 1024);
    if (t !== null) out.push(...parseWickedXml(`${WICKED_DIR}/${e.name}`, t));
  }
  return out;
}
