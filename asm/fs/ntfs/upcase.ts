// SPDX-License-Identifier: Apache-2.0
// The volume's $UpCase table: 65536 UTF-16 code units that directory indexes
// collate by (names compare upper-cased, unit by unit).

export class UpCase {
  constructor(private table: Uint16Array) {}

  up(c: u32): u32 {
    return c < <u32>this.table.length ? <u32>unchecked(this.table[c]) : c;
  }

  /** <0, 0, >0 as a sorts before, equal to, or after b ignoring case (COLLATION_FILE_NAME). */
  compare(a: string, b: string): i32 {
    const n = min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const x = this.up(<u32>a.charCodeAt(i));
      const y = this.up(<u32>b.charCodeAt(i));
      if (x != y) return x < y ? -1 : 1;
    }
    return a.length - b.length;
  }
}

/** The table Windows' $UpCase holds for ASCII and Latin-1, for when the volume's is unreadable. */
export function asciiUpCase(): UpCase {
  const t = new Uint16Array(65536);
  for (let i = 0; i < 65536; i++) t[i] = <u16>((i >= 0x61 && i <= 0x7a) ? i - 32 : i);
  return new UpCase(t);
}
