// SPDX-License-Identifier: Apache-2.0
// What rules may ask of a guest: its files, read through the wasm engine in
// the worker, or a small in-memory tree in unit tests. Rules never read bytes
// from the image themselves (DESIGN.md).

export type FileKind = 'file' | 'dir' | 'symlink' | 'other' | 'unknown';

export interface GuestStat {
  kind: FileKind;
  mode: number;
  size: number;
  /** the path after following symlinks */
  path: string;
}

export interface GuestEntry { name: string; kind: FileKind }

export interface GuestView {
  stat(path: string, follow?: boolean): GuestStat | null;
  /** the entries of a directory, null when absent */
  list(path: string): GuestEntry[] | null;
  /** up to maxBytes of a regular file, null when absent */
  readBytes(path: string, offset?: number, maxBytes?: number): Uint8Array | null;
  readlink(path: string): string | null;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

export function readText(g: GuestView, path: string, maxBytes = 1 << 20): string | null {
  const b = g.readBytes(path, 0, maxBytes);
  return b === null ? null : decoder.decode(b);
}

export function exists(g: GuestView, path: string): boolean {
  return g.stat(path) !== null;
}
