// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import { finding } from '../rule';
import { CURRENT_VERSION } from '../../facts/windows/windows-facts';
import { windowsFacts } from './shared';

const KEY = `SOFTWARE\\${CURRENT_VERSION}`;

/** OSVersion (Windows): product and build from SOFTWARE\Microsoft\Windows NT\CurrentVersion; the build names the release. */
export const osVersion: Rule = {
  name: 'OSVersion',
  platforms: ['Windows'],
  run(ctx) {
    const f = windowsFacts(ctx);
    const cv = f.currentVersion, v = f.version;
    if (cv === null || v === null) {
      const why = f.software.error || (f.software.hive ? 'the key is absent' : 'the SOFTWARE hive is absent');
      return finding('OSVersion', 'fail', 'Unknown', [{ path: KEY, text: why }], {
        riskLevel: 'Medium', riskCode: 'OSVersion.Unknown',
        solution: 'The Windows release could not be read from the SOFTWARE hive; see the Registry item and repair the hive (boot the guest once, or restore it from Windows\\System32\\config\\RegBack).',
      });
    }
    const ev = [{
      path: KEY,
      text: [`ProductName=${JSON.stringify(cv.productName)}`, cv.displayVersion && `DisplayVersion=${cv.displayVersion}`, cv.editionId && `EditionID=${cv.editionId}`,
        cv.installationType && `InstallationType=${cv.installationType}`, `CurrentBuild=${cv.build ?? '?'}`, cv.ubr !== null && `UBR=${cv.ubr}`, cv.csdVersion && `CSDVersion=${cv.csdVersion}`]
        .filter(Boolean).join(', '),
    }];
    if (cv.build !== null && cv.build >= 22000 && /Windows 10/.test(cv.productName)) ev.push({ path: KEY, text: `build ${cv.build} is Windows 11 (ProductName keeps "Windows 10")` });
    const value = [v.name, cv.displayVersion, cv.csdVersion, `(${v.version})`].filter(Boolean).join(' ');
    // ECS imports Windows Server 2008 R2 and later, and Windows 7 and later clients
    if (cv.build === null || cv.build < 7600) {
      return finding('OSVersion', 'fail', value, ev, {
        riskLevel: 'Medium', riskCode: 'OSVersion.NotSupported',
        solution: `${v.family} is older than the releases ECS imports (Windows Server 2008 R2 / Windows 7 and later); upgrade the guest before import.`,
      });
    }
    return finding('OSVersion', 'pass', value, ev);
  },
};
