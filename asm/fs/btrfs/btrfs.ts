// SPDX-License-Identifier: Apache-2.0
// Read-only Btrfs (btrfs docs, "On-disk Format"): superblock → chunk map →
// root tree → one filesystem tree per subvolume. A node id carries both the
// subvolume and the inode: (tree id << 40) | inode, so a directory entry that
// names another subvolume leads straight into that subvolume's tree.

import { Device } from "../../io/device";
import { FileSystem, FileKind, Stat, DirEntry, NOT_FOUND, FAILED } from "../filesystem";
import { corrupt, unsupported, limit, ioError, clearError, lastError } from "../../util/error";
import { JsonWriter } from "../../util/json";
import { hex64 } from "../../util/bytes";
import { crc32cUpdate } from "../../codec/crc32c";
import { Superblock, readSuperblock } from "./superblock";
import { ChunkMap, parseChunk, loadSysChunks, profileName, BG_DATA, BG_METADATA, BG_SYSTEM } from "./chunk-map";
import { TreeReader, Key, Item, U64_MAX } from "./tree";
import {
  INODE_ITEM_KEY, INODE_REF_KEY, DIR_ITEM_KEY, DIR_INDEX_KEY, EXTENT_DATA_KEY, ROOT_ITEM_KEY, ROOT_BACKREF_KEY,
  CHUNK_ITEM_KEY, FS_TREE_OBJECTID, ROOT_TREE_DIR_OBJECTID, FIRST_FREE_OBJECTID, FIRST_CHUNK_TREE_OBJECTID,
  LAST_FREE_OBJECTID, InodeItem, DirItem, parseDirItems, kindOfDirType, FileExtent, RootItem, RootRef,
  firstInodeRefName, FILE_EXTENT_PREALLOC, COMPRESS_NONE, MAX_NAME_LEN, compressionName,
} from "./items";
import { decompressExtent, MAX_COMPRESSED_RAM } from "./compression";

const INO_BITS: u64 = 40;
const INO_MASK: u64 = (<u64>1 << INO_BITS) - 1;
/** tree ids that fit a node id beside a 40-bit inode number */
const MAX_TREE_ID: u64 = (<u64>1 << 23) - 1;
const INODE_CACHE: i32 = 2048;
const EXTENT_CACHE: i32 = 16;
const MAX_DIR_ENTRIES: i32 = 1 << 20;
const MAX_FILE_EXTENTS: i32 = 1 << 20;
const MAX_SUBVOLUMES: i32 = 1 << 16;
/** Nested subvolumes and directories walked to name a subvolume's path. */
const MAX_PATH_DEPTH: i32 = 1024;
const MAX_SYMLINK: u64 = 65536;
/** Subvolumes describe() lists by name. */
const DESCRIBE_SUBVOLUMES: i32 = 256;

export function nodeId(tree: u64, ino: u64): u64 { return (tree << INO_BITS) | ino; }
export function treeOf(node: u64): u64 { return node >> INO_BITS; }
export function inoOf(node: u64): u64 { return node & INO_MASK; }

/** btrfs_name_hash: crc32c seeded with ~1, no final inversion. */
export function nameHash(name: Uint8Array): u64 {
  return <u64>crc32cUpdate(0xfffffffe, name, 0, name.length);
}

export class Subvolume {
  constructor(public id: u64, public parent: u64, public path: string) {}
}

export class BtrfsFileSystem extends FileSystem {
  tree: TreeReader;
  defaultSubvol: u64 = FS_TREE_OBJECTID;
  private roots: Map<u64, RootItem> = new Map<u64, RootItem>();
  private inodes: Map<u64, InodeItem> = new Map<u64, InodeItem>();
  private extents: Map<u64, FileExtent[]> = new Map<u64, FileExtent[]>();
  private extentKeys: u64[] = [];
  private lastDiskBytenr: u64 = 0;
  private lastDecoded: Uint8Array | null = null;
  compressionSeen: string[] = [];
  private subvolumeList: Subvolume[] | null = null;

