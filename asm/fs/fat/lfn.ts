// SPDX-License-Identifier: Apache-2.0
// VFAT long file names (fatgen103 §7): up to 20 entries of attribute 0x0F, each
// holding 13 UTF-16 units, stored last-first before their short entry and tied
// to it by a checksum of the short name. A broken set falls back to the 8.3 name.

import { u8at, u16le } from "../../util/bytes";

const LAST_LONG_ENTRY: u32 = 0x40;
const ORDINAL_MASK: u32 = 0x1f;
const MAX_LFN_ENTRIES: u32 = 20; // 20 x 13 = 260 units, enough for 255 characters
const UNITS_PER_ENTRY: i32 = 13;
/** where the 13 units lie within the entry: LDIR_Name1 (5), LDIR_Name2 (6), LDIR_Name3 (2) */
const UNIT_OFFSETS: StaticArray<u8> = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30];

export class LfnCollector {
  private units: Uint16Array = new Uint16Array(<i32>MAX_LFN_ENTRIES * UNITS_PER_ENTRY);
  /** the ordinal the next entry must carry; 0 when none is pending */
  private expect: u32 = 0;
  private count: u32 = 0;
  private checksum: u32 = 0;
  private active: bool = false;

  reset(): void {
    this.active = false;
    this.expect = 0;
  }

  /** Takes the LFN entry at b[off]. */
  add(b: Uint8Array, off: i32): void {
    const LDIR_Ord = u8at(b, off);
    const LDIR_Chksum = u8at(b, off + 13);
    const LDIR_FstClusLO = u16le(b, off + 26);
    const ord = LDIR_Ord & ORDINAL_MASK;
    if (LDIR_FstClusLO != 0 || ord == 0 || ord > MAX_LFN_ENTRIES) { this.reset(); return; }
    if ((LDIR_Ord & LAST_LONG_ENTRY) != 0) {
      this.active = true;
      this.count = ord;
      this.checksum = LDIR_Chksum;
    } else if (!this.active || ord != this.expect || LDIR_Chksum != this.checksum) {
      this.reset();
      return;
    }
    const base = (<i32>ord - 1) * UNITS_PER_ENTRY;
    for (let i = 0; i < UNITS_PER_ENTRY; i++) {
      this.units[base + i] = <u16>u16le(b, off + <i32>unchecked(UNIT_OFFSETS[i]));
    }
    this.expect = ord - 1;
  }

  /** The long name for the short entry whose name checksum is `checksum`, or "" (then reset). */
  take(checksum: u32): string {
    let name = "";
    if (this.active && this.expect == 0 && checksum == this.checksum) {
      const max = <i32>this.count * UNITS_PER_ENTRY;
      let n = 0;
      while (n < max && this.units[n] != 0 && this.units[n] != 0xffff) n++;
      if (n > 0) name = String.UTF16.decodeUnsafe(this.units.dataStart, <usize>(n * 2));
    }
    this.reset();
    return name;
  }
}
