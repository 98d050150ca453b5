// SPDX-License-Identifier: Apache-2.0
// LUKS1 and LUKS2 headers (cryptsetup's "LUKS1 On-Disk Format Specification"
// and "LUKS2 On-Disk Format"): both begin with "LUKS\xba\xbe" and a big-endian
// version, and keep the UUID at byte 168; LUKS2 adds a label at byte 24. A
// damaged primary LUKS2 header is found through its secondary copy ("SKUL\xba\xbe").

import { u16be, asciiAt, asciiz } from "../util/bytes";

export class LuksInfo {
  version: u32 = 0;
  uuid: string = "";
  label: string = "";
  /** byte offset of the header that was read (0, or a LUKS2 secondary copy) */
  at: i32 = 0;
  cipher: string = "";
}

/** LUKS2 secondary header offsets (the JSON area sizes cryptsetup allows). */
const LUKS2_SECONDARY: i32[] = [0x4000, 0x8000, 0x10000, 0x20000, 0x40000, 0x80000, 0x100000, 0x200000, 0x400000];

export function probeLuks(b: Uint8Array): LuksInfo | null {
  let at = -1;
  if (asciiAt(b, 0, "LUKS\xba\xbe")) at = 0;
  else {
    for (let i = 0; i < LUKS2_SECONDARY.length; i++) {
      const o = LUKS2_SECONDARY[i];
      if (asciiAt(b, o, "SKUL\xba\xbe") && u16be(b, o + 6) == 2) { at = o; break; }
    }
  }
  if (at < 0) return null;
  const info = new LuksInfo();
  info.at = at;
  info.version = u16be(b, at + 6);
  info.uuid = asciiz(b, at + 168, 40);
  if (info.version == 2) info.label = asciiz(b, at + 24, 48);
  else if (info.version == 1) info.cipher = asciiz(b, at + 8, 32) + "-" + asciiz(b, at + 40, 32);
  return info;
}