  constructor(public dev: Device, public sb: Superblock, public chunks: ChunkMap, public where: string) {
    super();
    this.tree = new TreeReader(chunks, sb, where);
  }

  get type(): string { return "btrfs"; }
  get uuid(): string { return this.sb.fsid; }
  get label(): string { return this.sb.label; }
  get rootNode(): u64 { return nodeId(this.defaultSubvol, FIRST_FREE_OBJECTID); }

  // ---- trees -------------------------------------------------------------

  /** The ROOT_ITEM of tree `id` (a subvolume); null with the error set (absent: "btrfs.subvol.missing"). */
  rootItem(id: u64): RootItem | null {
    if (this.roots.has(id)) return this.roots.get(id);
    if (id > MAX_TREE_ID) {
      limit("btrfs.subvol.id", this.where + ": subvolume id " + id.toString() + " is beyond what this reader can address");
      return null;
    }
    const sb = this.sb;
    const it = this.tree.first(sb.root, <i32>sb.rootLevel, new Key(id, ROOT_ITEM_KEY, 0), new Key(id, ROOT_ITEM_KEY, U64_MAX), "root tree");
    if (it === null) {
      if (lastError() === null) corrupt("btrfs.subvol.missing", this.where + ": tree " + id.toString() + " has no ROOT_ITEM");
      return null;
    }
    const r = RootItem.parse(it.data, id, this.where);
    if (r === null) return null;
    this.roots.set(id, r);
    return r;
  }

  private items(node: u64, type: u32, lo: u64, hi: u64, max: i32, out: Item[], what: string, stopEarly: bool = false): bool {
    const r = this.rootItem(treeOf(node));
    if (r === null) return false;
    const ino = inoOf(node);
    return this.tree.collect(r.bytenr, r.level, new Key(ino, type, lo), new Key(ino, type, hi), max, out,
      "subvolume " + treeOf(node).toString() + " " + what, stopEarly);
  }

  // ---- inodes ------------------------------------------------------------

  getInode(node: u64): InodeItem | null {
    if (this.inodes.has(node)) return this.inodes.get(node);
    const ino = inoOf(node);
    const out: Item[] = [];
    if (!this.items(node, INODE_ITEM_KEY, 0, 0, 1, out, "inode " + ino.toString())) return null;
    if (out.length == 0) {
      corrupt("btrfs.inode.missing", this.where + ": subvolume " + treeOf(node).toString() + " has no inode " + ino.toString());
      return null;
    }
    const it = InodeItem.parse(out[0].data, this.where + ": subvolume " + treeOf(node).toString() + " inode " + ino.toString());
    if (it === null) return null;
    if (this.inodes.size >= INODE_CACHE) this.inodes.clear();
    this.inodes.set(node, it);
    return it;
  }

  stat(node: u64): Stat | null {
    const it = this.getInode(node);
    if (it === null) return null;
    return Stat.posix(node, it.kind, it.mode, it.size, it.uid, it.gid, it.nlink, it.mtime);
  }

  private dirInode(dir: u64): InodeItem | null {
    const it = this.getInode(dir);
    if (it === null) return null;
    if (it.kind != FileKind.Dir) {
      corrupt("btrfs.dir.kind", this.where + ": subvolume " + treeOf(dir).toString() + " inode " + inoOf(dir).toString() + " is not a directory");
      return null;
    }
    return it;
  }

  /** Node id a directory entry leads to (into another subvolume when it names one); 0 with the error set. */
  private entryNode(dir: u64, e: DirItem): u64 {
    const loc = e.location;
    if (loc.type == ROOT_ITEM_KEY) {
      if (loc.objectid > MAX_TREE_ID || loc.objectid < FIRST_FREE_OBJECTID) {
        corrupt("btrfs.dir.subvol", this.where + ": entry " + e.nameString() + " names tree " + loc.objectid.toString() + ", not a subvolume");
        return 0;
      }
      return nodeId(loc.objectid, FIRST_FREE_OBJECTID);
    }
    if (loc.type != INODE_ITEM_KEY || loc.objectid == 0 || loc.objectid > INO_MASK) {
      corrupt("btrfs.dir.location", this.where + ": entry " + e.nameString() + " in directory " + inoOf(dir).toString() +
        " points at key " + loc.toString());
      return 0;
    }
    return nodeId(treeOf(dir), loc.objectid);
  }

