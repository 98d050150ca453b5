// SPDX-License-Identifier: Apache-2.0
// The files the person dropped together, matched by name: a qcow2 names its
// backing file, a VHD its parent, a VMDK descriptor its extents, each as the
// path it had on the machine that made it; only the last path part is matched.

import { Device } from "../io/device";
import { corrupt, limit, unsupported } from "../util/error";

/** Longest chain of backing files followed: far beyond any real snapshot tree. */
export const MAX_CHAIN_DEPTH: i32 = 64;

/** The last component of a path written on Windows or Unix ("C:\vms\a.vhd" → "a.vhd"). */
export function baseName(path: string): string {
  let i = path.length - 1;
  while (i >= 0) {
    const c = path.charCodeAt(i);
    if (c == 0x2f || c == 0x5c) break;
    i--;
  }
  return path.substring(i + 1);
}

export class FileSet {
  /** file indices currently being opened, top first: a cycle shows up here */
  private opening: i32[] = [];
  /** every file index a container read, for the report */
  used: i32[] = [];

  constructor(public files: Device[]) {}

  indexOf(dev: Device): i32 {
    for (let i = 0; i < this.files.length; i++) if (this.files[i] === dev) return i;
    return -1;
  }

  /** The dropped file whose name matches `path`'s last part (exactly, else ignoring case); -1 when none. */
  find(path: string): i32 {
    const want = baseName(path);
    if (want.length == 0) return -1;
    for (let i = 0; i < this.files.length; i++) if (this.files[i].name == want) return i;
    const lower = want.toLowerCase();
    for (let i = 0; i < this.files.length; i++) if (this.files[i].name.toLowerCase() == lower) return i;
    return -1;
  }

  /**
   * Marks `index` as being opened below `from`; false with an error on a cycle
   * or a chain deeper than MAX_CHAIN_DEPTH.
   */
  enter(index: i32, from: string): bool {
    if (this.opening.includes(index)) {
      let path = "";
      for (let i = 0; i < this.opening.length; i++) path += this.files[this.opening[i]].name + " → ";
      corrupt("container.chain.cycle", "the backing chain loops: " + path + this.files[index].name + " (named by " + from + ")");
      return false;
    }
    if (this.opening.length >= MAX_CHAIN_DEPTH) {
      limit("container.chain.depth", from + ": the backing chain is deeper than " + MAX_CHAIN_DEPTH.toString() + " files");
      return false;
    }
    this.opening.push(index);
    if (!this.used.includes(index)) this.used.push(index);
    return true;
  }

  leave(): void {
    if (this.opening.length > 0) this.opening.pop();
  }

  /** Sets the error for a file `owner` needs that was not dropped with it. */
  missing(code: string, owner: string, what: string, path: string): void {
    unsupported(code, owner + " needs its " + what + " \"" + path + "\" (file " + baseName(path) +
      "), which was not given: give it together with " + owner + " (select or drop both files, or name both on the command line)");
  }
}
