// SPDX-License-Identifier: Apache-2.0
import type { Rule, RuleContext } from '../rule';
import type { Evidence } from '../../report/types';
import { finding } from '../rule';
import { deviceVolume, type BcdStore } from '../../facts/windows/bcd';

export const BCD_PATHS = ['/EFI/Microsoft/Boot/BCD', '/Boot/BCD'];
const WINLOAD = /^\\windows\\system32\\winload\.(exe|efi)$/i;
export const BCDBOOT = 'bcdboot C:\\Windows /s S: /f ALL   # S: = the system partition (ESP or the active partition), assigned with diskpart';

/** Every BCD store on the image's volumes: where it is and what it says (or why it is unreadable). */
export function findBcdStores(ctx: RuleContext): { where: string; vol: string; path: string; store: BcdStore | null; error: string }[] {
  const out = [];
  for (const v of ctx.image.volumes) {
    if (v.fs === '') continue;
    const view = ctx.volumeView?.(v.id) ?? null;
    if (view === null) continue;
    for (const p of BCD_PATHS) {
      if (view.stat(p) === null) continue;
      let store: BcdStore | null = null, error = '';
      try { store = ctx.bcd ? ctx.bcd(p, v.id) : null; } catch (e) { error = (e as Error).message; }
      out.push({ where: `volume ${v.id}:${p}`, vol: v.id, path: p, store, error });
    }
  }
  return out;
}

/**
 * BCD: the boot configuration store has the boot manager, its default loader
 * entry, whose path is winload and whose device is a volume of this image.
 */
export const bcd: Rule = {
  name: 'BCD',
  platforms: ['Windows'],
  run(ctx) {
    const stores = findBcdStores(ctx);
    const fail = (value: string, code: string, ev: Evidence[], why: string) => finding('BCD', 'fail', value, ev, {
      riskLevel: 'High', riskCode: code, solution: `${why} Rebuild the boot files from the Windows volume.`, command: BCDBOOT,
    });
    if (stores.length === 0) {
      return fail('NotFound', 'BCD.NotFound', [{ path: BCD_PATHS.join(', '), text: 'on no volume of the image' }], 'No BCD store was found on an EFI system partition or a system partition.');
    }
    const root = ctx.image.volumes.find((v) => v.mountedAt === '/')?.id ?? '';
    // the first store that boots this Windows wins; else report the first's problem
    let first: Finding | null = null;
    for (const s of stores) {
      const r = judge(s, root);
      if (r.status === 'pass') return r;
      first ??= r;
    }
    return first!;

    function judge(s: (typeof stores)[number], rootVol: string): Finding {
      const ev: Evidence[] = [];
      if (s.store === null || !s.store.isBcd) {
        ev.push({ path: s.where, text: s.error || 'not a BCD store (no Objects key)' });
        return fail('Corrupt', 'BCD.Corrupt', ev, 'The BCD store is unreadable.');
      }
      const st = s.store;
      ev.push({ path: s.where, text: `${st.objectCount ?? 0} objects` });
      if (!st.hasBootManager || !st.bootManager) {
        return fail('NoBootManager', 'BCD.NoBootManager', ev, 'The BCD store has no Windows Boot Manager object {9dea862c-5cdd-4e70-acc1-f32b344d4795}.');
      }
      ev.push({ path: `${s.where} {bootmgr}`, text: `default = ${st.default || '(none)'}` });
      const d = st.defaultEntry;
      if (!st.defaultExists || !d) {
        return fail('NoDefaultEntry', 'BCD.NoDefaultEntry', ev, `The boot manager's default entry ${st.default || ''} does not exist.`);
      }
      const dv = deviceVolume(d.device);
      ev.push({ path: `${s.where} ${d.guid}`, text: `"${d.description ?? ''}" path=${d.path ?? '(none)'} device=${d.device ? `${d.device.kind}${dv ? ` → ${dv.found ? `volume ${dv.volume}` : 'no volume of this image'}` : ''}` : '(none)'}` });
      if (!d.path || !WINLOAD.test(d.path)) {
        return fail('BadPath', 'BCD.BadLoaderPath', ev, `The default entry's path is ${d.path ?? 'absent'}, not \\Windows\\system32\\winload.exe (BIOS) or winload.efi (UEFI).`);
      }
      if (dv && !dv.found) {
        return fail('DeviceNotFound', 'BCD.DeviceNotFound', ev, 'The default entry boots a partition that is not in this image (its disk signature/GUID and partition do not match any volume).');
      }
      if (dv && rootVol && dv.volume !== rootVol) {
        return finding('BCD', 'warn', 'OtherVolume', ev, {
          riskLevel: 'Medium', riskCode: 'BCD.OtherVolume',
          solution: `The default entry boots volume ${dv.volume}, not the Windows volume ${rootVol} that was checked.`, command: BCDBOOT,
        });
      }
      return finding('BCD', 'pass', 'Normal', ev);
    }
  },
};
type Finding = ReturnType<typeof finding>;
