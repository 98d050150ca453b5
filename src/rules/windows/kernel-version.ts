// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import type { Evidence } from '../../report/types';
import { finding } from '../rule';
import { CURRENT_VERSION } from '../../facts/windows/windows-facts';
import { readPeFile, PeError, type PeVersion } from '../../facts/windows/pe';
import { windowsFacts } from './shared';

export const NTOSKRNL = '/Windows/System32/ntoskrnl.exe';

/** The kernel file's version: VS_FIXEDFILEINFO's, else the leading a.b.c.d of the FileVersion string. */
function fileVersionOf(v: PeVersion): { version: string; field: string } | null {
  if (v.fileVersion !== '') return { version: v.fileVersion, field: 'VS_FIXEDFILEINFO FileVersion' };
  const m = /^\s*(\d+\.\d+\.\d+(?:\.\d+)?)/.exec(v.strings.FileVersion ?? '');
  return m ? { version: m[1], field: `StringFileInfo ${v.stringTable} FileVersion` } : null;
}

/**
 * KernelVersion (Windows): the version resource of the kernel itself (ntoskrnl.exe, read through
 * WOF compression when CompactOS packed it), cross-checked against CurrentVersion in SOFTWARE,
 * which is the fallback when the file or its resource cannot be read.
 */
export const kernelVersion: Rule = {
  name: 'KernelVersion',
  platforms: ['Windows'],
  run(ctx) {
    const ev: Evidence[] = [];
    let fromFile: string | null = null;
    try {
      const pe = readPeFile(ctx.guest!, NTOSKRNL);
      if (pe === null) ev.push({ path: NTOSKRNL, text: 'absent' });
      else if (pe.version === null) ev.push({ path: NTOSKRNL, text: pe.versionError ? `version resource unreadable: ${pe.versionError.code}: ${pe.versionError.message}` : 'no version resource (RT_VERSION)' });
      else {
        const fv = fileVersionOf(pe.version);
        const s = pe.version.strings;
        const str = [s.FileVersion !== undefined ? `FileVersion ${JSON.stringify(s.FileVersion)}` : '', s.ProductName !== undefined ? `ProductName ${JSON.stringify(s.ProductName)}` : ''].filter(Boolean).join(', ');
        if (fv) fromFile = fv.version;
        ev.push({ path: NTOSKRNL, text: `${fv ? `${fv.field} ${fv.version}` : 'no file version in the version resource'}${str ? `; StringFileInfo ${pe.version.stringTable}: ${str}` : ''} (${pe.version.location})` });
      }
    } catch (e) {
      if (!(e instanceof PeError)) throw e;
      ev.push({ path: NTOSKRNL, text: `not a readable PE image: ${e.code}: ${e.message}` });
    }
    const v = windowsFacts(ctx).version;
    const fromRegistry = v !== null && v.build !== null ? v.version : null;
    if (fromRegistry !== null) {
      const ubr = windowsFacts(ctx).currentVersion?.ubr;
      const base = `CurrentBuild ${v!.build}${ubr !== null && ubr !== undefined ? `, UBR ${ubr}` : ''}: ${fromRegistry}`;
      let text = base;
      if (fromFile !== null) text += sameRelease(fromFile, fromRegistry) ? `, agrees with ntoskrnl.exe` : `, DISAGREES with ntoskrnl.exe's ${fromFile} (the kernel file and the registry come from different updates, or one was replaced)`;
      else text += ' (used: the kernel file gave no version)';
      ev.push({ path: `SOFTWARE\\${CURRENT_VERSION}`, text });
    } else {
      ev.push({ path: `SOFTWARE\\${CURRENT_VERSION}`, text: 'CurrentBuild unreadable' });
    }
    const value = fromFile ?? fromRegistry;
    if (value === null) {
      return finding('KernelVersion', 'error', 'Unknown', ev, {
        solution: 'guestcheck could read the kernel version neither from ntoskrnl.exe\'s version resource nor from the SOFTWARE hive; see the Registry item.',
      });
    }
    return finding('KernelVersion', 'pass', value, ev);
  },
};

/**
 * Whether the file's a.b.c.d and the registry's major.minor.build[.UBR] name one release: the
 * registry may lack the UBR (before Windows 10) and then only the first three parts count.
 */
function sameRelease(file: string, reg: string): boolean {
  const f = file.split('.'), r = reg.split('.');
  const n = Math.min(r.length, f.length);
  for (let i = 0; i < n; i++) if (Number(f[i]) !== Number(r[i])) return false;
  return n >= 3;
}
