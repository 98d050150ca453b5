// SPDX-License-Identifier: Apache-2.0
// /etc/fstab as fstab(5) defines it, kept with line numbers and text for
// evidence: whitespace-separated fields, "#" comments, octal escapes (\040)
// in the first two fields, and missing freq/passno defaulting to 0.

export interface FstabLine {
  spec: string;
  file: string;
  vfstype: string;
  options: string[];
  /** 1-based line number and the line as written */
  line: number;
  text: string;
}

const MAX_LINES = 10_000;

function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function parseFstab(text: string): FstabLine[] {
  const out: FstabLine[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length && n < MAX_LINES; n++) {
    const raw = lines[n].replace(/\r$/, '');
    const body = raw.replace(/#.*$/, '').trim();
    if (body === '') continue;
    const f = body.split(/[ \t]+/);
    if (f.length < 2) continue;
    out.push({
      spec: unescapeOctal(f[0]), file: unescapeOctal(f[1]), vfstype: f[2] ?? 'auto',
      options: (f[3] ?? 'defaults').split(','), line: n + 1, text: raw,
    });
  }
  return out;
}

export function hasOption(e: FstabLine, name: string): boolean {
  return e.options.some((o) => o === name || o.startsWith(`${name}=`));
}
