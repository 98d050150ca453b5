// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import type { Evidence } from '../../report/types';
import { finding } from '../rule';
import { readPeHeader, PE_HEAD_BYTES } from '../../facts/windows/pe';
import { safeValue, str } from '../../facts/windows/windows-facts';
import { valueEvidence, windowsFacts } from './shared';

const PROBES = ['/Windows/System32/ntoskrnl.exe', '/Windows/System32/cmd.exe'];
const ENV_ARCH: Record<string, string> = { AMD64: 'x86_64', X86: 'i386', ARM64: 'arm64' };
const CLOUD = new Set(['x86_64', 'arm64', 'i386']);

/** Architecture (Windows): the PE machine of ntoskrnl.exe (or cmd.exe), else PROCESSOR_ARCHITECTURE. */
export const architecture: Rule = {
  name: 'Architecture',
  platforms: ['Windows'],
  run(ctx) {
    const g = ctx.guest!;
    const ev: Evidence[] = [];
    let arch: string | null = null, raw = '';
    for (const p of PROBES) {
      const head = g.readBytes(p, 0, PE_HEAD_BYTES);
      if (head === null) continue;
      const pe = readPeHeader(head);
      if (pe === null) { ev.push({ path: p, text: 'not a PE image' }); continue; }
      ev.push({ path: p, text: `PE machine 0x${pe.machine.toString(16)}${pe.optionalMagic === 0x20b ? ' (PE32+)' : pe.optionalMagic === 0x10b ? ' (PE32)' : ''}` });
      arch = pe.arch; raw = `machine 0x${pe.machine.toString(16)}`;
      break;
    }
    // the registry's word: the fallback, or a cross-check of the kernel's machine
    const f = windowsFacts(ctx);
    const key = `${f.ccs ?? 'ControlSet001'}\\Control\\Session Manager\\Environment`;
    const v = safeValue(f.system.hive, key, 'PROCESSOR_ARCHITECTURE');
    if (v !== null) {
      const envArch = ENV_ARCH[str(v).toUpperCase()] ?? null;
      const e = valueEvidence('SYSTEM', key, 'PROCESSOR_ARCHITECTURE', v);
      if (raw === '') {
        ev.push(e);
        raw = str(v);
        arch = envArch;
      } else {
        ev.push({ ...e, text: `${e.text}, ${envArch === arch ? 'agrees with the kernel' : `DISAGREES with the kernel's ${arch ?? raw}`}` });
      }
    }
    if (raw === '') {
      return finding('Architecture', 'error', 'Unknown', [...ev, { path: PROBES.join(', '), text: 'absent or unreadable, and no PROCESSOR_ARCHITECTURE' }], {
        solution: 'guestcheck found neither the Windows kernel nor the processor architecture in the registry.',
      });
    }
    if (arch === null || !CLOUD.has(arch)) {
      return finding('Architecture', 'fail', arch ?? `unknown (${raw})`, ev, {
        riskLevel: 'High', riskCode: 'Architecture.NotSupported',
        solution: 'ECS runs x86_64, arm64 and i386 Windows images; this one is for another processor.',
      });
    }
    return finding('Architecture', 'pass', arch, ev);
  },
};
