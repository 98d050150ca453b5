// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import { finding } from '../rule';
import { readElfHeader } from '../../facts/elf';
import { msg, said } from '../../report/message';

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
      const elfParams = { elfClass: elf.elfClass, machine: elf.machine, target: st.path };
      const ev = [said(p, st.path !== p ? 'ev.Architecture.elfVia' : 'ev.Architecture.elf', elfParams)];
      if (elf.arch === null) {
        return finding('Architecture', 'fail', msg('value.Architecture.unknown', { machine: elf.machine }), ev, {
          riskLevel: 'High', riskCode: 'Architecture.Unknown',
          solution: msg('fix.Architecture.unknown'),
        });
      }
      if (!CLOUD_ARCHES.has(elf.arch)) {
        return finding('Architecture', 'fail', elf.arch, ev, {
          riskLevel: 'High', riskCode: 'Architecture.NotSupported',
          solution: msg('fix.Architecture.notSupported', { arch: elf.arch }),
        });
      }
      return finding('Architecture', 'pass', elf.arch, ev);
    }
    return finding('Architecture', 'error', 'Unknown', [said(PROBES.join(', '), 'ev.Architecture.noElf')], {
      solution: msg('fix.Architecture.noElf'),
    });
  },
};
