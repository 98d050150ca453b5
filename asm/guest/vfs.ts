// SPDX-License-Identifier: Apache-2.0
// The guest's directory tree: filesystems mounted at paths, and path lookup
// that follows absolute and relative symlinks across mounts the way the
// kernel's path walk does (at most 40 links, as Linux's MAXSYMLINKS).

import { FileSystem, FileKind, Stat, NOT_FOUND, FAILED } from "../fs/filesystem";
import { limit, corrupt } from "../util/error";

export const MAX_SYMLINKS: i32 = 40;
const MAX_COMPONENTS: i32 = 4096;

export class Mount {
  constructor(
    /** absolute, normalised ("/", "/boot/efi") */
    public path: string,
    public fs: FileSystem,
    public root: u64,
    /** index of the volume in the disk's list */
    public volume: i32,
  ) {}
}

export class Loc {
  constructor(public mount: Mount, public node: u64, public path: string) {}
}

function join(dir: string, name: string): string {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

function parentPath(p: string): string {
  const i = p.lastIndexOf("/");
  return i <= 0 ? "/" : p.substring(0, i);
}

export class Vfs {
  mounts: Mount[] = [];
  private byPath: Map<string, Mount> = new Map();

  mount(m: Mount): void {
    this.mounts.push(m);
    this.byPath.set(m.path, m);
  }

  isMountPoint(path: string): bool { return this.byPath.has(path); }

  /** Replaces what is mounted at `path` (the root moved to the subvolume fstab names). */
  remount(path: string, m: Mount): void {
    for (let i = 0; i < this.mounts.length; i++) if (this.mounts[i].path == path) this.mounts[i] = m;
    this.byPath.set(path, m);
  }

  rootLoc(): Loc | null {
    if (!this.byPath.has("/")) return null;
    const m = this.byPath.get("/");
    return new Loc(m, m.root, "/");
  }

  /**
   * Resolves `path`; null with no error set when a component is absent,
   * null with the error set on a loop or a read failure.
   */
  resolve(path: string, followLast: bool): Loc | null {
    const root = this.rootLoc();
    if (root === null) return null;
    const stack: Loc[] = [root];
    // pending components, consumed from the end
    let pending: string[] = path.split("/").reverse();
    let links = 0;
    let steps = 0;
    while (pending.length > 0) {
      if (++steps > MAX_COMPONENTS) {
        limit("path.too-long", "path " + path + " expands to more than " + MAX_COMPONENTS.toString() + " components");
        return null;
      }
      const c = pending.pop();
      if (c.length == 0 || c == ".") continue;
      const cur = stack[stack.length - 1];
      if (c == "..") {
        if (stack.length > 1) stack.pop();
        continue;
      }
      const childPath = join(cur.path, c);
      let next: Loc;
      if (this.byPath.has(childPath)) {
        const m = this.byPath.get(childPath);
        next = new Loc(m, m.root, childPath);
      } else {
        const st0 = cur.mount.fs.stat(cur.node);
        if (st0 === null) return null;
        if (st0.kind != FileKind.Dir) return null; // ENOTDIR: treated as absent
        const node = cur.mount.fs.lookup(cur.node, c);
        if (node == FAILED) return null;
        if (node == NOT_FOUND) return null;
        next = new Loc(cur.mount, <u64>node, childPath);
      }
      const isLast = pending.length == 0 || allEmpty(pending);
      if (!isLast || followLast) {
        const st = next.mount.fs.stat(next.node);
        if (st === null) return null;
        if (st.kind == FileKind.Symlink) {
          if (++links > MAX_SYMLINKS) {
            limit("path.symlink-loop", "too many levels of symbolic links resolving " + path);
            return null;
          }
          const target = next.mount.fs.readlink(next.node);
          if (target === null) return null;
          if (target.length == 0) {
            corrupt("path.symlink-empty", childPath + " is a symbolic link with an empty target");
            return null;
          }
          const parts = target.split("/");
          for (let i = parts.length - 1; i >= 0; i--) pending.push(parts[i]);
          if (target.startsWith("/")) {
            stack.length = 1;
          }
          continue;
        }
      }
      stack.push(next);
    }
    return stack[stack.length - 1];
  }

  stat(path: string, follow: bool): Stat | null {
    const loc = this.resolve(path, follow);
    if (loc === null) return null;
    return loc.mount.fs.stat(loc.node);
  }
}

function allEmpty(pending: string[]): bool {
  for (let i = 0; i < pending.length; i++) {
    const c = pending[i];
    if (c.length != 0 && c != ".") return false;
  }
  return true;
}

export { parentPath };
