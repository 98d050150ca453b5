// SPDX-License-Identifier: Apache-2.0
// What a container is and what it means for the import: the virtual disk as a
// Device, plus the facts the report shows (format, sizes, backing chain).

import { Device } from "../io/device";

export class Container {
  /** "qcow2", "monolithicSparse", "dynamic", ... ("" when the format has none) */
  subformat: string = "";
  /** bytes of the files this container reads (the whole chain) */
  fileSize: u64 = 0;
  /** bytes of the virtual disk that hold data in this image's own tables; -1 when not counted */
  allocatedSize: i64 = -1;
  /** cluster / grain / block size in bytes; 0 when the format has none (raw, fixed) */
  clusterSize: u32 = 0;
  /** names of the files below this one, nearest first (backing files, parents) */
  backingChain: string[] = [];
  /** every file the container reads, the top one first (extents, backing files) */
  fileNames: string[] = [];
  /** the file the person opened: the one no other file refers to */
  topFile: string = "";
  /** compression used inside the container ("deflate", "zstd"), "" when none */
  compression: string = "";

  constructor(public format: string, public disk: Device, public notes: string[]) {}
}
