// SPDX-License-Identifier: Apache-2.0
// PLACEHOLDER until the FAT reader lands.
import { Device } from "../../io/device";
import { FileSystem } from "../filesystem";
import { unsupported } from "../../util/error";

export function openFat(dev: Device): FileSystem | null {
  unsupported("fat.unsupported", dev.name + ": FAT reader not built yet");
  return null;
}
