// SPDX-License-Identifier: Apache-2.0
// The report as Markdown, for a ticket or a review — the CLI's --markdown and
// the page's export alike: the image and its layout, the items in the
// console's order, what decided each at-risk item (file:line and the line),
// the fix, and the repair script. Headings, statuses, fixes, evidence and
// errors come from the catalog in the reader's language; item names in the
// table and API values stay the API's words, as the console shows them.
import type { Report } from './types';
import { formatBytes, itemName, t, type Lang } from './i18n';
import { findingText, noteText, reportErrorText, tableErrorText, volumeErrorText } from './finding-text';

/** Table cells hold no pipes or newlines. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A code fence longer than any run of backticks inside. */
function fence(s: string): string {
  return '`'.repeat(Math.max(3, ...[...s.matchAll(/`+/g)].map((m) => m[0].length + 1)));
}

export function formatMarkdown(r: Report, lang: Lang = 'en'): string {
  const img = r.image;
  const out: string[] = [`# ${t(lang, 'md.title', { files: img.files.join(', ') })}`, ''];
  out.push(`${t(lang, 'image.summary', { files: img.files.join(', '), format: img.format, size: formatBytes(img.virtualSize, lang), table: img.partitionTable })}${r.platform ? ` — ${t(lang, 'image.platform', { platform: r.platform })}` : ''}`, '');
  if (r.error) {
    out.push(lang === 'en' ? `**${t(lang, 'md.unreadable')}** ${r.error.message} (\`${r.error.code}\`)` : `**${t(lang, 'md.unreadable')}** ${reportErrorText(lang, r.error)}`, '');
    return out.join('\n');
  }
  for (const n of img.notes) out.push(`- ${noteText(lang, n)}`);
  if (img.notes.length) out.push('');
  if (img.tableError) out.push(t(lang, 'image.tableError', { message: tableErrorText(lang, img.tableError) }), '');
  if (img.volumes.length) {
    out.push(`## ${t(lang, 'layout.heading')}`, '');
    out.push(`| ${['volume', 'start', 'size', 'type', 'fs', 'label', 'mount'].map((k) => t(lang, `layout.col.${k}`)).join(' | ')} |`, '|---|---:|---:|---|---|---|---|');
    for (const v of img.volumes) {
      const fs = v.error ? `${v.fs} (${volumeErrorText(lang, v)})` : v.fs;
      out.push(`| ${v.id} | ${formatBytes(v.start, lang)} | ${formatBytes(v.size, lang)} | ${cell(v.typeName || v.type)} | ${cell(fs)} | ${cell([v.label, v.uuid].filter(Boolean).join(' '))} | ${v.mountedAt} |`);
    }
    out.push('');
  }
  out.push(`## ${t(lang, 'results.heading')}`, '');
  out.push(`| ${['item', 'status', 'value', 'risk'].map((k) => t(lang, `md.col.${k}`)).join(' | ')} |`, '|---|---|---|---|');
  // English keeps the API's status words (fail, pass), which scripts grep for
  const status = (s: string) => (lang === 'en' ? s : t(lang, `status.${s}`));
  for (const f of r.findings) out.push(`| ${f.name} | ${status(f.status)} | ${cell(findingText(lang, f).value)} | ${f.riskLevel ? `${f.riskLevel}: ${f.riskCode}` : ''} |`);
  out.push('');
  if (r.Tags.length) out.push(`${t(lang, 'md.tags')} ${r.Tags.map((x) => `\`${x.TagKey}=${x.TagValue}\``).join(', ')}`, '');
  for (const f of r.findings.filter((x) => x.status === 'fail' || x.status === 'warn' || x.status === 'error')) {
    const text = findingText(lang, f);
    const title = lang === 'en' ? f.name : `${itemName(lang, f.name)} (${f.name})`;
    out.push(`## ${title}: ${status(f.status)}${f.riskCode ? ` (${f.riskCode})` : ''}`, '');
    f.evidence.forEach((e, i) => out.push(`- \`${e.path}${e.line ? `:${e.line}` : ''}\` ${cell(text.evidence[i])}`));
    if (f.evidence.length) out.push('');
    if (text.solution) out.push(lang === 'en' ? text.solution : `**${t(lang, 'results.fix')}:** ${text.solution}`, '');
    if (f.command) { const q = fence(f.command); out.push(`${q}sh`, f.command, q, ''); }
  }
  if (r.repair && r.repair.script) {
    const q = fence(r.repair.script);
    const items = r.repair.repairItems.length ? r.repair.repairItems.map((i) => `\`${i}\``).join(', ') : t(lang, 'md.none');
    out.push(`## ${t(lang, 'md.repair')}`, '', `${t(lang, 'md.repairItems')} ${items}`, '');
    out.push(`${q}${r.platform === 'Windows' ? 'powershell' : 'sh'}`, r.repair.script.trimEnd(), q, '');
  }
  out.push(t(lang, 'stats.line', { bytes: formatBytes(r.stats.bytesRead, lang), calls: r.stats.readCalls, ms: r.stats.elapsedMs }), '');
  return out.join('\n');
}
