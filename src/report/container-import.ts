// SPDX-License-Identifier: Apache-2.0
// What the container means for the import: Alibaba Cloud ECS imports raw,
// qcow2, VHD and VMDK files; anything else, or an image that needs other files
// to be whole (a backing chain, split extents), is converted to one qcow2 first;
// a compressed file (.img.gz) is decompressed first.
import type { ContainerInfo } from './types';

export interface RawContainer {
  subformat: string;
  topFile: string;
  fileSize: number;
  allocatedSize: number;
  clusterSize: number;
  compression: string;
  backingChain: string[];
  files: string[];
}

const ACCEPTED = new Set(['raw', 'qcow2', 'vhd', 'vmdk']);
const NAMES: Record<string, string> = { raw: 'raw', qcow2: 'qcow2', vhd: 'VHD', vhdx: 'VHDX', vmdk: 'VMDK', vdi: 'VDI' };

function convert(top: string): string {
  const stem = top.replace(/\.[^./\\]*$/, '');
  const out = stem + '.qcow2';
  return `qemu-img convert -O qcow2 ${top} ${out === top ? stem + '-flat.qcow2' : out}`;
}

/** The shell command that gives back the plain image from an archive member and/or a compressed file. */
function unpackCommand(topFile: string, compression: string): string {
  const cmds: string[] = [];
  let file = topFile;
  const colon = topFile.indexOf(':');
  if (colon > 0 && /\.(zip|ova|tar)$/i.test(topFile.slice(0, colon))) {
    const archive = topFile.slice(0, colon);
    file = topFile.slice(colon + 1);
    cmds.push(/\.zip$/i.test(archive) ? `unzip ${archive} ${file}` : `tar -xf ${archive} ${file}`);
  }
  const tool: Record<string, string> = { gzip: 'gunzip -k', xz: 'xz -dk', zstd: 'zstd -d', bzip2: 'bunzip2 -k' };
  if (tool[compression] && /\.(gz|gzip|xz|zst|bz2)$/i.test(file)) cmds.push(`${tool[compression]} ${file}`);
  return cmds.join(' && ');
}

export function cloudImport(format: string, c: RawContainer, compression = ''): ContainerInfo['cloudImport'] {
  const name = NAMES[format] ?? format;
  const inArchive = /^[^:]+\.(zip|ova|tar):/i.test(c.topFile);
  if (compression || inArchive) {
    const what = inArchive ? 'inside an archive' : `${compression}-compressed`;
    const command = unpackCommand(c.topFile, compression);
    return {
      accepted: false,
      message: `the ${name} image is ${what}; Alibaba Cloud imports the plain image file, so extract it first`,
      ...(command ? { command } : {}),
    };
  }
  if (!ACCEPTED.has(format)) {
    return { accepted: false, message: `Alibaba Cloud does not import ${name} images; convert it to qcow2 (or raw, VHD, VMDK) first`, command: convert(c.topFile) };
  }
  if (c.backingChain.length > 0) {
    return { accepted: false, message: `the image depends on ${c.backingChain.join(', ')}; Alibaba Cloud imports one self-contained file, so flatten the chain into one qcow2 first`, command: convert(c.topFile) };
  }
  if (c.files.length > 1) {
    return { accepted: false, message: `the disk is split across ${c.files.length} files (${c.files.join(', ')}); Alibaba Cloud imports one file, so join them into one qcow2 first`, command: convert(c.topFile) };
  }
  return { accepted: true, message: `Alibaba Cloud imports ${name} images as they are` };
}

export function containerInfo(format: string, c: RawContainer, compression = ''): ContainerInfo {
  return {
    subformat: c.subformat,
    topFile: c.topFile,
    fileSize: c.fileSize,
    ...(c.allocatedSize >= 0 ? { allocatedSize: c.allocatedSize } : {}),
    ...(c.clusterSize > 0 ? { clusterSize: c.clusterSize } : {}),
    ...(c.compression ? { compression: c.compression } : {}),
    backingChain: c.backingChain,
    files: c.files,
    cloudImport: cloudImport(format, c, compression),
  };
}
