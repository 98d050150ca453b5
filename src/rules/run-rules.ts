// SPDX-License-Identifier: Apache-2.0
// Runs every applicable rule; a rule that throws becomes its own error
// finding and the others still run (DESIGN.md, "Errors are results").
import type { Finding } from '../report/types';
import type { RuleContext } from './rule';
import { finding } from './rule';
import { rules } from './index';
import { gatherMessages, msg } from '../report/message';

export function runRules(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const own = (r: (typeof rules)[number]) => ctx.platform !== null && r.platforms.includes(ctx.platform);
  for (const r of rules) {
    // an item the platform has its own rule for (Platform) runs once, as that rule
    const applies = own(r) || (r.platforms.includes('Any') && !rules.some((o) => o !== r && o.name === r.name && own(o)));
    if (!applies) continue;
    try {
      // evidence a rule added after finding() (Nvme's command line) gets its message too
      out.push(gatherMessages(r.run(ctx)));
    } catch (e) {
      out.push(finding(r.name, 'error', 'Unknown', [], { solution: msg('fix.ruleFailed', { message: (e as Error).message }) }));
    }
  }
  return out;
}
