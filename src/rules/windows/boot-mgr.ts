// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import type { Evidence } from '../../report/types';
import { finding } from '../rule';
import { BCDBOOT } from './bcd';
import { msg, said } from '../../report/message';

const FILES = ['/bootmgr', '/EFI/Microsoft/Boot/bootmgfw.efi', '/EFI/Boot/bootx64.efi'];

/** BootMgr: bootmgr on the system (active) partition, or bootmgfw.efi on the ESP. */
export const bootMgr: Rule = {
  name: 'BootMgr',
  platforms: ['Windows'],
  run(ctx) {
    const ev: Evidence[] = [];
    let found = '';
    for (const v of ctx.image.volumes) {
      if (v.fs === '') continue;
      const view = ctx.volumeView?.(v.id) ?? null;
      if (view === null) continue;
      for (const p of FILES) {
        const st = view.stat(p);
        if (st === null || st.kind !== 'file') continue;
        // the fallback loader counts only where Microsoft's own sits beside it
        if (p === '/EFI/Boot/bootx64.efi' && view.stat('/EFI/Microsoft/Boot') === null) continue;
        ev.push(said(`volume ${v.id}:${p}`, 'ev.win.bytes', { size: st.size }));
        found ||= p === '/bootmgr' ? 'bootmgr' : 'bootmgfw.efi';
      }
    }
    if (found) return finding('BootMgr', 'pass', found, ev);
    return finding('BootMgr', 'fail', 'NotFound', [said(FILES.slice(0, 2).join(', '), 'ev.win.onNoVolume')], {
      riskLevel: 'High', riskCode: 'BootMgr.NotFound',
      solution: msg('fix.win.BootMgr.notFound'),
      command: BCDBOOT,
    });
  },
};
