// SPDX-License-Identifier: Apache-2.0
// Names the container a file holds by its content, never by its name, and
// opens it. With several files dropped together (an overlay and its backing
// file, a VMDK descriptor and its extents) the top image is the one no other
// file refers to; the others are opened as it names them.

import { Device } from "../io/device";
import { asciiAt, u32be } from "../util/bytes";
import { corrupt, unsupported, clearError } from "../util/error";
import { Container } from "./container";
import { FileSet } from "./files";
import { isQcow2, openQcow2, qcow2References } from "./qcow2";
import { isVhdFooter, openVhd, vhdReferences } from "./vhd";
import { isVhdx, openVhdx, vhdxReferences } from "./vhdx";
import { isVmdkSparse, isVmdkDescriptor, openVmdkSparse, openVmdkDescriptor, vmdkReferences } from "./vmdk";
import { isVdi, openVdi } from "./vdi";

export { Container } from "./container";

/** Formats recognised by magic that this build does not open. */
function knownButUnsupported(b: Uint8Array): string {
  if (asciiAt(b, 0, "COWD")) return "VMDK (ESX Server 2 sparse, COWD)";
  if (asciiAt(b, 0, "\x1f\x8b")) return "gzip";
  if (asciiAt(b, 0, "\xfd7zXZ\x00")) return "xz";
  if (asciiAt(b, 0, "\x28\xb5\x2f\xfd")) return "zstd";
  if (asciiAt(b, 0, "PK\x03\x04")) return "zip";
  if (asciiAt(b, 0, "BZh")) return "bzip2";
  if (asciiAt(b, 257, "ustar")) return "tar/OVA";
  if (asciiAt(b, 0, "WithoutFreeSpace") || asciiAt(b, 0, "WithouFreSpacExt")) return "Parallels";
  if (asciiAt(b, 0, "Bochs Virtual HD Image") || asciiAt(b, 0, "XPROPS")) return "Bochs";
  if (asciiAt(b, 0, "#!/bin/sh\n#V2.0 Format")) return "cloop";
  if (asciiAt(b, 0, "koly")) return "DMG";
  if (asciiAt(b, 0, "QFI\x00") || asciiAt(b, 0, "QEVM")) return "qcow (version 1) / QED";
  return "";
}

export const SUPPORTED_FORMATS = "raw, qcow2, VHD (fixed, dynamic, differencing), VHDX, VMDK (sparse, streamOptimized, flat, split) and VDI, also inside gzip, xz, zstd, zip or OVA";

/** Bytes of a file's start the sniff reads: one 4 KiB block. */
const SNIFF_LEN: i32 = 4096;

const enum Kind { Raw, Qcow2, Vhd, Vhdx, VmdkSparse, VmdkDescriptor, Vdi, Unsupported, Empty }

class Sniff {
  kind: Kind = Kind.Raw;
  what: string = "";
}

function sniff(file: Device): Sniff | null {
  const s = new Sniff();
  if (file.size == 0) { s.kind = Kind.Empty; return s; }
  // Every signature sniffed here lies in the first 2 KiB (a VMDK descriptor's keys).
  const head = file.read(0, <i32>min(<u64>SNIFF_LEN, file.size));
  if (head === null) return null;
  if (isQcow2(head)) s.kind = Kind.Qcow2;
  else if (isVhdx(head)) s.kind = Kind.Vhdx;
  else if (isVmdkSparse(head)) s.kind = Kind.VmdkSparse;
  else if (isVmdkDescriptor(head, file.size)) s.kind = Kind.VmdkDescriptor;
  else if (isVdi(head)) s.kind = Kind.Vdi;
  else {
    const known = knownButUnsupported(head);
    if (known.length > 0) { s.kind = Kind.Unsupported; s.what = known; return s; }
    if (file.size >= 512) {
      const foot = file.read(file.size - 512, 512);
      if (foot === null) return null;
      // Old Virtual PC fixed disks end with a 511-byte footer.
      const foot511 = file.read(file.size - 511, 511);
      if (foot511 === null) return null;
      if (isVhdFooter(foot) || isVhdFooter(foot511)) s.kind = Kind.Vhd;
      // Apple disk images end with their "koly" trailer.
      else if (asciiAt(foot, 0, "koly")) { s.kind = Kind.Unsupported; s.what = "DMG (Apple disk image)"; return s; }
    }
    // A dynamic VHD whose trailing footer is lost still starts with its copy.
    if (s.kind == Kind.Raw && isVhdFooter(head) && u32be(head, 60) >= 3) s.kind = Kind.Vhd;
  }
  return s;
}

