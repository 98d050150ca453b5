// SPDX-License-Identifier: Apache-2.0
// Which distribution and version a Linux guest runs: os-release(5) first,
// then the legacy release files, keeping the most precise version any of them
// gives (Debian's /etc/debian_version says 12.5 where os-release says 12).

import type { GuestView } from '../rules/guest-view';
import { readText } from '../rules/guest-view';
import type { Evidence } from '../report/types';

export interface OsInfo {
  /** os-release ID ("debian", "centos", "alinux") */
  id: string;
  /** display name as the cloud names it ("Debian", "CentOS", "Alibaba Cloud Linux") */
  name: string;
  version: string;
  prettyName: string;
  /** families the cloud does not support as custom images */
  unsupported: boolean;
  evidence: Evidence[];
}

/** Parses os-release: KEY=value with shell-style quoting. */
export function parseOsRelease(text: string): Map<string, { value: string; line: number }> {
  const out = new Map<string, { value: string; line: number }>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq <= 0) return;
    const key = line.substring(0, eq);
    let v = line.substring(eq + 1);
    if ((v.startsWith('"') && v.endsWith('"') && v.length >= 2) || (v.startsWith("'") && v.endsWith("'") && v.length >= 2)) {
      v = v.substring(1, v.length - 1).replace(/\\(["'$`\\])/g, '$1');
    }
    out.set(key, { value: v, line: i + 1 });
  });
  return out;
}

const NAMES: Record<string, string> = {
  rhel: 'Red Hat Enterprise Linux', centos: 'CentOS', rocky: 'Rocky Linux', almalinux: 'AlmaLinux',
  ol: 'Oracle Linux', anolis: 'Anolis OS', alinux: 'Alibaba Cloud Linux', fedora: 'Fedora',
  openEuler: 'openEuler', openeuler: 'openEuler', debian: 'Debian', ubuntu: 'Ubuntu', sles: 'SUSE Linux Enterprise Server',
  'opensuse-leap': 'openSUSE Leap', 'opensuse-tumbleweed': 'openSUSE Tumbleweed', opensuse: 'openSUSE', arch: 'Arch Linux',
  alpine: 'Alpine Linux', gentoo: 'Gentoo', fedora_coreos: 'Fedora CoreOS', coreos: 'CoreOS', flatcar: 'Flatcar Container Linux',
  kylin: 'Kylin', uos: 'UOS', tencentos: 'TencentOS', amzn: 'Amazon Linux',
};

const UNSUPPORTED = new Set(['arch', 'alpine', 'gentoo', 'coreos', 'fedora_coreos', 'flatcar']);

/** Legacy release files, most specific first; each yields an id and a version. */
const LEGACY: { path: string; id: string; re: RegExp }[] = [
  { path: '/etc/alinux-release', id: 'alinux', re: /release\s+(\d+(?:\.\d+)*)/i },
  { path: '/etc/anolis-release', id: 'anolis', re: /release\s+(\d+(?:\.\d+)*)/i },
  { path: '/etc/centos-release', id: 'centos', re: /release\s+(\d+(?:\.\d+)*)/i },
  { path: '/etc/rocky-release', id: 'rocky', re: /release\s+(\d+(?:\.\d+)*)/i },
  { path: '/etc/almalinux-release', id: 'almalinux', re: /release\s+(\d+(?:\.\d+)*)/i },
  { path: '/etc/oracle-release', id: 'ol', re: /release\s+(\d+(?:\.\d+)*)/i },
  { path: '/etc/fedora-release', id: 'fedora', re: /release\s+(\d+)/i },
  { path: '/etc/redhat-release', id: 'rhel', re: /release\s+(\d+(?:\.\d+)*)/i },
  { path: '/etc/system-release', id: '', re: /release\s+(\d+(?:\.\d+)*)/i },
  { path: '/etc/SuSE-release', id: 'sles', re: /VERSION\s*=\s*(\d+)/ },
  { path: '/etc/debian_version', id: 'debian', re: /^(\d+(?:\.\d+)*)/ },
  { path: '/etc/alpine-release', id: 'alpine', re: /^(\d+(?:\.\d+)*)/ },
  { path: '/etc/gentoo-release', id: 'gentoo', re: /release\s+(\S+)/i },
  { path: '/etc/arch-release', id: 'arch', re: /()/ },
];

function idFromRedhatText(text: string): string {
  const t = text.toLowerCase();
  if (t.startsWith('centos')) return 'centos';
  if (t.startsWith('rocky')) return 'rocky';
  if (t.startsWith('almalinux')) return 'almalinux';
  if (t.startsWith('oracle')) return 'ol';
  if (t.startsWith('fedora')) return 'fedora';
  if (t.startsWith('anolis')) return 'anolis';
  if (t.startsWith('alibaba cloud linux') || t.startsWith('aliyun linux')) return 'alinux';
  if (t.startsWith('red hat')) return 'rhel';
  if (t.startsWith('amazon')) return 'amzn';
  return '';
}

function moreDigits(a: string, b: string): boolean {
  return b.startsWith(a + '.') || (a === '' && b !== '');
}

export function detectOs(g: GuestView): OsInfo | null {
  let id = '', version = '', pretty = '', name = '';
  const evidence: Evidence[] = [];
  for (const path of ['/etc/os-release', '/usr/lib/os-release']) {
    const text = readText(g, path, 64 * 1024);
    if (text === null) continue;
    const kv = parseOsRelease(text);
    const ID = kv.get('ID'), VER = kv.get('VERSION_ID');
    id = ID?.value ?? '';
    version = VER?.value ?? '';
    pretty = kv.get('PRETTY_NAME')?.value ?? '';
    name = kv.get('NAME')?.value ?? '';
    if (ID) evidence.push({ path, line: ID.line, text: `ID=${ID.value}` });
    if (VER) evidence.push({ path, line: VER.line, text: `VERSION_ID=${VER.value}` });
    break;
  }
  for (const l of LEGACY) {
    const text = readText(g, l.path, 4096);
    if (text === null) continue;
    const first = text.split('\n')[0].trim();
    let lid = l.id;
    if (l.path === '/etc/redhat-release' || l.path === '/etc/system-release') lid = idFromRedhatText(first) || lid;
    if (!lid) continue;
    const m = l.re.exec(text);
    const lver = m ? m[1] : '';
    if (!id) {
      id = lid; version = lver; pretty = first;
      evidence.push({ path: l.path, line: 1, text: first });
    } else if (lid === id && moreDigits(version, lver)) {
      version = lver;
      evidence.push({ path: l.path, line: 1, text: first });
    }
  }
  if (!id) return null;
  // CentOS Stream carries no point release; keep "Stream" visible in the name.
  let display = NAMES[id] ?? (name || id);
  if (id === 'centos' && /stream/i.test(pretty)) display = 'CentOS Stream';
  return { id, name: display, version, prettyName: pretty, unsupported: UNSUPPORTED.has(id), evidence };
}
