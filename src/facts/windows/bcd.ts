// SPDX-License-Identifier: Apache-2.0
// The BCD store as the engine decodes it (asm/hive/bcd.ts): the boot manager,
// its default entry, and the entry's device matched to the image's volumes.

export interface BcdDevice {
  kind: string;
  deviceType: number;
  partitionStyle?: string;
  partitionGuid?: string;
  partitionOffset?: number;
  diskGuid?: string;
  diskSignature?: string;
  /** the image's volume id the device names, "" when none */
  volume?: string;
  found?: boolean;
  path?: string;
  parent?: BcdDevice;
}

export interface BcdObject {
  guid: string;
  type: number;
  typeName: string;
  description?: string;
  path?: string;
  device?: BcdDevice;
  osDevice?: BcdDevice;
  systemRoot?: string;
  default?: string;
  displayOrder?: string[];
  timeout?: number;
}

export interface BcdStore {
  isBcd: boolean;
  objectCount?: number;
  hasBootManager?: boolean;
  default?: string;
  defaultExists?: boolean;
  bootManager?: BcdObject;
  defaultEntry?: BcdObject;
  objects?: BcdObject[];
}

/** The volume a device element lands on: its own partition, or its parent's for a file device (a VHD). */
export function deviceVolume(d: BcdDevice | undefined): { volume: string; found: boolean } | null {
  for (let cur = d, depth = 0; cur && depth < 8; cur = cur.parent, depth++) {
    if (cur.found !== undefined) return { volume: cur.volume ?? '', found: cur.found };
  }
  return null;
}
