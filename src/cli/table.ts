// SPDX-License-Identifier: Apache-2.0
// The human-readable report for a terminal.
import type { Report } from '../report/types';

export function formatTable(r: Report): string {
  const lines: string[] = [];
  lines.push(`${r.image.files.join(', ')}: ${r.image.format}, ${r.image.virtualSize} bytes, partition table ${r.image.partitionTable}`);
  for (const v of r.image.volumes) {
    lines.push(`  ${v.id.padEnd(5)} ${String(v.size).padStart(14)}  ${(v.fs || '-').padEnd(10)} ${v.uuid || ''} ${v.label ? `"${v.label}"` : ''} ${v.mountedAt ? `on ${v.mountedAt}` : ''}${v.error ? `  (${v.error})` : ''}`.trimEnd());
  }
  for (const n of r.image.notes) lines.push(`  note: ${n}`);
  if (r.image.tableError) lines.push(`  partition table unreadable: ${r.image.tableError}`);
  if (r.error) {
    lines.push(`error: ${r.error.message}`);
  } else {
    lines.push('');
    const w = Math.max(4, ...r.findings.map((f) => f.name.length));
    lines.push(`${'item'.padEnd(w)}  status  value`);
    for (const f of r.findings) {
      lines.push(`${f.name.padEnd(w)}  ${f.status.padEnd(6)}  ${f.value}${f.riskLevel ? `  [${f.riskLevel}: ${f.riskCode}]` : ''}`);
      for (const e of f.evidence) lines.push(`${''.padEnd(w)}          ${e.path}${e.line ? `:${e.line}` : ''}  ${e.text}`);
      if (f.status !== 'pass' && f.solution) lines.push(`${''.padEnd(w)}          fix: ${f.solution}`);
    }
  }
  lines.push('', `read ${r.stats.bytesRead} bytes in ${r.stats.readCalls} calls, ${r.stats.elapsedMs} ms`);
  return lines.join('\n') + '\n';
}
