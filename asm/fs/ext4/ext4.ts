// SPDX-License-Identifier: Apache-2.0
// PLACEHOLDER until the ext4 reader lands.
import { Device } from "../../io/device";
import { FileSystem } from "../filesystem";
import { unsupported } from "../../util/error";

export function openExt(dev: Device): FileSystem | null {
  unsupported("ext.unsupported", dev.name + ": ext2/3/4 reader not built yet");
  return null;
}
