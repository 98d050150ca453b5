// SPDX-License-Identifier: Apache-2.0
// Linux swap areas (include/linux/swap.h, union swap_header): the signature
// ends the first page, whose size is the architecture's (4 KiB .. 64 KiB);
// version 1 headers carry a UUID and a label at byte 1024. A hibernation image
// replaces the signature (blkid's "swsuspend").

import { u32le, asciiAt, asciiz, uuidBE, allZero } from "../util/bytes";

export class SwapInfo {
  /** "swap" or "swsuspend" */
  type: string = "swap";
  pageSize: i32 = 0;
  version: u32 = 0;
  uuid: string = "";
  label: string = "";
}

const SUSPEND_SIGS: string[] = ["S1SUSPEND", "S2SUSPEND", "ULSUSPEND", "\xedWHITEOUT", "LINHIB0001"];

/** The swap header in b (the first bytes of a volume), or null. */
export function probeSwap(b: Uint8Array): SwapInfo | null {
  for (let ps = 4096; ps <= 65536; ps <<= 1) {
    if (ps > b.length) break;
    let type = "";
    if (asciiAt(b, ps - 10, "SWAPSPACE2") || asciiAt(b, ps - 10, "SWAP-SPACE")) type = "swap";
    else {
      for (let i = 0; i < SUSPEND_SIGS.length; i++) {
        const s = SUSPEND_SIGS[i];
        if (asciiAt(b, ps - s.length, s)) { type = "swsuspend"; break; }
      }
    }
    if (type.length == 0) continue;
    const info = new SwapInfo();
    info.type = type;
    info.pageSize = ps;
    // the old "SWAP-SPACE" layout has a bitmap where v1 has its fields
    if (!asciiAt(b, ps - 10, "SWAP-SPACE")) {
      info.version = u32le(b, 1024);
      if (!allZero(b, 1024 + 12, 16)) info.uuid = uuidBE(b, 1024 + 12);
      info.label = asciiz(b, 1024 + 28, 16);
    }
    return info;
  }
  return null;
}
