// SPDX-License-Identifier: Apache-2.0
import type { Rule } from '../rule';
import type { Evidence } from '../../report/types';
import { finding } from '../rule';
import { BCDBOOT } from './bcd';

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
        ev.push({ path: `volume ${v.id}:${p}`, text: `${st.size} bytes` });
        found ||= p === '/bootmgr' ? 'bootmgr' : 'bootmgfw.efi';
      }
    }
    if (found) return finding('BootMgr', 'pass', found, ev);
    return finding('BootMgr', 'fail', 'NotFound', [{ path: FILES.slice(0, 2).join(', '), text: 'on no volume of the image' }], {
      riskLevel: 'High', riskCode: 'BootMgr.NotFound',
      solution: 'The Windows Boot Manager is missing: the image will not boot. Recreate it from the Windows volume.',
      command: BCDBOOT,
    });
  },
};
