// SPDX-License-Identifier: Apache-2.0
// FAT12/16/32 with VFAT long names, read-only (Microsoft fatgen103). Node ids
// are byte offsets of short directory entries within the volume; the root,
// which has none, is ROOT_NODE.

import { Device } from "../../io/device";
import { FileSystem, FileKind, Stat, DirEntry, NOT_FOUND, FAILED } from "../filesystem";
import { corrupt, unsupported, limit, clearError, lastError } from "../../util/error";
import { hex64 } from "../../util/bytes";
import { JsonWriter } from "../../util/json";
import { FatGeometry, parseBootSector } from "./boot-sector";
import { FatTable, ClusterChain } from "./fat-table";
import { ShortEntry, parseShortEntry, ATTR_READ_ONLY, ATTR_LONG_NAME, ATTR_VOLUME_ID, ENTRY_END, ENTRY_FREE, DIR_ENTRY_SIZE } from "./dir-entry";
import { Directory, Segments, parseDirectory, MAX_DIR_BYTES } from "./directory";

export const ROOT_NODE: u64 = 1;
const BOOT_SECTOR_LEN: i32 = 512;
/** Listings and chains kept; past this the cache starts over (memory stays bounded). */
const MAX_CACHED_DIRS: i32 = 256;
const MAX_CACHED_CHAINS: i32 = 256;
/** Linux vfat's default modes (umask 022): everything 0755, read-only files lose the write bits. */
const MODE_DIR: u32 = 0o040755;
const MODE_FILE: u32 = 0o100755;
const MODE_NO_WRITE: u32 = 0o222;

export class FatFileSystem extends FileSystem {
  readonly fat: FatTable;
  private volumeLabel: string = "";
  private rootError: string = "";
  /** every entry handed out: node → its short entry, and its directory */
  private nodes: Map<u64, ShortEntry> = new Map();
  private parents: Map<u64, u64> = new Map();
  private dirs: Map<u64, Directory> = new Map();
  private chains: Map<u32, ClusterChain> = new Map();

  constructor(public dev: Device, public g: FatGeometry) {
    super();
    this.fat = new FatTable(dev, g);
    this.volumeLabel = g.bpbLabel;
  }

  get type(): string { return "vfat"; }
  get uuid(): string { return this.g.uuid; }
  get label(): string { return this.volumeLabel; }
  get rootNode(): u64 { return ROOT_NODE; }

  /** Reads the root directory: blkid takes the label from its volume-label entry first. */
  loadRoot(): void {
    const root = this.directory(ROOT_NODE);
    if (root === null) {
      const e = lastError();
      this.rootError = e !== null ? e.code + ": " + e.message : "unreadable";
      clearError();
      return;
    }
    if (root.hasLabel) this.volumeLabel = root.label;
  }

  describe(): string {
    const w = new JsonWriter().beginObject()
      .propNum("fatBits", this.g.fatBits)
      .propNum("clusterSize", this.g.clusterSize)
      .propNum("clusters", this.g.clusterCount)
      .prop("oemName", this.g.oemName)
      .prop("bpbLabel", this.g.bpbLabel);
    if (this.rootError.length > 0) w.prop("rootError", this.rootError);
    return w.endObject().toString();
  }

  // ---- nodes ----

  private entryOf(node: u64): ShortEntry | null {
    if (this.nodes.has(node)) return this.nodes.get(node);
    // A node not met in a listing (a stale id): read its entry where it says it is.
    const g = this.g;
    if (node < g.rootDirOffset || (node & 31) != 0 || node + <u64>DIR_ENTRY_SIZE > this.dev.size) {
      corrupt("fat.node.invalid", "FAT node " + hex64(node) + " is not a directory entry position");
      return null;
    }
    const b = this.dev.read(node, DIR_ENTRY_SIZE);
    if (b === null) return null;
    const first = <u32>b[0], attr = <u32>b[11];
    if (first == ENTRY_END || first == ENTRY_FREE || (attr & 0x3f) == ATTR_LONG_NAME || (attr & ATTR_VOLUME_ID) != 0) {
      corrupt("fat.node.invalid", "FAT node " + hex64(node) + " is not a file's directory entry");
      return null;
    }
    const e = parseShortEntry(b, 0, g.fatBits == 32);
    this.nodes.set(node, e);
    return e;
  }