  lookup(dir: u64, name: string): i64 {
    if (this.dirInode(dir) === null) return FAILED;
    if (name == ".") return <i64>dir;
    if (name == "..") return this.parentOf(dir);
    const target = Uint8Array.wrap(String.UTF8.encode(name));
    if (target.length == 0 || target.length > MAX_NAME_LEN || target.includes(0x2f)) return NOT_FOUND;
    const h = nameHash(target);
    const out: Item[] = [];
    if (!this.items(dir, DIR_ITEM_KEY, h, h, 1, out, "directory " + inoOf(dir).toString())) return FAILED;
    if (out.length == 0) return NOT_FOUND;
    const ents = parseDirItems(out[0].data, this.where + ": directory " + inoOf(dir).toString() + " DIR_ITEM");
    if (ents === null) return FAILED;
    for (let i = 0; i < ents.length; i++) {
      const e = ents[i];
      if (!e.nameIs(target)) continue;
      const n = this.entryNode(dir, e);
      if (n == 0) return FAILED;
      if (e.location.type == ROOT_ITEM_KEY && this.rootItem(e.location.objectid) === null) return FAILED;
      return <i64>n;
    }
    return NOT_FOUND;
  }

  /** ".." of a directory: its INODE_REF, or for a subvolume's top directory the ROOT_BACKREF. */
  private parentOf(dir: u64): i64 {
    const tree = treeOf(dir), ino = inoOf(dir);
    if (ino == FIRST_FREE_OBJECTID) {
      if (tree == FS_TREE_OBJECTID) return <i64>dir;
      const sb = this.sb;
      const it = this.tree.first(sb.root, <i32>sb.rootLevel, new Key(tree, ROOT_BACKREF_KEY, 0), new Key(tree, ROOT_BACKREF_KEY, U64_MAX), "root tree");
      if (it === null) {
        if (lastError() !== null) return FAILED;
        return <i64>dir; // a detached subvolume: its top is its own parent
      }
      const ref = RootRef.parse(it.data, this.where);
      if (ref === null) return FAILED;
      return <i64>nodeId(it.offset, ref.dirid);
    }
    const out: Item[] = [];
    if (!this.items(dir, INODE_REF_KEY, 0, U64_MAX, 1, out, "inode " + ino.toString(), true)) return FAILED;
    if (out.length == 0) {
      corrupt("btrfs.inode-ref.missing", this.where + ": directory " + ino.toString() + " of subvolume " + tree.toString() + " has no INODE_REF");
      return FAILED;
    }
    return <i64>nodeId(tree, out[0].offset);
  }

  readdir(dir: u64): DirEntry[] | null {
    if (this.dirInode(dir) === null) return null;
    const out: Item[] = [];
    // DIR_INDEX items list each entry once, in creation order (index 0 and 1 are "." and "..", never stored)
    if (!this.items(dir, DIR_INDEX_KEY, 2, U64_MAX, MAX_DIR_ENTRIES, out, "directory " + inoOf(dir).toString())) return null;
    const list: DirEntry[] = [];
    for (let i = 0; i < out.length; i++) {
      const ents = parseDirItems(out[i].data, this.where + ": directory " + inoOf(dir).toString() + " DIR_INDEX " + out[i].offset.toString());
      if (ents === null) return null;
      if (ents.length != 1) {
        corrupt("btrfs.dir-index.count", this.where + ": DIR_INDEX " + out[i].offset.toString() + " of directory " +
          inoOf(dir).toString() + " holds " + ents.length.toString() + " entries, not 1");
        return null;
      }
      const e = ents[0];
      const n = this.entryNode(dir, e);
      if (n == 0) return null;
      list.push(new DirEntry(e.nameString(), n, e.location.type == ROOT_ITEM_KEY ? FileKind.Dir : kindOfDirType(e.type)));
    }
    return list;
  }

