// SPDX-License-Identifier: Apache-2.0
// The report as Markdown, for a ticket or a review: the items in the
// console's order, what decided each at-risk item (file:line and the line),
// the fix, and the repair script.
import type { Report } from './types';

/** Table cells hold no pipes or newlines. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function fence(s: string): string {
  const ticks = '`'.repeat(Math.max(3, ...[...s.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return ticks;
}

export function formatMarkdown(r: Report): string {
  const out: string[] = [`# guestcheck report: ${r.image.files.join(', ')}`, ''];
  out.push(`${r.image.format}, ${r.image.virtualSize} bytes, partition table ${r.image.partitionTable}${r.platform ? `, ${r.platform} guest` : ''}.`, '');
  if (r.error) {
    out.push(`**The image could not be read:** ${r.error.message} (\`${r.error.code}\`)`, '');
    return out.join('\n');
  }
  out.push('| item | status | value | risk |', '|---|---|---|---|');
  for (const f of r.findings) out.push(`| ${f.name} | ${f.status} | ${cell(f.value)} | ${f.riskLevel ? `${f.riskLevel}: ${f.riskCode}` : ''} |`);
  out.push('');
  if (r.Tags.length) out.push(`Tags: ${r.Tags.map((t) => `\`${t.TagKey}=${t.TagValue}\``).join(', ')}`, '');
  const risky = r.findings.filter((f) => f.status === 'fail' || f.status === 'warn' || f.status === 'error');
  for (const f of risky) {
    out.push(`## ${f.name}: ${f.status}${f.riskCode ? ` (${f.riskCode})` : ''}`, '');
    for (const e of f.evidence) out.push(`- \`${e.path}${e.line ? `:${e.line}` : ''}\` ${cell(e.text)}`);
    if (f.evidence.length) out.push('');
    if (f.solution) out.push(f.solution, '');
    if (f.command) { const t = fence(f.command); out.push(`${t}sh`, f.command, t, ''); }
  }
  if (r.repair && r.repair.script) {
    const t = fence(r.repair.script);
    out.push('## Repair', '', `ACS-ECS-RepairImage repairItems: ${r.repair.repairItems.length ? r.repair.repairItems.map((i) => `\`${i}\``).join(', ') : '(none)'}`, '');
    out.push(`${t}sh`, r.repair.script.trimEnd(), t, '');
  }
  out.push(`Read ${r.stats.bytesRead} bytes in ${r.stats.readCalls} calls, ${r.stats.elapsedMs} ms.`, '');
  return out.join('\n');
}
