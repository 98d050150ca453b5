// SPDX-License-Identifier: Apache-2.0
// /etc/fstab as fstab(5) defines it: whitespace-separated fields, "#"
// comments, octal escapes (\040) in the first two fields. Only what mounting
// needs; the Fstab check item parses the file again in TypeScript for evidence.

export class FstabEntry {
  constructor(
    public spec: string,
    public file: string,
    public vfstype: string,
    public options: string,
    public line: i32,
  ) {}

  option(name: string): string | null {
    const opts = this.options.split(",");
    for (let i = 0; i < opts.length; i++) {
      const o = opts[i];
      if (o == name) return "";
      if (o.startsWith(name + "=")) return o.substring(name.length + 1);
    }
    return null;
  }
}

function unescapeOctal(s: string): string {
  if (s.indexOf("\\") < 0) return s;
  let out = "";
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c == 0x5c && i + 3 < s.length) {
      let v = 0, ok = true;
      for (let k = 1; k <= 3; k++) {
        const d = s.charCodeAt(i + k) - 0x30;
        if (d < 0 || d > 7) { ok = false; break; }
        v = v * 8 + d;
      }
      if (ok) { out += String.fromCharCode(v); i += 4; continue; }
    }
    out += String.fromCharCode(c);
    i++;
  }
  return out;
}

export function parseFstab(text: string): FstabEntry[] {
  const out: FstabEntry[] = [];
  const lines = text.split("\n");
  for (let n = 0; n < lines.length; n++) {
    let line = lines[n];
    const hash = line.indexOf("#");
    if (hash >= 0) line = line.substring(0, hash);
    const fields: string[] = [];
    let cur = "";
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      if (c == 0x20 || c == 0x09 || c == 0x0d) {
        if (cur.length > 0) { fields.push(cur); cur = ""; }
      } else cur += String.fromCharCode(c);
    }
    if (cur.length > 0) fields.push(cur);
    if (fields.length < 2) continue;
    out.push(new FstabEntry(
      unescapeOctal(fields[0]),
      unescapeOctal(fields[1]),
      fields.length > 2 ? fields[2] : "auto",
      fields.length > 3 ? fields[3] : "defaults",
      n + 1,
    ));
  }
  return out;
}
