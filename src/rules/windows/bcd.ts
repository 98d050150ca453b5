// SPDX-License-Identifier: Apache-2.0
import type { Rule, RuleContext } from '../rule';
import type { Evidence, Message } from '../../report/types';
import { finding } from '../rule';
import { deviceVolume, type BcdStore } from '../../facts/windows/bcd';
import { msg, said } from '../../report/message';

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
    const fail = (value: string, code: string, ev: Evidence[], why: Message) => finding('BCD', 'fail', value, ev, {
      riskLevel: 'High', riskCode: code, solution: msg('fix.win.BCD.rebuild', { why }), command: BCDBOOT,
    });
    if (stores.length === 0) {
      return fail('NotFound', 'BCD.NotFound', [said(BCD_PATHS.join(', '), 'ev.win.onNoVolume')], msg('fix.win.BCD.notFound'));
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
        ev.push(s.error ? { path: s.where, text: s.error } : said(s.where, 'ev.win.BCD.notBcd'));
        return fail('Corrupt', 'BCD.Corrupt', ev, msg('fix.win.BCD.corrupt'));
      }
      const st = s.store;
      ev.push(said(s.where, 'ev.win.BCD.objects', { count: st.objectCount ?? 0 }));
      if (!st.hasBootManager || !st.bootManager) {
        return fail('NoBootManager', 'BCD.NoBootManager', ev, msg('fix.win.BCD.noBootManager'));
      }
      ev.push(st.default ? { path: `${s.where} {bootmgr}`, text: `default = ${st.default}` } : said(`${s.where} {bootmgr}`, 'ev.win.BCD.noDefault'));
      const d = st.defaultEntry;
      if (!st.defaultExists || !d) {
        return fail('NoDefaultEntry', 'BCD.NoDefaultEntry', ev, msg('fix.win.BCD.noDefaultEntry', { entry: st.default || '' }));
      }
      const dv = deviceVolume(d.device);
      const none = msg('ev.win.BCD.none');
      ev.push(said(`${s.where} ${d.guid}`, 'ev.win.BCD.entry', {
        description: d.description ?? '', path: d.path ?? none,
        device: d.device ? (dv ? msg('ev.win.BCD.device', { kind: d.device.kind, volume: dv.found ? msg('ev.win.BCD.volume', { id: dv.volume }) : msg('ev.win.BCD.noVolume') }) : d.device.kind) : none,
      }));
      if (!d.path || !WINLOAD.test(d.path)) {
        return fail('BadPath', 'BCD.BadLoaderPath', ev, msg('fix.win.BCD.badPath', { path: d.path ?? msg('ev.absent') }));
      }
      if (dv && !dv.found) {
        return fail('DeviceNotFound', 'BCD.DeviceNotFound', ev, msg('fix.win.BCD.deviceNotFound'));
      }
      if (dv && rootVol && dv.volume !== rootVol) {
        return finding('BCD', 'warn', 'OtherVolume', ev, {
          riskLevel: 'Medium', riskCode: 'BCD.OtherVolume',
          solution: msg('fix.win.BCD.otherVolume', { volume: dv.volume, root: rootVol }), command: BCDBOOT,
        });
      }
      return finding('BCD', 'pass', 'Normal', ev);
    }
  },
};
type Finding = ReturnType<typeof finding>;
