// SPDX-License-Identifier: Apache-2.0
// A file of a guest filesystem as a Device, so that a hive (or any format
// stored in a file) is read through the same interface as a disk.

import { Device } from "../io/device";
import { FileSystem } from "../fs/filesystem";
import { corrupt } from "../util/error";

export class FileDevice extends Device {
  constructor(public fs: FileSystem, public node: u64, public length: u64, name: string) {
    super();
    this.name = name;
  }
  get size(): u64 { return this.length; }
  readInto(offset: u64, len: i32, dst: usize): bool {
    if (offset > this.length || <u64>len > this.length - offset) {
      corrupt("io.past-end", this.name + ": read past the end of the file");
      return false;
    }
    const got = this.fs.read(this.node, offset, len, dst);
    if (got < 0) return false;
    if (got != len) {
      corrupt("io.short-read", this.name + ": the file ended after " + got.toString() + " of " + len.toString() + " bytes");
      return false;
    }
    return true;
  }
}
