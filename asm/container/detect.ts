// SPDX-License-Identifier: Apache-2.0
// Names the container a file holds by its content, never by its name. Raw
// images and fixed VHDs (raw data followed by a 512-byte "conectix" footer) are
// read here; every other container is named and reported as not supported yet.

import { Device, SliceDevice } from "../io/device";
import { asciiAt, u32be, u64be } from "../util/bytes";
import { unsupported } from "../util/error";

export class Container {
  constructor(public format: string, public disk: Device, public notes: string[]) {}
}

/** Formats recognised by magic that this build cannot open yet. */
function knownButUnsupported(b: Uint8Array): string {
  if (asciiAt(b, 0, "QFI\xfb")) return "qcow2";
  if (asciiAt(b, 0, "vhdxfile")) return "VHDX";
  if (asciiAt(b, 0, "KDMV") || asciiAt(b, 0, "COWD")) return "VMDK (sparse)";
  if (asciiAt(b, 0, "# Disk DescriptorFile")) return "VMDK descriptor";
  if (b.length >= 0x44 && u32be(b, 0x40) == 0x7f10dabe) return "VDI";
  if (asciiAt(b, 0, "conectix")) return "VHD (dynamic or differencing)";
  if (asciiAt(b, 0, "\x1f\x8b")) return "gzip";
  if (asciiAt(b, 0, "\xfd7zXZ\x00")) return "xz";
  if (asciiAt(b, 0, "\x28\xb5\x2f\xfd")) return "zstd";
  if (asciiAt(b, 0, "PK\x03\x04")) return "zip";
  if (asciiAt(b, 0, "BZh")) return "bzip2";
  if (asciiAt(b, 257, "ustar")) return "tar/OVA";
  if (asciiAt(b, 0, "WithoutFreeSpace") || asciiAt(b, 0, "WithouFreSpacExt")) return "Parallels";
  if (asciiAt(b, 0, "XPROPS")) return "Bochs";
  if (asciiAt(b, 0, "#!/bin/sh\n#V2.0 Format")) return "cloop";
  if (asciiAt(b, 0, "koly")) return "DMG";
  return "";
}

export const SUPPORTED_FORMATS = "raw disk images (.img/.raw) and fixed VHD";

export function openContainer(file: Device): Container | null {
  const headLen = <i32>min(<u64>4096, file.size);
  if (headLen == 0) {
    unsupported("container.empty", file.name + " is empty (0 bytes): not a disk image");
    return null;
  }
  const head = file.read(0, headLen);
  if (head === null) return null;
  const known = knownButUnsupported(head);
  if (known.length > 0 && known != "VHD (dynamic or differencing)") {
    unsupported("container.unsupported", file.name + " is a " + known + " file; this build reads " + SUPPORTED_FORMATS);
    return null;
  }
  if (file.size >= 512) {
    const foot = file.read(file.size - 512, 512);
    if (foot === null) return null;
    if (asciiAt(foot, 0, "conectix")) {
      const diskType = u32be(foot, 60);
      if (diskType == 2) {
        const current = u64be(foot, 48);
        const dataLen = file.size - 512;
        const notes: string[] = [];
        if (current != dataLen) notes.push("VHD footer says " + current.toString() + " bytes, the file holds " + dataLen.toString() + "; the file's size is used");
        if ((dataLen & 0xfffff) != 0) notes.push("virtual size is not a whole number of MiB (Azure requires that)");
        return new Container("vhd-fixed", new SliceDevice(file, 0, dataLen, file.name), notes);
      }
      unsupported("container.unsupported", file.name + " is a " + (diskType == 4 ? "differencing" : "dynamic") + " VHD; this build reads " + SUPPORTED_FORMATS);
      return null;
    }
  }
  if (known.length > 0) {
    unsupported("container.unsupported", file.name + " is a " + known + " file; this build reads " + SUPPORTED_FORMATS);
    return null;
  }
  return new Container("raw", file, []);
}
