// SPDX-License-Identifier: Apache-2.0
// 8.3 names and labels are bytes of the OEM code page; Linux mounts vfat with
// codepage=437 unless told otherwise, so that is the one decoded here.

/** One byte of the OEM code page (437, Linux's default codepage=) as a character. */
export function cp437(c: u32): string {
  if (c < 0x80) return String.fromCharCode(<i32>c);
  return CP437_HIGH.charAt(<i32>(c - 0x80));
}

const CP437_HIGH =
  "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒ" +
  "áíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐" +
  "└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀" +
  "αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0";
