// SPDX-License-Identifier: Apache-2.0
// PLACEHOLDER until MBR/GPT land.
import { Device } from "../io/device";
import { PartitionTable } from "./partition";

/** The disk's partition table, or null with no error when there is none, or null with the error set when it is broken. */
export function readPartitionTable(dev: Device): PartitionTable | null {
  return null;
}
