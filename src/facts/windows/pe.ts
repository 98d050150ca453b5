// SPDX-License-Identifier: Apache-2.0
// The machine type of a PE image from its first bytes: the DOS header's
// e_lfanew points at "PE\0\0" and the COFF file header that follows names the
// machine (Microsoft PE/COFF specification, "Machine Types").

export interface PeHeader {
  machine: number;
  /** x86_64, i386, arm64, arm, or null for a machine ECS never runs */
  arch: string | null;
  /** PE32 (0x10b) or PE32+ (0x20b) optional header magic, 0 when absent */
  optionalMagic: number;
}

const MACHINES: Record<number, string> = { 0x14c: 'i386', 0x8664: 'x86_64', 0xaa64: 'arm64', 0x1c4: 'arm' };

/** How many bytes to read so that readPeHeader can see the COFF header of a usual image. */
export const PE_HEAD_BYTES = 4096;

/** The header, or null when the bytes are not a PE image (or e_lfanew points past them). */
export function readPeHeader(b: Uint8Array): PeHeader | null {
  if (b.length < 64 || b[0] !== 0x4d || b[1] !== 0x5a) return null;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const pe = dv.getUint32(0x3c, true);
  if (pe + 26 > b.length) return null;
  if (dv.getUint32(pe, true) !== 0x00004550) return null;
  const machine = dv.getUint16(pe + 4, true);
  const optSize = dv.getUint16(pe + 20, true);
  const optionalMagic = optSize >= 2 ? dv.getUint16(pe + 24, true) : 0;
  return { machine, arch: MACHINES[machine] ?? null, optionalMagic };
}
