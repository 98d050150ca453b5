// SPDX-License-Identifier: Apache-2.0
// Whether cloud-init will write the network configuration at first boot:
// installed (/usr/bin/cloud-init), not disabled (/etc/cloud/cloud-init.disabled,
// cloud-init=disabled on the kernel command line), and its network
// rendering not turned off (`network: {config: disabled}` in
// /etc/cloud/cloud.cfg or /etc/cloud/cloud.cfg.d/*.cfg, the last file wins).
// On ECS its AliYun datasource, or its fallback, configures DHCP on the first NIC.
import type { GuestView } from '../../rules/guest-view';
import { readText } from '../../rules/guest-view';
import type { Evidence } from '../../report/types';
import { parseYaml, yget, YamlError } from './yaml';
import { said } from '../../report/message';

export interface CloudInitNet { installed: boolean; active: boolean; evidence: Evidence[] }

const BINARIES = ['/usr/bin/cloud-init', '/bin/cloud-init', '/usr/local/bin/cloud-init'];

/** The network.config value a cloud.cfg sets, with its line; undefined when it sets none. */
function networkConfig(text: string): { value: string; line: number } | undefined {
  try {
    const n = yget(parseYaml(text), 'network', 'config');
    if (n && n.t === 'str') return { value: n.v, line: n.line };
    return undefined;
  } catch (e) {
    if (!(e instanceof YamlError)) throw e;
    // cloud.cfg may use YAML this reader does not; the one key matters
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const m = /^network:\s*\{\s*config:\s*['"]?(\w+)/.exec(lines[i]) ?? (/^\s+config:\s*['"]?(\w+)/.test(lines[i]) && i > 0 && /^network:\s*$/.test(lines[i - 1]) ? /config:\s*['"]?(\w+)/.exec(lines[i]) : null);
      if (m) return { value: m[1], line: i + 1 };
    }
    return undefined;
  }
}

export function cloudInitNetwork(g: GuestView, cmdline: string): CloudInitNet {
  const bin = BINARIES.find((p) => g.stat(p) !== null);
  if (!bin) return { installed: false, active: false, evidence: [said('/usr/bin/cloud-init', 'ev.net.noCloudInit')] };
  const ev: Evidence[] = [said(bin, 'ev.net.cloudInit')];
  if (g.stat('/etc/cloud/cloud-init.disabled') !== null) return { installed: true, active: false, evidence: [...ev, said('/etc/cloud/cloud-init.disabled', 'ev.net.cloudInitDisabled')] };
  if (/(^|\s)cloud-init=disabled(\s|$)/.test(cmdline)) return { installed: true, active: false, evidence: [...ev, { path: 'kernel command line', text: 'cloud-init=disabled' }] };
  const files = ['/etc/cloud/cloud.cfg', ...(g.list('/etc/cloud/cloud.cfg.d') ?? []).filter((e) => e.name.endsWith('.cfg')).map((e) => `/etc/cloud/cloud.cfg.d/${e.name}`).sort()];
  let last: { path: string; value: string; line: number } | undefined;
  for (const p of files.slice(0, 128)) {
    const t = readText(g, p, 512 * 1024);
    const c = t === null ? undefined : networkConfig(t);
    if (c) last = { path: p, ...c };
  }
  if (last && last.value === 'disabled') return { installed: true, active: false, evidence: [...ev, said(last.path, 'ev.net.cloudInitNetDisabled', {}, last.line)] };
  return { installed: true, active: true, evidence: [...ev, said(last?.path ?? '/etc/cloud/cloud.cfg', 'ev.net.cloudInitNet', {}, last?.line)] };
}
