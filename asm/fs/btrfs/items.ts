// SPDX-License-Identifier: Apache-2.0
// The leaf items a filesystem tree holds (btrfs docs, "On-disk Format" →
// Item types): INODE_ITEM, DIR_ITEM / DIR_INDEX, INODE_REF, EXTENT_DATA,
// and the root tree's ROOT_ITEM and ROOT_REF / ROOT_BACKREF.

import { u8at, u16le, u32le, u64le, hex64, uuidBE } from "../../util/bytes";
import { corrupt } from "../../util/error";
import { FileKind } from "../filesystem";
import { KEY_SIZE, Key, keyAt } from "./tree";

// key types
export const INODE_ITEM_KEY: u32 = 1;
export const INODE_REF_KEY: u32 = 12;
export const INODE_EXTREF_KEY: u32 = 13;
export const XATTR_ITEM_KEY: u32 = 24;
export const DIR_ITEM_KEY: u32 = 84;
export const DIR_INDEX_KEY: u32 = 96;
export const EXTENT_DATA_KEY: u32 = 108;
export const ROOT_ITEM_KEY: u32 = 132;
export const ROOT_BACKREF_KEY: u32 = 144;
export const ROOT_REF_KEY: u32 = 156;
export const CHUNK_ITEM_KEY: u32 = 228;

// objectids
export const ROOT_TREE_OBJECTID: u64 = 1;
export const CHUNK_TREE_OBJECTID: u64 = 3;
export const FS_TREE_OBJECTID: u64 = 5;
export const ROOT_TREE_DIR_OBJECTID: u64 = 6;
export const FIRST_FREE_OBJECTID: u64 = 256;
export const FIRST_CHUNK_TREE_OBJECTID: u64 = 256;
/** BTRFS_LAST_FREE_OBJECTID (-256): subvolume ids and inode numbers stay below it */
export const LAST_FREE_OBJECTID: u64 = 0xffffffffffffff00;

export const INODE_ITEM_SIZE: i32 = 160;
const DIR_ITEM_HEADER: i32 = KEY_SIZE + 8 + 2 + 2 + 1; // location, transid, data_len, name_len, type
export const MAX_NAME_LEN: i32 = 255;

export class InodeItem {
  size: u64 = 0;
  nbytes: u64 = 0;
  nlink: u32 = 0;
  uid: u32 = 0;
  gid: u32 = 0;
  mode: u32 = 0;
  flags: u64 = 0;
  mtime: i64 = 0;

  get kind(): FileKind { return kindOfMode(this.mode); }

  static parse(d: Uint8Array, where: string): InodeItem | null {
    if (d.length < INODE_ITEM_SIZE) {
      corrupt("btrfs.inode.size", where + ": INODE_ITEM is " + d.length.toString() + " bytes, not " + INODE_ITEM_SIZE.toString());
      return null;
    }
    const n = new InodeItem();
    n.size = u64le(d, 16);
    n.nbytes = u64le(d, 24);
    n.nlink = u32le(d, 40);
    n.uid = u32le(d, 44);
    n.gid = u32le(d, 48);
    n.mode = u32le(d, 52);
    n.flags = u64le(d, 64);
    n.mtime = <i64>u64le(d, 136);
    return n;
  }
}

export function kindOfMode(mode: u32): FileKind {
  switch (mode & 0xf000) {
    case 0x8000: return FileKind.File;
    case 0x4000: return FileKind.Dir;
    case 0xa000: return FileKind.Symlink;
    case 0: return FileKind.Unknown;
    default: return FileKind.Other;
  }
}

/** BTRFS_FT_* of a directory entry */
export function kindOfDirType(t: u32): FileKind {
  switch (t) {
    case 1: return FileKind.File;
    case 2: return FileKind.Dir;
    case 7: return FileKind.Symlink;
    case 3: case 4: case 5: case 6: return FileKind.Other;
    default: return FileKind.Unknown;
  }
}