  // ---- file data ---------------------------------------------------------

  private fileExtents(node: u64): FileExtent[] | null {
    if (this.extents.has(node)) return this.extents.get(node);
    const out: Item[] = [];
    if (!this.items(node, EXTENT_DATA_KEY, 0, U64_MAX, MAX_FILE_EXTENTS, out, "file " + inoOf(node).toString())) return null;
    const list: FileExtent[] = [];
    const w = this.where + ": subvolume " + treeOf(node).toString() + " inode " + inoOf(node).toString();
    for (let i = 0; i < out.length; i++) {
      const e = FileExtent.parse(out[i].data, out[i].offset, w);
      if (e === null) return null;
      list.push(e);
    }
    if (this.extentKeys.length >= EXTENT_CACHE) this.extents.delete(this.extentKeys.shift());
    this.extents.set(node, list);
    this.extentKeys.push(node);
    return list;
  }

  read(node: u64, offset: u64, len: i32, dst: usize): i32 {
    if (len < 0) {
      ioError("btrfs.read.length", this.where + ": negative read length");
      return <i32>FAILED;
    }
    const it = this.getInode(node);
    if (it === null) return <i32>FAILED;
    if (it.kind == FileKind.Dir) {
      corrupt("btrfs.read.directory", this.where + ": inode " + inoOf(node).toString() + " is a directory, not a file");
      return <i32>FAILED;
    }
    if (offset >= it.size || len == 0) return 0;
    const n = <i32>min(<u64>len, it.size - offset);
    return this.readData(node, offset, n, dst) ? n : <i32>FAILED;
  }

  private readData(node: u64, offset: u64, n: i32, dst: usize): bool {
    const list = this.fileExtents(node);
    if (list === null) return false;
    const end = offset + <u64>n;
    // holes (no extent, or no_holes gaps) and preallocated space read as zeros
    memory.fill(dst, 0, <usize>n);
    const w = this.where + ": subvolume " + treeOf(node).toString() + " inode " + inoOf(node).toString();
    for (let i = 0; i < list.length; i++) {
      const e = unchecked(list[i]);
      const eEnd = e.fileOffset + e.length;
      if (eEnd <= offset || e.fileOffset >= end) continue;
      const s = max(e.fileOffset, offset);
      const t = min(eEnd, end);
      const out = dst + <usize>(s - offset);
      const within = s - e.fileOffset;
      if (e.encryption != 0 || e.otherEncoding != 0) {
        unsupported("btrfs.extent.encoding", w + ": extent at " + hex64(e.fileOffset) + " is encrypted or encoded (" +
          e.encryption.toString() + "/" + e.otherEncoding.toString() + ")");
        return false;
      }
      const inl = e.inline;
      if (inl !== null) {
        let data = inl;
        if (e.compression != COMPRESS_NONE) {
          if (e.ramBytes > <u64>this.sb.sectorSize * 2 || e.ramBytes == 0) {
            corrupt("btrfs.extent.inline-size", w + ": inline extent claims " + e.ramBytes.toString() + " bytes of data");
            return false;
          }
          this.noteCompression(e.compression);
          const d = decompressExtent(e.compression, inl, <i32>e.ramBytes, <i32>this.sb.sectorSize, w + " inline extent");
          if (d === null) return false;
          data = d;
        }
        memory.copy(out, data.dataStart + <usize>within, <usize>(t - s));
        continue;
      }
      if (e.kind == FILE_EXTENT_PREALLOC || e.diskBytenr == 0) continue;
      if (e.compression == COMPRESS_NONE) {
        if (!this.chunks.readInto(e.diskBytenr + e.offset + within, <i32>(t - s), out)) return false;
        continue;
      }
      const d = this.decoded(e, w);
      if (d === null) return false;
      memory.copy(out, d.dataStart + <usize>(e.offset + within), <usize>(t - s));
    }
    return true;
  }

