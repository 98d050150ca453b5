// SPDX-License-Identifier: Apache-2.0
// What the Windows items share: the facts of the context (or, in trees a
// caller built without them, gathered once per guest), evidence text for
// hive values, and the hive paths as reg.exe names them for fix commands.
import type { RuleContext } from '../rule';
import type { Evidence } from '../../report/types';
import type { HiveValue } from '../../engine/wasm-guest-view';
import { gatherWindowsFacts, type WindowsFacts } from '../../facts/windows/windows-facts';
import type { GuestView } from '../guest-view';
import { said } from '../../report/message';

const memo = new WeakMap<GuestView, WindowsFacts>();

export function windowsFacts(ctx: RuleContext): WindowsFacts {
  if (ctx.windows) return ctx.windows;
  const g = ctx.guest!;
  let f = memo.get(g);
  if (!f) {
    f = gatherWindowsFacts((p, v) => (ctx.hive ? ctx.hive(p, v) : null));
    memo.set(g, f);
  }
  return f;
}

export function showValue(v: HiveValue | null): string {
  if (v === null) return 'absent';
  if (v.number !== undefined) return `${v.typeName} ${v.number} (0x${v.number.toString(16)})`;
  if (v.qword !== undefined) return `${v.typeName} ${v.qword}`;
  if (v.strings !== undefined) return `${v.typeName} ${JSON.stringify(v.strings)}`;
  if (v.string !== undefined) return `${v.typeName} ${JSON.stringify(v.string)}`;
  return `${v.typeName} ${v.hex.substring(0, 64)}`;
}

/** Evidence for one value of a hive: "SYSTEM\ControlSet001\Services\viostor" Start = REG_DWORD 0. */
export function valueEvidence(hive: string, key: string, name: string, v: HiveValue | null): Evidence {
  // an absent value is said in the reader's language; a present one is the hive's own data
  if (v === null) return said(`${hive}\\${key}`, 'ev.win.valueAbsent', { name: name || '(Default)' });
  return { path: `${hive}\\${key}`, text: `${name || '(Default)'} = ${showValue(v)}` };
}

/** The key as reg.exe on the running guest names it: the current control set is CurrentControlSet. */
export function regPath(hive: 'SYSTEM' | 'SOFTWARE', key: string): string {
  return `HKLM\\${hive}\\${hive === 'SYSTEM' ? key.replace(/^ControlSet\d{3}/i, 'CurrentControlSet') : key}`;
}