/** One entry of a DIR_ITEM / DIR_INDEX item (a DIR_ITEM may pack several with the same name hash). */
export class DirItem {
  constructor(public location: Key, public type: u32, public name: Uint8Array) {}
  nameString(): string { return String.UTF8.decodeUnsafe(this.name.dataStart, <usize>this.name.length, false); }
  nameIs(t: Uint8Array): bool {
    if (t.length != this.name.length) return false;
    return memory.compare(t.dataStart, this.name.dataStart, <usize>t.length) == 0;
  }
}

/** Parses every entry packed in a DIR_ITEM/DIR_INDEX item's data; null with the error set. */
export function parseDirItems(d: Uint8Array, where: string): DirItem[] | null {
  const out: DirItem[] = [];
  let off = 0;
  while (off < d.length) {
    if (off + DIR_ITEM_HEADER > d.length) {
      corrupt("btrfs.dir-item.short", where + ": directory entry at byte " + off.toString() + " is cut short");
      return null;
    }
    const loc = keyAt(d, off);
    const dataLen = <i32>u16le(d, off + 25);
    const nameLen = <i32>u16le(d, off + 27);
    const type = u8at(d, off + 29);
    const end = off + DIR_ITEM_HEADER + nameLen + dataLen;
    if (nameLen == 0 || end > d.length) {
      corrupt("btrfs.dir-item.name", where + ": directory entry at byte " + off.toString() + " has a name of " +
        nameLen.toString() + " bytes and " + dataLen.toString() + " data bytes, which do not fit the item (" + d.length.toString() + ")");
      return null;
    }
    if (type != 8 && nameLen > MAX_NAME_LEN) { // xattr names (type 8) may be longer
      corrupt("btrfs.dir-item.name", where + ": directory entry name of " + nameLen.toString() + " bytes (at most 255)");
      return null;
    }
    out.push(new DirItem(loc, type, d.slice(off + DIR_ITEM_HEADER, off + DIR_ITEM_HEADER + nameLen)));
    off = end;
  }
  return out;
}

// EXTENT_DATA
export const FILE_EXTENT_INLINE: u8 = 0;
export const FILE_EXTENT_REG: u8 = 1;
export const FILE_EXTENT_PREALLOC: u8 = 2;
export const COMPRESS_NONE: u8 = 0;
export const COMPRESS_ZLIB: u8 = 1;
export const COMPRESS_LZO: u8 = 2;
export const COMPRESS_ZSTD: u8 = 3;
const FILE_EXTENT_INLINE_DATA: i32 = 21;
const FILE_EXTENT_REG_SIZE: i32 = 53;

export function compressionName(c: u32): string {
  switch (c) {
    case 0: return "none";
    case 1: return "zlib";
    case 2: return "lzo";
    case 3: return "zstd";
    default: return "type " + c.toString();
  }
}

export class FileExtent {
  /** file offset (the key's offset) */
  fileOffset: u64 = 0;
  ramBytes: u64 = 0;
  compression: u8 = 0;
  encryption: u8 = 0;
  otherEncoding: u16 = 0;
  kind: u8 = 0;
  // regular / prealloc
  diskBytenr: u64 = 0;
  diskNumBytes: u64 = 0;
  offset: u64 = 0;
  numBytes: u64 = 0;
  /** inline: the stored bytes (compressed when compression != 0) */
  inline: Uint8Array | null = null;

  /** Bytes of the file this extent covers. */
  get length(): u64 {
    const d = this.inline;
    if (d !== null) return this.compression != 0 ? this.ramBytes : <u64>d.length;
    return this.numBytes;
  }