  /** The whole decompressed extent (the last one is kept: reads come in consecutive pieces). */
  private decoded(e: FileExtent, w: string): Uint8Array | null {
    const last = this.lastDecoded;
    if (last !== null && this.lastDiskBytenr == e.diskBytenr && <u64>last.length == e.ramBytes) return last;
    const where = w + ": compressed extent at " + hex64(e.diskBytenr);
    if (e.ramBytes == 0 || e.ramBytes > MAX_COMPRESSED_RAM || e.diskNumBytes == 0 || e.diskNumBytes > MAX_COMPRESSED_RAM) {
      corrupt("btrfs.extent.compressed-size", where + " claims " + e.diskNumBytes.toString() + " bytes on disk for " +
        e.ramBytes.toString() + " bytes of data (Btrfs writes at most 128 KiB each)");
      return null;
    }
    if (e.offset + e.numBytes > e.ramBytes) {
      corrupt("btrfs.extent.range", where + ": file range " + e.offset.toString() + "+" + e.numBytes.toString() +
        " lies outside its " + e.ramBytes.toString() + " bytes");
      return null;
    }
    this.noteCompression(e.compression);
    const src = this.chunks.read(e.diskBytenr, <i32>e.diskNumBytes);
    if (src === null) return null;
    const d = decompressExtent(e.compression, src, <i32>e.ramBytes, <i32>this.sb.sectorSize, where);
    if (d === null) return null;
    this.lastDiskBytenr = e.diskBytenr;
    this.lastDecoded = d;
    return d;
  }

  private noteCompression(c: u8): void {
    const n = compressionName(c);
    if (!this.compressionSeen.includes(n)) this.compressionSeen.push(n);
  }

  readlink(node: u64): string | null {
    const it = this.getInode(node);
    if (it === null) return null;
    if (it.kind != FileKind.Symlink) {
      corrupt("btrfs.symlink.kind", this.where + ": inode " + inoOf(node).toString() + " is not a symbolic link");
      return null;
    }
    if (it.size == 0 || it.size > MAX_SYMLINK) {
      corrupt("btrfs.symlink.size", this.where + ": symlink " + inoOf(node).toString() + " claims a target of " + it.size.toString() + " bytes");
      return null;
    }
    const n = <i32>it.size;
    const buf = new Uint8Array(n);
    if (!this.readData(node, 0, n, buf.dataStart)) return null;
    return String.UTF8.decodeUnsafe(buf.dataStart, <usize>n, false);
  }

  // ---- subvolumes --------------------------------------------------------