  stat(node: u64): Stat | null {
    const st = new Stat();
    st.node = node;
    if (node == ROOT_NODE) {
      st.kind = FileKind.Dir;
      st.mode = MODE_DIR;
      st.nlink = 2;
      return st;
    }
    const e = this.entryOf(node);
    if (e === null) return null;
    if (e.isDir) {
      st.kind = FileKind.Dir;
      st.mode = MODE_DIR;
      st.nlink = 2;
    } else {
      st.kind = FileKind.File;
      st.mode = (e.attr & ATTR_READ_ONLY) != 0 ? MODE_FILE & ~MODE_NO_WRITE : MODE_FILE;
      st.size = <u64>e.size;
      st.nlink = 1;
    }
    st.mtime = e.mtime;
    return st;
  }

  // ---- directories ----

  /** The chain of `first` long enough for `need` clusters (cached). */
  private chain(first: u32, need: u32, what: string): ClusterChain | null {
    if (this.chains.has(first)) {
      const c = this.chains.get(first);
      if (c.complete || c.clusters >= need) return c;
    }
    const c = this.fat.walk(first, need, what);
    if (c === null) return null;
    if (this.chains.size >= MAX_CACHED_CHAINS) this.chains.clear();
    this.chains.set(first, c);
    return c;
  }

  private directory(dir: u64): Directory | null {
    if (this.dirs.has(dir)) return this.dirs.get(dir);
    const g = this.g;
    const segs = new Segments();
    let buf: Uint8Array;
    const isRoot = dir == ROOT_NODE;
    if (isRoot && g.fatBits != 32) {
      const b = this.dev.read(g.rootDirOffset, <i32>g.rootDirBytes);
      if (b === null) return null;
      buf = b;
      segs.add(0, g.rootDirOffset);
    } else {
      let first: u32;
      let what: string;
      if (isRoot) {
        first = g.rootCluster;
        what = "root directory";
      } else {
        const e = this.entryOf(dir);
        if (e === null) return null;
        if (!e.isDir) {
          corrupt("fat.not-dir", "FAT node " + hex64(dir) + " (" + e.name + ") is not a directory");
          return null;
        }
        first = e.firstCluster;
        what = "directory " + e.name;
        if (first == 0) {
          corrupt("fat.dir.no-cluster", what + " has no first cluster");
          return null;
        }
      }
      const maxClusters = max<u32>(1, MAX_DIR_BYTES / g.clusterSize);
      const c = this.chain(first, maxClusters + 1, what);
      if (c === null) return null;
      if (c.clusters > maxClusters) {
        limit("fat.dir.too-large", what + " is longer than 65,536 entries (" + c.clusters.toString() + "+ clusters)");
        return null;
      }
      buf = new Uint8Array(<i32>(c.clusters * g.clusterSize));
      let pos = 0;
      // one read per run of contiguous clusters
      for (let r = 0; r < c.runStart.length; r++) {
        const off = g.clusterOffset(c.runStart[r]);
        const len = <i32>(c.runLength[r] * g.clusterSize);
        if (off + <u64>len > this.dev.size) {
          corrupt("fat.cluster.past-end", what + ": cluster " + c.runStart[r].toString() + " lies past the end of the volume");
          return null;
        }
        if (!this.dev.readInto(off, len, buf.dataStart + <usize>pos)) return null;
        segs.add(pos, off);
        pos += len;
      }
    }
    const d = parseDirectory(buf, segs, g.fatBits == 32, isRoot);
    for (let i = 0; i < d.entries.length; i++) {
      const e = d.entries[i];
      this.nodes.set(e.node, e.entry);
      this.parents.set(e.node, dir);
    }
    if (this.dirs.size >= MAX_CACHED_DIRS) this.dirs.clear();
    this.dirs.set(dir, d);
    return d;
  }

