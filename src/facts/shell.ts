// SPDX-License-Identifier: Apache-2.0
// Quoting for the commands fixes print, so a reviewer can paste them as is.

/** A POSIX shell single-quoted word. */
export function shq(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A GNU sed command that replaces line `n` of `file` with `text` exactly. */
export function sedReplaceLine(file: string, n: number, text: string): string {
  // in `c\` text sed drops one level of backslashes
  return `sed -i ${shq(`${n}c\\${text.replace(/\\/g, '\\\\')}`)} ${shq(file)}`;
}