  /** Node of the subvolume `path` names from the top level ("@/home", "/@/home"); NOT_FOUND / FAILED. */
  subvolumeByPath(path: string): i64 {
    let node: u64 = nodeId(FS_TREE_OBJECTID, FIRST_FREE_OBJECTID);
    const parts = path.split("/");
    if (parts.length > MAX_PATH_DEPTH) {
      limit("btrfs.subvol.path", this.where + ": subvolume path " + path + " has too many components");
      return FAILED;
    }
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (p.length == 0 || p == ".") continue;
      const r = this.lookup(node, p);
      if (r <= 0) return r;
      node = <u64>r;
    }
    if (inoOf(node) != FIRST_FREE_OBJECTID) {
      unsupported("btrfs.subvol.not-subvolume", this.where + ": " + path + " is a directory, not a subvolume");
      return FAILED;
    }
    return <i64>node;
  }

  /** Node of subvolume `id` (5 = the top level); FAILED with the error set. */
  subvolumeById(id: u64): i64 {
    if (id == 0) id = FS_TREE_OBJECTID;
    const r = this.rootItem(id);
    if (r === null) return FAILED;
    return <i64>nodeId(id, FIRST_FREE_OBJECTID);
  }

  /** Every subvolume with its path from the top level; null with the error set. */
  subvolumes(): Subvolume[] | null {
    const known = this.subvolumeList;
    if (known !== null) return known;
    const sb = this.sb;
    const out: Item[] = [];
    if (!this.tree.collect(sb.root, <i32>sb.rootLevel, new Key(FIRST_FREE_OBJECTID, 0, 0), new Key(LAST_FREE_OBJECTID, 255, U64_MAX),
      MAX_SUBVOLUMES * 4, out, "root tree")) return null;
    const ids: u64[] = [];
    const parents = new Map<u64, u64>();
    const refs = new Map<u64, RootRef>();
    for (let i = 0; i < out.length; i++) {
      const it = out[i];
      if (it.type == ROOT_ITEM_KEY && !ids.includes(it.objectid)) ids.push(it.objectid);
      if (it.type == ROOT_BACKREF_KEY && !parents.has(it.objectid)) {
        const ref = RootRef.parse(it.data, this.where);
        if (ref === null) return null;
        parents.set(it.objectid, it.offset);
        refs.set(it.objectid, ref);
      }
    }
    const list: Subvolume[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      const p = this.subvolumePath(id, parents, refs);
      if (p === null) return null;
      list.push(new Subvolume(id, parents.has(id) ? parents.get(id) : 0, p));
    }
    this.subvolumeList = list;
    return list;
  }

  private subvolumePath(id: u64, parents: Map<u64, u64>, refs: Map<u64, RootRef>): string | null {
    let path = "";
    let cur = id;
    for (let depth = 0; ; depth++) {
      if (depth > MAX_PATH_DEPTH) {
        corrupt("btrfs.subvol.loop", this.where + ": the parents of subvolume " + id.toString() + " form a loop");
        return null;
      }
      if (cur == FS_TREE_OBJECTID || !parents.has(cur)) break;
      const parent = parents.get(cur);
      const ref = refs.get(cur);
      const dir = this.dirPath(parent, ref.dirid);
      if (dir === null) return null;
      path = dir + ref.name + (path.length > 0 ? "/" + path : "");
      cur = parent;
    }
    return path;
  }

  /** "a/b/" of directory `dirid` in subvolume `tree` ("" for its top). */
  private dirPath(tree: u64, dirid: u64): string | null {
    let path = "";
    let ino = dirid;
    for (let depth = 0; ino != FIRST_FREE_OBJECTID; depth++) {
      if (depth > MAX_PATH_DEPTH) {
        corrupt("btrfs.inode-ref.loop", this.where + ": the parents of directory " + dirid.toString() + " in subvolume " + tree.toString() + " form a loop");
        return null;
      }
      const out: Item[] = [];
      if (!this.items(nodeId(tree, ino), INODE_REF_KEY, 0, U64_MAX, 1, out, "inode " + ino.toString(), true)) return null;
      if (out.length == 0) {
        corrupt("btrfs.inode-ref.missing", this.where + ": directory " + ino.toString() + " of subvolume " + tree.toString() + " has no INODE_REF");
        return null;
      }
      const name = firstInodeRefName(out[0].data, this.where);
      if (name === null) return null;
      path = name + "/" + path;
      ino = out[0].offset;
    }
    return path;
  }

  describe(): string {
    const sb = this.sb;
    const w = new JsonWriter();
    w.beginObject();
    w.prop("type", "btrfs");
    w.propNum("generation", <f64>sb.generation);
    w.propNum("sectorSize", sb.sectorSize);
    w.propNum("nodeSize", sb.nodeSize);
    w.propNum("totalBytes", <f64>sb.totalBytes);
    w.propNum("bytesUsed", <f64>sb.bytesUsed);
    w.propNum("numDevices", <f64>sb.numDevices);
    w.propNum("devid", <f64>sb.devid);
    w.prop("checksum", sb.csumName);
    w.propBool("superblockChecksumVerified", sb.checksumVerified);
    w.propNum("superblockAt", <f64>sb.at);
    w.propBool("superblockFromMirror", sb.fromMirror);
    if (sb.fromMirror) w.prop("superblockPrimaryError", sb.primaryError);
    w.arrKey("incompat");
    const ic = sb.incompatNames();
    for (let i = 0; i < ic.length; i++) w.str(ic[i]);
    w.endArray();
    w.arrKey("compatRo");
    const cr = sb.compatRoNames();
    for (let i = 0; i < cr.length; i++) w.str(cr[i]);
    w.endArray();
    w.prop("dataProfile", this.profileOf(BG_DATA));
    w.prop("metadataProfile", this.profileOf(BG_METADATA));
    w.prop("systemProfile", this.profileOf(BG_SYSTEM));
    w.propNum("chunks", this.chunks.chunks.length);
    w.propNum("defaultSubvolume", <f64>this.defaultSubvol);
    const subs = this.subvolumes();
    if (subs === null) {
      const e = lastError();
      w.prop("subvolumesError", e !== null ? e.message : "unreadable");
      clearError();
    } else {
      w.propNum("subvolumeCount", subs.length);
      // snapper keeps hundreds of snapshots on some systems: list the first ones only
      w.arrKey("subvolumes");
      for (let i = 0; i < subs.length && i < DESCRIBE_SUBVOLUMES; i++) {
        w.beginObject().propNum("id", <f64>subs[i].id).propNum("parent", <f64>subs[i].parent).prop("path", subs[i].path).endObject();
      }
      w.endArray();
    }
    w.endObject();
    return w.toString();
  }

  private profileOf(kind: u64): string {
    const seen: string[] = [];
    const cs = this.chunks.chunks;
    for (let i = 0; i < cs.length; i++) {
      if ((cs[i].type & kind) == 0) continue;
      const p = profileName(cs[i].type);
      if (!seen.includes(p)) seen.push(p);
    }
    return seen.join(",");
  }
}

