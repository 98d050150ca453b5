// SPDX-License-Identifier: Apache-2.0
// The architecture of an ELF binary from its header (System V ABI, "ELF
// Header"): class at e_ident[4], data encoding at [5], e_machine at 18.

export type Arch = 'x86_64' | 'i386' | 'arm64' | 'arm' | 'riscv64' | 'ppc64le' | 's390x' | 'loongarch64' | 'mips64';

const MACHINES: Record<number, { 1?: Arch; 2?: Arch }> = {
  3: { 1: 'i386' },
  62: { 2: 'x86_64' },
  183: { 2: 'arm64' },
  40: { 1: 'arm' },
  243: { 2: 'riscv64' },
  21: { 2: 'ppc64le' },
  22: { 2: 's390x' },
  258: { 2: 'loongarch64' },
  8: { 2: 'mips64' },
};

export interface ElfInfo { arch: Arch | null; elfClass: 32 | 64; machine: number; littleEndian: boolean }

export function readElfHeader(b: Uint8Array): ElfInfo | null {
  if (b.length < 20 || b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) return null;
  const cls = b[4];
  const data = b[5];
  if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) return null;
  const le = data === 1;
  const machine = le ? b[18] | (b[19] << 8) : (b[18] << 8) | b[19];
  const arch = MACHINES[machine]?.[cls as 1 | 2] ?? null;
  return { arch, elfClass: cls === 1 ? 32 : 64, machine, littleEndian: le };
}
