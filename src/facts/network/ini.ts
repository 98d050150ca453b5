// SPDX-License-Identifier: Apache-2.0
// The INI dialect of NetworkManager keyfiles and systemd unit files:
// [Section] headers, key=value lines, "#" / ";" comments; a key may repeat
// (systemd's Address=), so every assignment is kept with its line.

export interface IniEntry { section: string; key: string; value: string; line: number; text: string }
export interface IniFile { entries: IniEntry[]; sections: { name: string; line: number }[] }

export function parseIni(text: string): IniFile {
  const entries: IniEntry[] = [];
  const sections: { name: string; line: number }[] = [];
  let section = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length && i < 20_000; i++) {
    const raw = lines[i].replace(/\r$/, '');
    const l = raw.trim();
    if (l === '' || l.startsWith('#') || l.startsWith(';')) continue;
    const h = /^\[([^\]]+)\]$/.exec(l);
    if (h) { section = h[1]; sections.push({ name: section, line: i + 1 }); continue; }
    const eq = l.indexOf('=');
    if (eq <= 0) continue;
    entries.push({ section, key: l.substring(0, eq).trim(), value: l.substring(eq + 1).trim(), line: i + 1, text: raw });
  }
  return { entries, sections };
}

export function iniGet(f: IniFile, section: string, key: string): IniEntry | undefined {
  let last: IniEntry | undefined;
  for (const e of f.entries) if (e.section === section && e.key === key) last = e;
  return last;
}