/** Opens a Btrfs filesystem on `dev`; null with the error set when it cannot be read. */
export function openBtrfs(dev: Device): BtrfsFileSystem | null {
  const where = dev.name.length > 0 ? dev.name : "btrfs filesystem";
  const sb = readSuperblock(dev, where);
  if (sb === null) return null;
  const chunks = new ChunkMap(dev, sb.devid, where);
  if (!loadSysChunks(chunks, sb.sysChunkArray(), sb.sectorSize)) return null;
  const fs = new BtrfsFileSystem(dev, sb, chunks, where);
  // the chunk tree completes the map (its own nodes live in the SYSTEM chunks just loaded)
  const items: Item[] = [];
  if (!fs.tree.collect(sb.chunkRoot, <i32>sb.chunkRootLevel, new Key(FIRST_CHUNK_TREE_OBJECTID, CHUNK_ITEM_KEY, 0),
    new Key(FIRST_CHUNK_TREE_OBJECTID, CHUNK_ITEM_KEY, U64_MAX), 1 << 20, items, "chunk tree")) return null;
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    const c = parseChunk(it.data, 0, it.data.length, it.offset, sb.sectorSize, where + ": chunk tree");
    if (c === null) return null;
    if (!chunks.add(c)) return null;
  }
  // the default subvolume: the root tree directory's "default" entry (btrfs subvolume set-default)
  const def = Uint8Array.wrap(String.UTF8.encode("default"));
  const h = nameHash(def);
  const di = fs.tree.first(sb.root, <i32>sb.rootLevel, new Key(ROOT_TREE_DIR_OBJECTID, DIR_ITEM_KEY, h),
    new Key(ROOT_TREE_DIR_OBJECTID, DIR_ITEM_KEY, h), "root tree");
  if (di === null && lastError() !== null) return null;
  if (di !== null) {
    const ents = parseDirItems(di.data, where + ": root tree directory");
    if (ents === null) return null;
    for (let i = 0; i < ents.length; i++) {
      if (!ents[i].nameIs(def)) continue;
      const id = ents[i].location.objectid;
      if (id != FS_TREE_OBJECTID && (id < FIRST_FREE_OBJECTID || id > MAX_TREE_ID)) {
        corrupt("btrfs.default-subvol", where + ": the default subvolume id " + id.toString() + " is not a subvolume");
        return null;
      }
      fs.defaultSubvol = id;
    }
  }
  const root = fs.getInode(fs.rootNode);
  if (root === null) return null;
  if (root.kind != FileKind.Dir) {
    corrupt("btrfs.root.kind", where + ": the top directory of subvolume " + fs.defaultSubvol.toString() + " is not a directory");
    return null;
  }
  return fs;
}
