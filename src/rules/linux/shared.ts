// SPDX-License-Identifier: Apache-2.0
// What the Linux items share: the facts of the context (or, when a caller did
// not gather them, the synchronous part computed once per guest), and the
// guest's family tools for the fix commands.
import type { RuleContext } from '../rule';
import { type LinuxFacts, linuxFactsSync } from '../../facts/linux-facts';
import { familyOf, toolsFor, type Family, type FamilyTools } from '../../facts/family';
import type { GuestView } from '../guest-view';

const memo = new WeakMap<GuestView, LinuxFacts>();

export function linuxFacts(ctx: RuleContext): LinuxFacts {
  if (ctx.facts) return ctx.facts;
  const g = ctx.guest!;
  let f = memo.get(g);
  if (!f) { f = linuxFactsSync(g); memo.set(g, f); }
  return f;
}

export function family(ctx: RuleContext): { family: Family; tools: FamilyTools } {
  const f = familyOf(ctx.os);
  return { family: f, tools: toolsFor(f) };
}
