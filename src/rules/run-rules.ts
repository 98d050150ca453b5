// SPDX-License-Identifier: Apache-2.0
// Runs every applicable rule; a rule that throws becomes its own error
// finding and the others still run (DESIGN.md, "Errors are results").
import type { Finding } from '../report/types';
import type { RuleContext } from './rule';
import { finding } from './rule';
import { rules } from './index';

export function runRules(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const r of rules) {
    const applies = r.platforms.includes('Any') || (ctx.platform !== null && r.platforms.includes(ctx.platform));
    if (!applies) continue;
    try {
      out.push(r.run(ctx));
    } catch (e) {
      out.push(finding(r.name, 'error', 'Unknown', [], { solution: `The check could not run: ${(e as Error).message}` }));
    }
  }
  return out;
}
