// SPDX-License-Identifier: Apache-2.0
// ifcfg files: RHEL's /etc/sysconfig/network-scripts/ifcfg-<name> (initscripts,
// and NetworkManager's ifcfg-rh plugin) and SUSE's
// /etc/sysconfig/network/ifcfg-<name> (wicked, and netconfig before it).
// Shell assignments; BOOTPROTO says dhcp (RHEL: dhcp/bootp; SUSE: dhcp,
// dhcp4, dhcp+autoip) or static (RHEL: none/static with IPADDR; SUSE: static,
// its default).
import type { GuestView } from '../../rules/guest-view';
import { readText } from '../../rules/guest-view';
import type { LineEdit, NetConfig } from './types';

const IFCFG_DIRS = ['/etc/sysconfig/network-scripts', '/etc/sysconfig/network'];

/** Files the initscripts and wicked ignore: backups, package leftovers, and not-a-config names. */
function ignored(name: string): boolean {
  return !name.startsWith('ifcfg-') || name === 'ifcfg-lo' || /(~|\.bak|\.old|\.orig|\.rpmnew|\.rpmsave|\.rpmorig|\.swp)$/.test(name) || name.includes('.bak');
}

function parseShellVars(text: string): Map<string, { value: string; line: number; text: string }> {
  const out = new Map<string, { value: string; line: number; text: string }>();
  text.split('\n').forEach((raw, i) => {
    const l = raw.replace(/\r$/, '');
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(l);
    if (!m) return;
    let v = m[2].trim();
    if (v.startsWith('"')) v = v.substring(1, v.indexOf('"', 1) < 0 ? v.length : v.indexOf('"', 1));
    else if (v.startsWith("'")) v = v.substring(1, v.indexOf("'", 1) < 0 ? v.length : v.indexOf("'", 1));
    else v = v.replace(/\s+#.*$/, '').trim();
    out.set(m[1], { value: v, line: i + 1, text: l });
  });
  return out;
}

const ADDR_KEYS = /^(IPADDR\d*|NETMASK\d*|PREFIX\d*|GATEWAY\d*|BROADCAST|NETWORK)$/;

export function parseIfcfg(path: string, text: string, suse: boolean): NetConfig | null {
  const vars = parseShellVars(text);
  const name = path.substring(path.lastIndexOf('/') + 1).substring('ifcfg-'.length);
  // RHEL's DEVICE= names the interface (NAME= is the connection's name); SUSE goes by the file name
  const iface = (!suse && vars.get('DEVICE')?.value) || name;
  if (iface === 'lo') return null;
  const bp = vars.get('BOOTPROTO');
  const proto = (bp?.value ?? (suse ? 'static' : 'none')).toLowerCase();
  const addr = [...vars.entries()].find(([k]) => /^IPADDR\d*$/.test(k) || (suse && /^IPADDR(_\w+)?$/.test(k)));
  let method: NetConfig['method'];
  if (proto === 'dhcp' || proto === 'bootp' || proto === 'dhcp4' || proto.startsWith('dhcp+') || (suse && proto === 'dhcp')) method = 'dhcp';
  else if (suse && (proto === 'dhcp6' || proto === 'auto6' || proto === 'none' || proto === 'ibft')) method = 'none';
  else method = addr && addr[1].value ? 'static' : 'none';
  const at = bp ?? (addr ? addr[1] : undefined);
  const q = suse ? "'" : '';
  const toDhcp: LineEdit[] = [];
  if (bp) toDhcp.push({ line: bp.line, op: 'replace', text: `BOOTPROTO=${q}dhcp${q}` });
  for (const [k, v] of vars) if (ADDR_KEYS.test(k) || (suse && /^(IPADDR|NETMASK|PREFIXLEN)_?\w*$/.test(k))) toDhcp.push({ line: v.line, op: 'comment' });
  if (!bp) toDhcp.push({ line: Math.max(1, ...[...vars.values()].map((v) => v.line)), op: 'append', text: `BOOTPROTO=${q}dhcp${q}` });
  // RHEL: ONBOOT=no (anaconda's default on a CentOS 7 minimal install); SUSE: STARTMODE manual or off
  const onboot = suse ? vars.get('STARTMODE') : vars.get('ONBOOT');
  const off = onboot !== undefined && (suse ? ['manual', 'off'].includes(onboot.value.toLowerCase()) : /^(no|false|0)$/i.test(onboot.value));
  return {
    ...(off ? { notAtBoot: { line: onboot!.line, text: onboot!.text, fix: [{ line: onboot!.line, op: 'replace' as const, text: suse ? "STARTMODE='auto'" : 'ONBOOT=yes' }] } } : {}),
    source: 'ifcfg', iface, pattern: false, method, address: addr?.[1].value ?? '', mac: vars.get('HWADDR')?.value ?? '',
    path, line: at?.line ?? 1, text: at?.text ?? `(no BOOTPROTO: ${suse ? 'static' : 'none'} by default)`, toDhcp,
  };
}

export function readIfcfgs(g: GuestView): NetConfig[] {
  const out: NetConfig[] = [];
  for (const dir of IFCFG_DIRS) {
    const names = (g.list(dir) ?? []).filter((e) => e.kind !== 'dir' && !ignored(e.name)).map((e) => e.name).sort().slice(0, 256);
    for (const n of names) {
      const t = readText(g, `${dir}/${n}`, 256 * 1024);
      if (t === null) continue;
      const c = parseIfcfg(`${dir}/${n}`, t, dir === '/etc/sysconfig/network');
      if (c) out.push(c);
    }
  }
  return out;
}
