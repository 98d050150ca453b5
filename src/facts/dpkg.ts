// SPDX-License-Identifier: Apache-2.0
// dpkg's database of installed packages: /var/lib/dpkg/status, RFC 822-style
// stanzas separated by blank lines (deb-control(5), dpkg(1) "status").

export interface InstalledPackage {
  name: string;
  version: string;
  /** 1-based line of the stanza's Package: field */
  line: number;
}

/** Installed packages ("Status: install ok installed", or half-configured ones that are on disk). */
export function parseDpkgStatus(text: string): Map<string, InstalledPackage> {
  const out = new Map<string, InstalledPackage>();
  let name = '', version = '', status = '', line = 0;
  const flush = () => {
    // "installed", but also states in which the files are unpacked on disk
    const state = status.split(/\s+/)[2] ?? '';
    if (name && ['installed', 'half-configured', 'unpacked', 'triggers-awaited', 'triggers-pending'].includes(state)) {
      out.set(name, { name, version, line });
    }
    name = version = status = '';
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.trim() === '') { flush(); continue; }
    if (l.startsWith('Package:')) { name = l.substring(8).trim(); line = i + 1; }
    else if (l.startsWith('Version:')) version = l.substring(8).trim();
    else if (l.startsWith('Status:')) status = l.substring(7).trim();
  }
  flush();
  return out;
}
