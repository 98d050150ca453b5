// SPDX-License-Identifier: Apache-2.0
// Debian's ifupdown: /etc/network/interfaces(5) with `source` (globs) and
// `source-directory` directives, `auto` / `allow-hotplug` lines and
// `iface <name> inet dhcp|static|manual|loopback` stanzas whose option lines
// (address, netmask, gateway) follow indented or not until the next stanza.
import type { GuestView } from '../../rules/guest-view';
import { readText } from '../../rules/guest-view';
import type { LineEdit, NetConfig } from './types';
import { globMatch } from './types';

const INTERFACES = '/etc/network/interfaces';
const MAX_FILES = 64;
const MAX_DEPTH = 8;
const STANZA = /^(iface|mapping|auto|allow-[\w-]+|source|source-directory|no-auto-down|no-scripts|rename|template)\b/;

function dirname(p: string): string { return p.substring(0, p.lastIndexOf('/')) || '/'; }

/** The files a `source` pattern names: a glob in the last component only, which is what Debian's files use. */
function expand(g: GuestView, pattern: string, base: string): string[] {
  const abs = pattern.startsWith('/') ? pattern : `${dirname(base)}/${pattern}`;
  const dir = dirname(abs), last = abs.substring(abs.lastIndexOf('/') + 1);
  if (!/[*?[]/.test(last)) return [abs];
  return (g.list(dir) ?? []).filter((e) => e.kind !== 'dir' && globMatch(last, e.name)).map((e) => `${dir}/${e.name}`).sort();
}

export function readInterfaces(g: GuestView): NetConfig[] {
  const out: NetConfig[] = [];
  const seen = new Set<string>();
  const started: string[] = [];
  const visit = (path: string, depth: number) => {
    if (depth > MAX_DEPTH || seen.size >= MAX_FILES || seen.has(path)) return;
    seen.add(path);
    const text = readText(g, path, 256 * 1024);
    if (text === null) return;
    const lines = text.split('\n');
    let cur: NetConfig | null = null;
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i].replace(/\r$/, '');
      const l = raw.trim();
      if (l === '' || l.startsWith('#')) continue;
      const w = l.split(/\s+/);
      if (STANZA.test(l)) cur = null;
      if (w[0] === 'auto' || w[0] === 'allow-auto' || w[0] === 'allow-hotplug') started.push(...w.slice(1));
      if (w[0] === 'source' && w[1]) { for (const f of expand(g, w[1], path)) visit(f, depth + 1); continue; }
      if (w[0] === 'source-directory' && w[1]) {
        const d = w[1].startsWith('/') ? w[1] : `${dirname(path)}/${w[1]}`;
        // run-parts names only: letters, digits, "_" and "-"
        for (const e of (g.list(d) ?? []).filter((x) => x.kind !== 'dir' && /^[A-Za-z0-9_-]+$/.test(x.name)).map((x) => x.name).sort()) visit(`${d}/${e}`, depth + 1);
        continue;
      }
      if (w[0] === 'iface' && w.length >= 4 && w[2] === 'inet') {
        if (w[3] === 'loopback' || w[1] === 'lo') continue;
        const method = w[3] === 'dhcp' || w[3] === 'bootp' ? 'dhcp' : w[3] === 'static' ? 'static' : 'none';
        cur = { source: 'ifupdown', iface: w[1], pattern: /[*?]/.test(w[1]), method, address: '', path, line: i + 1, text: raw,
          toDhcp: [{ line: i + 1, op: 'replace', text: `iface ${w[1]} inet dhcp` }] };
        out.push(cur);
        continue;
      }
      if (cur && ['address', 'netmask', 'gateway', 'broadcast', 'network', 'pointopoint'].includes(w[0])) {
        if (w[0] === 'address') cur.address = w[1] ?? '';
        cur.toDhcp.push({ line: i + 1, op: 'comment' } as LineEdit);
      }
    }
  };
  visit(INTERFACES, 0);
  // ifup -a at boot starts `auto` interfaces, udev starts `allow-hotplug` ones; others only by hand
  for (const c of out) {
    if (started.some((n) => n === c.iface || (c.pattern && globMatch(c.iface, n)))) continue;
    c.notAtBoot = { line: c.line, text: c.text, fix: [{ line: c.line, op: 'insert', text: `auto ${c.iface}` }] };
  }
  return out;
}