  static parse(d: Uint8Array, fileOffset: u64, where: string): FileExtent | null {
    const w = where + ": extent at file offset " + hex64(fileOffset);
    if (d.length < FILE_EXTENT_INLINE_DATA) {
      corrupt("btrfs.extent.size", w + " is cut short (" + d.length.toString() + " bytes)");
      return null;
    }
    const e = new FileExtent();
    e.fileOffset = fileOffset;
    e.ramBytes = u64le(d, 8);
    e.compression = <u8>d[16];
    e.encryption = <u8>d[17];
    e.otherEncoding = <u16>u16le(d, 18);
    e.kind = <u8>d[20];
    if (e.kind == FILE_EXTENT_INLINE) {
      e.inline = d.slice(FILE_EXTENT_INLINE_DATA);
      return e;
    }
    if (e.kind != FILE_EXTENT_REG && e.kind != FILE_EXTENT_PREALLOC) {
      corrupt("btrfs.extent.type", w + " has unknown type " + e.kind.toString());
      return null;
    }
    if (d.length < FILE_EXTENT_REG_SIZE) {
      corrupt("btrfs.extent.size", w + " is " + d.length.toString() + " bytes, not " + FILE_EXTENT_REG_SIZE.toString());
      return null;
    }
    e.diskBytenr = u64le(d, 21);
    e.diskNumBytes = u64le(d, 29);
    e.offset = u64le(d, 37);
    e.numBytes = u64le(d, 45);
    if (fileOffset + e.numBytes < fileOffset) {
      corrupt("btrfs.extent.length", w + " length " + hex64(e.numBytes) + " wraps around");
      return null;
    }
    return e;
  }
}

/** ROOT_ITEM: where a tree's root node is and which inode is its top directory. */
export class RootItem {
  id: u64 = 0;
  bytenr: u64 = 0;
  level: i32 = 0;
  rootDirid: u64 = 0;
  flags: u64 = 0;
  generation: u64 = 0;
  uuid: string = "";

  static parse(d: Uint8Array, id: u64, where: string): RootItem | null {
    if (d.length < 239) {
      corrupt("btrfs.root-item.size", where + ": ROOT_ITEM of tree " + id.toString() + " is " + d.length.toString() + " bytes");
      return null;
    }
    const r = new RootItem();
    r.id = id;
    r.generation = u64le(d, 160);
    r.rootDirid = u64le(d, 168);
    r.bytenr = u64le(d, 176);
    r.flags = u64le(d, 208);
    r.level = <i32>u8at(d, 238);
    if (d.length >= 263) {
      let zero = true;
      for (let i = 247; i < 263; i++) if (d[i] != 0) { zero = false; break; }
      if (!zero) r.uuid = uuidBE(d, 247);
    }
    if (r.level >= 8) {
      corrupt("btrfs.root-item.level", where + ": tree " + id.toString() + " has root level " + r.level.toString() + " (at most 7)");
      return null;
    }
    return r;
  }
}

/** ROOT_REF / ROOT_BACKREF data: the directory of the parent holding the subvolume, and its name. */
export class RootRef {
  constructor(public dirid: u64, public name: string) {}
  static parse(d: Uint8Array, where: string): RootRef | null {
    const n = <i32>u16le(d, 16);
    if (d.length < 18 || 18 + n > d.length) {
      corrupt("btrfs.root-ref.size", where + ": ROOT_REF item is cut short");
      return null;
    }
    return new RootRef(u64le(d, 0), String.UTF8.decodeUnsafe(d.dataStart + 18, <usize>n, false));
  }
}

/** INODE_REF data: (index, name) pairs naming the inode in its parent (the key's offset). */
export function firstInodeRefName(d: Uint8Array, where: string): string | null {
  if (d.length < 10) {
    corrupt("btrfs.inode-ref.size", where + ": INODE_REF item is cut short");
    return null;
  }
  const n = <i32>u16le(d, 8);
  if (10 + n > d.length) {
    corrupt("btrfs.inode-ref.size", where + ": INODE_REF name of " + n.toString() + " bytes does not fit");
    return null;
  }
  return String.UTF8.decodeUnsafe(d.dataStart + 10, <usize>n, false);
}
