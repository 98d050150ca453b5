// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import { finding } from '../rule';
import { CURRENT_VERSION } from '../../facts/windows/windows-facts';
import { windowsFacts } from './shared';

/** KernelVersion (Windows): the NT kernel's version, major.minor.build.UBR from CurrentVersion. */
export const kernelVersion: Rule = {
  name: 'KernelVersion',
  platforms: ['Windows'],
  run(ctx) {
    const f = windowsFacts(ctx);
    const v = f.version;
    if (v === null || v.build === null) {
      return finding('KernelVersion', 'error', 'Unknown', [{ path: `SOFTWARE\\${CURRENT_VERSION}`, text: 'CurrentBuild unreadable' }], {
        solution: 'guestcheck could not read the kernel build from the SOFTWARE hive; see the Registry item.',
      });
    }
    return finding('KernelVersion', 'pass', v.version, [{ path: `SOFTWARE\\${CURRENT_VERSION}`, text: `CurrentBuild ${v.build}${f.currentVersion?.ubr !== null ? `, UBR ${f.currentVersion?.ubr}` : ''}` }]);
  },
};
