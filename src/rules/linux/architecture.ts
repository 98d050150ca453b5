// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import { finding } from '../rule';
import { readElfHeader } from '../../facts/elf';

const PROBES = ['/bin/sh', '/bin/bash', '/bin/ls', '/usr/bin/ls', '/sbin/init'];
const CLOUD_ARCHES = new Set(['x86_64', 'arm64', 'i386']);

/** Architecture: the ELF machine of the guest's own binaries, symlinks followed. */
export const architecture: Rule = {
  name: 'Architecture',
  platforms: ['Linux'],
  run(ctx) {
    const g = ctx.guest!;
    for (const p of PROBES) {
      const st = g.stat(p);
      if (st === null || st.kind !== 'file') continue;
      const head = g.readBytes(p, 0, 64);
      if (head === null) continue;
      const elf = readElfHeader(head);
      if (elf === null) continue;
      const via = st.path !== p ? ` (resolved to ${st.path})` : '';
      const ev = [{ path: p, text: `ELF${elf.elfClass} e_machine=${elf.machine}${via}` }];
      if (elf.arch === null) {
        return finding('Architecture', 'fail', `unknown (e_machine ${elf.machine})`, ev, {
          riskLevel: 'High', riskCode: 'Architecture.Unknown',
          solution: 'The guest binaries are for an architecture the cloud does not run.',
        });
      }
      if (!CLOUD_ARCHES.has(elf.arch)) {
        return finding('Architecture', 'fail', elf.arch, ev, {
          riskLevel: 'High', riskCode: 'Architecture.NotSupported',
          solution: `ECS runs x86_64, arm64 and i386 images; ${elf.arch} is not among them.`,
        });
      }
      return finding('Architecture', 'pass', elf.arch, ev);
    }
    return finding('Architecture', 'error', 'Unknown', [{ path: PROBES.join(', '), text: 'none of these is a readable ELF file' }], {
      solution: 'guestcheck could not find an ELF binary to read the architecture from.',
    });
  },
};