/** Opens file `index` of the set as whatever container it holds; `from` names who asked. */
export function openByIndex(set: FileSet, index: i32, from: string): Container | null {
  const file = set.files[index];
  if (!set.enter(index, from.length > 0 ? from : file.name)) return null;
  const c = openSniffed(set, index, file);
  set.leave();
  if (c !== null && c.topFile.length == 0) c.topFile = file.name;
  if (c !== null && c.fileNames.length == 0) c.fileNames.push(file.name);
  if (c !== null && c.fileSize == 0) c.fileSize = file.size;
  return c;
}

function openSniffed(set: FileSet, index: i32, file: Device): Container | null {
  const s = sniff(file);
  if (s === null) return null;
  switch (s.kind) {
    case Kind.Empty:
      unsupported("container.empty", file.name + " is empty (0 bytes): not a disk image");
      return null;
    case Kind.Unsupported:
      unsupported("container.unsupported", file.name + " is a " + s.what + " file; this build reads " + SUPPORTED_FORMATS);
      return null;
    case Kind.Qcow2: return openQcow2(set, index);
    case Kind.Vhd: return openVhd(set, index);
    case Kind.Vhdx: return openVhdx(set, index);
    case Kind.VmdkSparse: return openVmdkSparse(set, index);
    case Kind.VmdkDescriptor: return openVmdkDescriptor(set, index);
    case Kind.Vdi: return openVdi(set, index);
    default: {
      const c = new Container("raw", file, []);
      c.fileSize = file.size;
      return c;
    }
  }
}

/** Opens the file `path` names (its last part matched among the dropped files). */
export function openReferenced(set: FileSet, path: string, owner: string, code: string, what: string): Container | null {
  const i = set.find(path);
  if (i < 0) {
    set.missing(code, owner, what, path);
    return null;
  }
  return openByIndex(set, i, owner);
}

/** Records `below` as the image under `c`: its name first, then its own chain. */
export function chainFacts(c: Container, below: Container): void {
  c.backingChain.push(below.topFile);
  for (let i = 0; i < below.backingChain.length; i++) c.backingChain.push(below.backingChain[i]);
  for (let i = 0; i < below.fileNames.length; i++) if (!c.fileNames.includes(below.fileNames[i])) c.fileNames.push(below.fileNames[i]);
  c.fileSize += below.fileSize;
}

/** The names a file refers to (backing files, parents, extents); empty when none or unreadable. */
function referencesOf(file: Device): string[] {
  const s = sniff(file);
  let out: string[] = [];
  if (s !== null) {
    if (s.kind == Kind.Qcow2) out = qcow2References(file);
    else if (s.kind == Kind.Vhd) out = vhdReferences(file);
    else if (s.kind == Kind.Vhdx) out = vhdxReferences(file);
    else if (s.kind == Kind.VmdkSparse || s.kind == Kind.VmdkDescriptor) out = vmdkReferences(file);
  }
  // Problems surface when the file is really opened; here they only mean "no references".
  clearError();
  return out;
}

/** Opens the image the person dropped: one file, or the top of several. */
export function openContainer(files: Device[]): Container | null {
  const set = new FileSet(files);
  let top = 0;
  if (files.length > 1) {
    const referenced = new Array<bool>(files.length).fill(false);
    for (let i = 0; i < files.length; i++) {
      const refs = referencesOf(files[i]);
      for (let k = 0; k < refs.length; k++) {
        const j = set.find(refs[k]);
        if (j >= 0 && j != i) referenced[j] = true;
      }
    }
    const tops: i32[] = [];
    for (let i = 0; i < files.length; i++) if (!referenced[i]) tops.push(i);
    if (tops.length == 0) {
      corrupt("container.chain.cycle", "every file given is named by another as its backing file, parent or extent: the chain loops");
      return null;
    }
    if (tops.length > 1) {
      let names = "";
      for (let i = 0; i < tops.length; i++) names += (i > 0 ? ", " : "") + files[tops[i]].name;
      unsupported("container.several-images", "the files " + names + " are separate disk images (none names the others as backing file, parent or extent); check one image at a time");
      return null;
    }
    top = tops[0];
  }
  const c = openByIndex(set, top, "");
  if (c === null) return null;
  for (let i = 0; i < files.length; i++) {
    if (!set.used.includes(i)) c.notes.push(files[i].name + " was given but " + c.topFile + " does not use it");
  }
  return c;
}
