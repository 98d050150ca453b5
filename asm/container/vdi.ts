// SPDX-License-Identifier: Apache-2.0
// VirtualBox VDI 1.1 (VirtualBox src/VBox/Storage/VDICore.h): a little-endian
// header after a 64-byte text banner, a block map of u32 block numbers (all
// ones: never written; all ones but the last bit: zeros), and the blocks.

import { Device } from "../io/device";
import { corrupt, limit, unsupported } from "../util/error";
import { hex64, u32le, u64le, uuidBE } from "../util/bytes";
import { Container } from "./container";
import { FileSet } from "./files";
import { MappedDevice, RunKind, TableCache } from "./mapped";

const VDI_SIGNATURE: u32 = 0xbeda107f;
const BLOCK_FREE: u32 = 0xffffffff;
const BLOCK_ZERO: u32 = 0xfffffffe;
const TYPE_NORMAL: u32 = 1;
const TYPE_FIXED: u32 = 2;
const TYPE_UNDO: u32 = 3;
const TYPE_DIFF: u32 = 4;
const HEADER_BYTES: i32 = 0x200;
/** VirtualBox caps a block map at 32-bit block numbers; 2^28 blocks of 1 MiB is 256 TiB */
const MAX_BLOCKS: u32 = 1 << 28;

export function isVdi(head: Uint8Array): bool {
  return u32le(head, 0x40) == VDI_SIGNATURE;
}

class VdiDevice extends MappedDevice {
  map_: TableCache = new TableCache(16);
  blockShift: u32;

  constructor(public file: Device, size: u64, public blockSize: u32, public blockExtra: u32,
    public mapOffset: u64, public dataOffset: u64, public blocks: u32) {
    super();
    this.name = file.name;
    this.virtualSize = size;
    this.blockShift = <u32>ctz(blockSize);
  }

  map(vOff: u64): bool {
    const bs = <u64>this.blockSize;
    const block = vOff >> this.blockShift;
    const inBlock = vOff & (bs - 1);
    const byteOff = block << 2;
    const t = this.map_.piece(this.file, this.mapOffset, <u64>this.blocks << 2, byteOff);
    if (t === null) return false;
    const e = u32le(t, <i32>(byteOff & 4095));
    this.runLen = bs - inBlock;
    if (e == BLOCK_FREE || e == BLOCK_ZERO) { this.runKind = RunKind.Zero; return true; }
    const host = this.dataOffset + <u64>e * (bs + <u64>this.blockExtra) + <u64>this.blockExtra + inBlock;
    if (e >= this.blocks || host >= this.file.size) {
      corrupt("vdi.map.out-of-range", this.name + ": block " + block.toString() + " maps to block " + e.toString() + " at " + hex64(host) + ", past the end of the file");
      return false;
    }
    this.runKind = RunKind.Data;
    this.runFile = this.file;
    this.runHost = host;
    return true;
  }
}

export function openVdi(set: FileSet, index: i32): Container | null {
  const file = set.files[index];
  const n = file.name;
  if (file.size < <u64>HEADER_BYTES) { corrupt("vdi.header.short", n + ": VDI file is shorter than its header"); return null; }
  const b = file.read(0, HEADER_BYTES);
  if (b === null) return null;
  const version = u32le(b, 0x44);
  if ((version >> 16) != 1) {
    unsupported("vdi.version", n + ": VDI version " + (version >> 16).toString() + "." + (version & 0xffff).toString() + " (1.1 is read)");
    return null;
  }
  const type = u32le(b, 0x4c);
  const mapOffset = <u64>u32le(b, 0x154);
  const dataOffset = <u64>u32le(b, 0x158);
  const size = u64le(b, 0x170);
  const blockSize = u32le(b, 0x178);
  const blockExtra = u32le(b, 0x17c);
  const blocks = u32le(b, 0x180);
  const allocated = u32le(b, 0x184);
  if (type == TYPE_DIFF || type == TYPE_UNDO) {
    unsupported("vdi.differencing", n + ": a differencing VDI (a VirtualBox snapshot, parent " + uuidBE(b, 0x1a8) +
      "); merge it into one disk first: VBoxManage clonemedium disk " + n + " merged.vdi");
    return null;
  }
  if (type != TYPE_NORMAL && type != TYPE_FIXED) { unsupported("vdi.type", n + ": VDI image type " + type.toString()); return null; }
  if (blockSize < 512 || popcnt(blockSize) != 1 || blockSize > (256 << 20)) {
    corrupt("vdi.block-size", n + ": VDI block size " + blockSize.toString() + " is not a power of two between 512 bytes and 256 MiB");
    return null;
  }
  if (blocks > MAX_BLOCKS) { limit("vdi.blocks", n + ": VDI claims " + blocks.toString() + " blocks"); return null; }
  if (size > <u64>blocks * <u64>blockSize) {
    corrupt("vdi.size", n + ": VDI disk size " + size.toString() + " needs more than its " + blocks.toString() + " blocks of " + blockSize.toString());
    return null;
  }
  if (mapOffset + (<u64>blocks << 2) > file.size) {
    corrupt("vdi.map.out-of-range", n + ": the VDI block map at " + hex64(mapOffset) + " runs past the end of the file");
    return null;
  }
  const dev = new VdiDevice(file, size, blockSize, blockExtra, mapOffset, dataOffset, blocks);
  const c = new Container("vdi", dev, []);
  c.subformat = type == TYPE_FIXED ? "fixed" : "dynamic";
  c.clusterSize = blockSize;
  c.allocatedSize = <i64>allocated * <i64>blockSize;
  return c;
}