  lookup(dir: u64, name: string): i64 {
    if (name == "." || name.length == 0) return <i64>dir;
    if (name == "..") {
      if (dir == ROOT_NODE) return <i64>ROOT_NODE;
      return this.parents.has(dir) ? <i64>this.parents.get(dir) : NOT_FOUND;
    }
    const d = this.directory(dir);
    if (d === null) return FAILED;
    const e = d.find(name);
    if (e === null) return NOT_FOUND;
    return <i64>e.node;
  }

  readdir(dir: u64): DirEntry[] | null {
    const d = this.directory(dir);
    if (d === null) return null;
    const out = new Array<DirEntry>();
    for (let i = 0; i < d.entries.length; i++) {
      const e = d.entries[i];
      out.push(new DirEntry(e.name, e.node, e.entry.isDir ? FileKind.Dir : FileKind.File));
    }
    return out;
  }

  // ---- file data ----

  read(node: u64, offset: u64, len: i32, dst: usize): i32 {
    if (node == ROOT_NODE) {
      unsupported("fat.read.dir", "the root directory is not a file");
      return <i32>FAILED;
    }
    const e = this.entryOf(node);
    if (e === null) return <i32>FAILED;
    if (e.isDir) {
      unsupported("fat.read.dir", e.name + " is a directory");
      return <i32>FAILED;
    }
    const size = <u64>e.size;
    if (len <= 0 || offset >= size) return 0;
    const n = <i32>min(<u64>len, size - offset);
    const g = this.g;
    const cs = <u64>g.clusterSize;
    if (e.firstCluster == 0) {
      corrupt("fat.file.no-cluster", e.name + " has " + size.toString() + " bytes but no first cluster");
      return <i32>FAILED;
    }
    const need = <u32>((size + cs - 1) / cs);
    const c = this.chain(e.firstCluster, need, e.name);
    if (c === null) return <i32>FAILED;
    if (c.clusters < need) {
      corrupt("fat.chain.short", e.name + ": " + size.toString() + " bytes need " + need.toString() +
        " clusters but the cluster chain ends after " + c.clusters.toString());
      return <i32>FAILED;
    }
    // Copy from the runs that overlap [offset, offset+n), each in one read.
    let done = 0;
    let runFileStart: u64 = 0;
    for (let r = 0; r < c.runStart.length && done < n; r++) {
      const runBytes = <u64>c.runLength[r] * cs;
      const runFileEnd = runFileStart + runBytes;
      const want = offset + <u64>done;
      if (want < runFileEnd) {
        const within = want - runFileStart;
        const take = <i32>min(runFileEnd - want, <u64>(n - done));
        const volOff = g.clusterOffset(c.runStart[r]) + within;
        if (volOff + <u64>take > this.dev.size) {
          corrupt("fat.cluster.past-end", e.name + ": data at " + hex64(volOff) + " lies past the end of the volume");
          return <i32>FAILED;
        }
        if (!this.dev.readInto(volOff, take, dst + <usize>done)) return <i32>FAILED;
        done += take;
      }
      runFileStart = runFileEnd;
    }
    return done;
  }

  readlink(node: u64): string | null {
    unsupported("fat.readlink", "FAT has no symbolic links");
    return null;
  }
}

/** Opens the FAT volume on `dev`; null with a "fat.*" error when its boot sector is unusable. */
export function openFat(dev: Device): FileSystem | null {
  if (dev.size < <u64>BOOT_SECTOR_LEN) {
    corrupt("fat.bpb.short", dev.name + ": too small for a FAT boot sector");
    return null;
  }
  const b = dev.read(0, BOOT_SECTOR_LEN);
  if (b === null) return null;
  const g = parseBootSector(b, dev.size);
  if (g === null) {
    const e = lastError();
    if (e !== null) e.message = dev.name + ": " + e.message;
    return null;
  }
  const fs = new FatFileSystem(dev, g);
  fs.loadRoot();
  return fs;
}
