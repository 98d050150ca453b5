// SPDX-License-Identifier: Apache-2.0
// Update sequence arrays ("fixups") of FILE and INDX records: the last two
// bytes of every 512-byte stride hold the update sequence number on disk and
// the real bytes sit in the array (flatcap NTFS documentation, "Fixup").

import { corrupt } from "../../util/error";
import { u16le } from "../../util/bytes";

/** The stride is 512 bytes whatever the sector size (NTFS_BLOCK_SIZE in ntfs-3g). */
export const FIXUP_STRIDE: i32 = 512;

/** Verifies and undoes the fixups of the record at b[off, off+size); false with the error set. */
export function applyFixups(b: Uint8Array, off: i32, size: i32, code: string, where: string): bool {
  const usaOfs = <i32>u16le(b, off + 4);
  const usaCount = <i32>u16le(b, off + 6);
  const strides = size / FIXUP_STRIDE;
  if (usaCount != strides + 1 || (usaOfs & 1) != 0 || usaOfs < 8 || usaOfs + 2 * usaCount > size) {
    corrupt(code + ".usa", where + ": update sequence array (offset " + usaOfs.toString() + ", " + usaCount.toString() +
      " entries) does not fit a " + size.toString() + "-byte record");
    return false;
  }
  const usn = u16le(b, off + usaOfs);
  for (let i = 1; i <= strides; i++) {
    const at = off + i * FIXUP_STRIDE - 2;
    if (u16le(b, at) != usn) {
      corrupt(code + ".fixup", where + ": sector " + (i - 1).toString() + " of the record does not end with the update sequence number " +
        usn.toString() + " (a torn or damaged write)");
      return false;
    }
    const fix = off + usaOfs + 2 * i;
    b[at] = b[fix];
    b[at + 1] = b[fix + 1];
  }
  return true;
}
