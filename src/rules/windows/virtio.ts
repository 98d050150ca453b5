// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import type { Evidence } from '../../report/types';
import { finding } from '../rule';
import { num, safeValue } from '../../facts/windows/windows-facts';
import { regPath, valueEvidence, windowsFacts } from './shared';
import { msg, said } from '../../report/message';
import { readPeFile } from '../../facts/windows/pe';
import type { GuestView } from '../guest-view';

/** "present", with the driver's version resource when it has one (a damaged file is still present). */
function presentEvidence(g: GuestView, path: string): Evidence {
  try {
    const v = readPeFile(g, path)?.version;
    return v && v.fileVersion ? said(path, 'ev.win.Virtio.presentVersion', { version: v.fileVersion }) : said(path, 'ev.present');
  } catch {
    return said(path, 'ev.present');
  }
}

const DRIVERS = '/Windows/System32/drivers';
const STORE = '/Windows/System32/DriverStore/FileRepository';
const VIRTIO_WIN = 'https://fedorapeople.org/groups/virt/virtio-win/direct-downloads/stable-virtio/virtio-win.iso';

/** Virtio: viostor or vioscsi (storage, boot start) and netkvm (network) are installed. */
export const virtio: Rule = {
  name: 'Virtio',
  platforms: ['Windows'],
  run(ctx) {
    const g = ctx.guest!;
    const f = windowsFacts(ctx);
    const ev: Evidence[] = [];
    const has = (n: string) => g.stat(`${DRIVERS}/${n}.sys`) !== null;
    const inStore = (n: string) => (g.list(STORE) ?? []).filter((e) => e.name.toLowerCase().startsWith(`${n}.inf_`)).map((e) => `${STORE}/${e.name}`);
    const storage = ['viostor', 'vioscsi'].filter(has);
    for (const n of ['viostor', 'vioscsi', 'netkvm']) ev.push(has(n) ? presentEvidence(g, `${DRIVERS}/${n}.sys`) : said(`${DRIVERS}/${n}.sys`, 'ev.absent'));
    const staged = ['viostor', 'vioscsi', 'netkvm'].flatMap(inStore);
    for (const s of staged) ev.push(said(s, 'ev.win.Virtio.staged'));
    const install = `pnputil /add-driver <virtio-win drive>:\\viostor\\<os>\\amd64\\*.inf /install; pnputil /add-driver <virtio-win drive>:\\NetKVM\\<os>\\amd64\\*.inf /install`;
    if (storage.length === 0) {
      return finding('Virtio', 'fail', 'NotInstalled', ev, {
        riskLevel: 'High', riskCode: 'Virtio.NotInstalled',
        solution: msg('fix.win.Virtio.notInstalled', { url: VIRTIO_WIN }),
        command: install,
      });
    }
    const starts = storage.map((n) => {
      const key = f.ccs ? `${f.ccs}\\Services\\${n}` : null;
      const v = key ? safeValue(f.system.hive, key, 'Start') : null;
      ev.push(valueEvidence('SYSTEM', key ?? `<CurrentControlSet>\\Services\\${n}`, 'Start', v));
      return { n, key, start: num(v) };
    });
    if (!starts.some((s) => s.start === 0)) {
      const s = starts[0];
      return finding('Virtio', 'fail', 'NotBootStart', ev, {
        riskLevel: 'High', riskCode: 'Virtio.NotBootStart',
        solution: msg(storage.length > 1 ? 'fix.win.Virtio.notBootStartBoth' : 'fix.win.Virtio.notBootStart', { drivers: storage.join(' and '), a: storage[0], b: storage[1] ?? '', service: s.n }),
        command: starts.map((x) => `reg add "${regPath('SYSTEM', x.key ?? `ControlSet001\\Services\\${x.n}`)}" /v Start /t REG_DWORD /d 0 /f`).join('\n'),
      });
    }
    if (!has('netkvm')) {
      return finding('Virtio', 'warn', 'NetworkDriverMissing', ev, {
        riskLevel: 'Medium', riskCode: 'Virtio.NetKVMMissing',
        solution: msg('fix.win.Virtio.noNetKvm'),
        command: 'pnputil /add-driver <virtio-win drive>:\\NetKVM\\<os>\\amd64\\*.inf /install',
      });
    }
    return finding('Virtio', 'pass', 'Installed', ev);
  },
};
