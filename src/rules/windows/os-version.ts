// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import { finding } from '../rule';
import { CURRENT_VERSION } from '../../facts/windows/windows-facts';
import { windowsFacts } from './shared';
import { msg, said } from '../../report/message';

const KEY = `SOFTWARE\\${CURRENT_VERSION}`;

/** OSVersion (Windows): product and build from SOFTWARE\Microsoft\Windows NT\CurrentVersion; the build names the release. */
export const osVersion: Rule = {
  name: 'OSVersion',
  platforms: ['Windows'],
  run(ctx) {
    const f = windowsFacts(ctx);
    const cv = f.currentVersion, v = f.version;
    if (cv === null || v === null) {
      const why = f.software.error ? { path: KEY, text: f.software.error } : said(KEY, f.software.hive ? 'ev.win.keyAbsent' : 'ev.win.softwareAbsent');
      return finding('OSVersion', 'fail', 'Unknown', [why], {
        riskLevel: 'Medium', riskCode: 'OSVersion.Unknown',
        solution: msg('fix.win.OSVersion.unknown'),
      });
    }
    const ev = [{
      path: KEY,
      text: [`ProductName=${JSON.stringify(cv.productName)}`, cv.displayVersion && `DisplayVersion=${cv.displayVersion}`, cv.editionId && `EditionID=${cv.editionId}`,
        cv.installationType && `InstallationType=${cv.installationType}`, `CurrentBuild=${cv.build ?? '?'}`, cv.ubr !== null && `UBR=${cv.ubr}`, cv.csdVersion && `CSDVersion=${cv.csdVersion}`]
        .filter(Boolean).join(', '),
    }];
    if (cv.build !== null && cv.build >= 22000 && /Windows 10/.test(cv.productName)) ev.push(said(KEY, 'ev.win.OSVersion.win11', { build: cv.build }));
    const value = [v.name, cv.displayVersion, cv.csdVersion, `(${v.version})`].filter(Boolean).join(' ');
    // ECS imports Windows Server 2008 R2 and later, and Windows 7 and later clients
    if (cv.build === null || cv.build < 7600) {
      return finding('OSVersion', 'fail', value, ev, {
        riskLevel: 'Medium', riskCode: 'OSVersion.NotSupported',
        solution: msg('fix.win.OSVersion.tooOld', { family: v.family }),
      });
    }
    return finding('OSVersion', 'pass', value, ev);
  },
};
